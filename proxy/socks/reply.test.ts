import { describe, expect, it } from 'vitest';
import { closedDuring, handshakeProgress, type HandshakeProgress } from './reply.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const failure = (p: HandshakeProgress) => (p.state === 'failed' ? p.error.message : `not failed: ${JSON.stringify(p)}`);

describe('handshakeProgress', () => {
  const success = '05 00' + '05 00 00 01 64 64 64 64 9c 40';

  it('is done exactly at the end of the CONNECT reply, at every split of the bytes', () => {
    const bytes = hex(success);
    for (let n = 0; n < bytes.length; n++) expect(handshakeProgress(bytes.subarray(0, n), false).state).toBe('waiting');
    expect(handshakeProgress(bytes, false)).toEqual({ state: 'done', replyEnd: 12 });
    // Relay bytes behind the reply are not part of it.
    expect(handshakeProgress(Buffer.concat([bytes, hex('48 54')]), false)).toEqual({ state: 'done', replyEnd: 12 });
  });

  it('knows the length of IPv6 and domain replies', () => {
    expect(handshakeProgress(hex('05 00 05 00 00 04' + '00'.repeat(16) + '01 bb'), false)).toEqual({ state: 'done', replyEnd: 24 });
    expect(handshakeProgress(hex('05 00 05 00 00 03 03 61 62 63 01 bb'), false)).toEqual({ state: 'done', replyEnd: 12 });
    expect(handshakeProgress(hex('05 00 05 00 00 03 03 61 62'), false)).toMatchObject({ state: 'waiting', got: 7, needed: 10 });
  });

  it('walks through RFC 1929 auth when user/pass was chosen', () => {
    expect(handshakeProgress(hex('05 02 01'), true)).toMatchObject({ state: 'waiting', step: 'auth', got: 1 });
    expect(handshakeProgress(hex('05 02 01 00 05 00 00 01 7f 00 00 01 00 50'), true)).toEqual({ state: 'done', replyEnd: 14 });
    expect(failure(handshakeProgress(hex('05 02 01 01'), true))).toMatch(/^socks.auth_failed/);
    expect(failure(handshakeProgress(hex('05 02'), false))).toMatch(/^socks.reply_invalid greeting chose method 0x02/);
  });

  it.each([
    ['48 54 54 50 2f 31 2e 31', /^socks.not_socks got "HTTP\/1.1"/],
    ['05 ff', /^socks.no_acceptable_auth/],
    ['05 00 05 01 00 01 00 00 00 00 00 00', /^socks.reply_general_failure/],
    ['05 00 05 07', /^socks.reply_command_not_supported/],
    ['05 00 05 05', /^socks.reply_connection_refused/],
    ['05 00 05 09', /^socks.reply_unknown_code/],
    // Accepted by the npm socks client, refused here:
    ['05 00 05 00 01 01 7f 00 00 01 00 50', /^socks.reply_invalid reply RSV 0x01/],
    ['05 00 05 00 00 09 7f 00 00 01 00 50', /^socks.reply_invalid reply ATYP 0x09/],
    ['05 00 04 00 00 01 7f 00 00 01 00 50', /^socks.reply_invalid reply VER 0x04/],
  ])('%s fails as %s', (bytes, cause) => {
    expect(failure(handshakeProgress(hex(bytes), false))).toMatch(cause);
  });

  it('names a truncated reply by how much of it arrived', () => {
    const progress = handshakeProgress(hex('05 00 05 00 00 01 64'), false);
    if (progress.state !== 'waiting') throw new Error('expected waiting');
    expect(closedDuring(progress).message).toBe('socks.reply_truncated (got 5 of 10 bytes of the connect reply)');
    const nothing = handshakeProgress(hex(''), false);
    if (nothing.state !== 'waiting') throw new Error('expected waiting');
    expect(closedDuring(nothing).code).toBe('socks.closed.greeting');
  });
});
