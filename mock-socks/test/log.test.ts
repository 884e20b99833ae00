// tailscaled's log format: Go's time prefix off a terminal, and the per-format rate limiter.
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { SocksLogger, goTimePrefix } from '../log.ts';

function sink(isTTY: boolean): { stream: NodeJS.WritableStream; text: () => string } {
  let text = '';
  const stream = new Writable({ write(chunk: Buffer, _enc, done) { text += chunk.toString(); done(); } });
  return { stream: Object.assign(stream, { isTTY }), text: () => text };
}

describe('log lines', () => {
  it('Go prefix is YYYY/MM/DD HH:MM:SS in local time', () => {
    expect(goTimePrefix(new Date(2025, 10, 3, 4, 5, 6))).toBe('2025/11/03 04:05:06 ');
  });

  it('a non-terminal stream gets the prefix; logs() never does', () => {
    const out = sink(false);
    const logger = new SocksLogger({ stream: out.stream });
    logger.failure('could not read packet header');
    expect(out.text()).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} socks5: client connection failed: could not read packet header\n$/);
    expect(logger.lines).toEqual(['socks5: client connection failed: could not read packet header']);
  });

  it('a terminal gets bare lines', () => {
    const out = sink(true);
    new SocksLogger({ stream: out.stream }).failure('x');
    expect(out.text()).toBe('socks5: client connection failed: x\n');
  });

  it('rate limiter: the 5th line is followed by the announcement; unblocked only with 2 tokens back, with the dropped count', () => {
    let now = 0;
    const logger = new SocksLogger({ rateLimit: { burst: 5, intervalMs: 5000 }, now: () => now });
    for (let i = 0; i < 8; i++) logger.failure(`e${i}`);
    const format = '[RATELIMIT] format("socks5: client connection failed: %v")';
    expect(logger.lines).toEqual([0, 1, 2, 3, 4].map((i) => `socks5: client connection failed: e${i}`).concat(format));
    now = 5000; // one token back: still blocked
    logger.failure('e8');
    expect(logger.lines).toHaveLength(6);
    now = 10_000; // two tokens: e5–e8 were dropped
    logger.failure('e9');
    expect(logger.lines.slice(6)).toEqual([`${format} (4 dropped)`, 'socks5: client connection failed: e9']);
  });

  it('rate limiter keys on the format string: UDP lines have their own bucket', () => {
    const logger = new SocksLogger({ rateLimit: { burst: 1, intervalMs: 5000 }, now: () => 0 });
    logger.failure('a');
    logger.emit('socks5: udp transfer: handle udp request fail: %v', 'socks5: udp transfer: handle udp request fail: x');
    expect(logger.lines.filter((l) => !l.startsWith('[RATELIMIT]'))).toHaveLength(2);
  });
});
