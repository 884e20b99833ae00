import { describe, expect, it } from 'vitest';
import { joinHostPort, splitHostPort } from './host-port.ts';

describe('splitHostPort (Go net.SplitHostPort, decimal port 0–65535)', () => {
  it.each([
    ['127.0.0.1:1055', '127.0.0.1', 1055],
    ['localhost:0', 'localhost', 0],
    ['[::1]:8080', '::1', 8080],
    [':1055', '', 1055],
    ['[]:80', '', 80],
    ['devbox.tail1234.ts.net:65535', 'devbox.tail1234.ts.net', 65535],
  ])('%s → %s port %d', (value, host, port) => {
    expect(splitHostPort(value)).toEqual({ host, port });
  });

  it.each([
    'nowhere', // no port
    '127.0.0.1:', // empty port
    '127.0.0.1:99999', // out of range
    '127.0.0.1:123456', // more than 5 digits
    '127.0.0.1:http', // a service name: not a port here
    '127.0.0.1:-1',
    '::1:80', // Go: too many colons — an IPv6 literal needs brackets
    '[::1]80',
    '[::1]:80:90',
    '[::1:80',
    'a]:80',
    '[a[b]:80',
  ])('refuses %s', (value) => {
    expect(splitHostPort(value)).toBeUndefined();
  });
});

describe('joinHostPort', () => {
  it('brackets an IPv6 literal only', () => {
    expect(joinHostPort('::1', 1055)).toBe('[::1]:1055');
    expect(joinHostPort('127.0.0.1', 1055)).toBe('127.0.0.1:1055');
    expect(joinHostPort('localhost', 0)).toBe('localhost:0');
  });

  it('round-trips with splitHostPort', () => {
    for (const [host, port] of [['::1', 1], ['100.84.184.84', 8888], ['', 80]] as const) {
      expect(splitHostPort(joinHostPort(host, port))).toEqual({ host, port });
    }
  });
});
