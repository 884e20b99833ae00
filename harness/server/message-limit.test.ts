import { describe, expect, it } from 'vitest';
import { closeFrame } from '../../common/websocket-frame.ts';
import { MessageSizeLimit } from './message-limit.ts';
import { readClosePayload } from '../../proxy/ws/validation.ts';

/** A masked client frame header (the mask bytes are zero; only lengths matter here). */
function frame(opcode: number, fin: boolean, payload: number): Uint8Array {
  const lengthBytes = payload < 126 ? [payload] : payload < 65536 ? [126, payload >> 8, payload & 0xff] : [127, 0, 0, 0, 0, (payload >>> 24) & 0xff, (payload >> 16) & 0xff, (payload >> 8) & 0xff, payload & 0xff];
  const head = [(fin ? 0x80 : 0) | opcode, 0x80 | (lengthBytes[0] ?? 0), ...lengthBytes.slice(1), 0, 0, 0, 0];
  const bytes = new Uint8Array(head.length + payload);
  bytes.set(head);
  return bytes;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
}

describe('a hop with a per-message limit', () => {
  it('passes messages up to the limit, whatever the chunking', () => {
    const stream = concat([frame(2, true, 1000), frame(2, false, 600), frame(9, true, 4), frame(0, true, 400), frame(1, true, 125)]);
    for (const size of [1, 7, 64, stream.length]) {
      const limit = new MessageSizeLimit(1000);
      let ok = true;
      for (let at = 0; at < stream.length; at += size) ok = limit.accept(stream.subarray(at, at + size)) && ok;
      expect(ok, `chunks of ${size}`).toBe(true);
    }
  });

  it('refuses a message whose fragments add up past the limit', () => {
    const limit = new MessageSizeLimit(1024 * 1024);
    expect(limit.accept(frame(2, false, 700 * 1024))).toBe(true);
    expect(limit.accept(frame(0, true, 400 * 1024))).toBe(false);
  });

  it('refuses a single frame over the limit from its header alone (64-bit length)', () => {
    const limit = new MessageSizeLimit(1024 * 1024);
    expect(limit.accept(frame(2, true, 1024 * 1024 + 13).subarray(0, 14))).toBe(false);
  });

  it('writes 1009 as a server close frame', () => {
    expect([...closeFrame(1009, 'too big', false)]).toEqual([0x88, 9, 0x03, 0xf1, ...new TextEncoder().encode('too big')]);
  });

  it('cuts a long non-ASCII reason on a code point, within 123 bytes: a valid, unmasked frame', () => {
    // Regression: 100 × "é" was cut at 100 UTF-16 units, 200 bytes written into the 7-bit length (0xca: mask bit on, wrong length).
    const frame = closeFrame(1001, 'é'.repeat(100), false);
    expect(frame[1]).toBe(2 + 122);
    expect((frame[1] ?? 0) & 0x80).toBe(0);
    expect(readClosePayload(frame.subarray(2))).toEqual({ code: 1001, reason: 'é'.repeat(61) });
    expect(readClosePayload(closeFrame(1001, `${'a'.repeat(122)}€`, false).subarray(2))).toEqual({ code: 1001, reason: 'a'.repeat(122) });
  });
});
