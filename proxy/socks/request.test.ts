import { describe, expect, it } from 'vitest';
import { authRequest, connectRequest, greetingRequest } from './request.ts';

const hex = (b: Buffer) => b.toString('hex').replace(/(..)(?!$)/g, '$1 ');

describe('SOCKS5 requests (RFC 1928 §3/§4, RFC 1929 §2)', () => {
  it('greets offering no-auth, and user/pass when there are credentials', () => {
    expect(hex(greetingRequest(false))).toBe('05 01 00');
    expect(hex(greetingRequest(true))).toBe('05 02 00 02');
  });

  it('sends RFC 1929 credentials, and refuses what does not fit in a length byte', () => {
    expect(hex(authRequest('al', 'p@'))).toBe('01 02 61 6c 02 70 40');
    expect(() => authRequest('x'.repeat(256), '')).toThrow(/^socks\.auth_invalid/);
  });

  it.each([
    ['100.84.184.84', 8888, '05 01 00 01 64 54 b8 54 22 b8'],
    ['::1', 1055, '05 01 00 04 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 04 1f'],
    ['2001:db8::8a2e:370:7334', 80, '05 01 00 04 20 01 0d b8 00 00 00 00 00 00 8a 2e 03 70 73 34 00 50'],
    ['::ffff:127.0.0.1', 80, '05 01 00 04 00 00 00 00 00 00 00 00 00 00 ff ff 7f 00 00 01 00 50'],
    ['devbox.tail1234.ts.net', 8888, '05 01 00 03 16 64 65 76 62 6f 78 2e 74 61 69 6c 31 32 33 34 2e 74 73 2e 6e 65 74 22 b8'],
  ])('CONNECT %s:%d', (host, port, expected) => {
    expect(hex(connectRequest(host, port))).toBe(expected);
  });

  it('refuses a name longer than 255 bytes (RFC 1928 §5)', () => {
    expect(() => connectRequest('a'.repeat(256), 80)).toThrow(/^socks\.target_invalid/);
  });
});
