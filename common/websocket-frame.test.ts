import { describe, expect, it } from 'vitest';
import { closeFrame, headerLength, maxCloseReasonBytes, payloadLength } from './websocket-frame.ts';

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g) ?? [], (byte) => parseInt(byte, 16));

describe('frame header', () => {
  it.each([
    // RFC 6455 §5.7: an unmasked and a masked "Hello", a 256-byte and a 64 KiB binary frame.
    ['81 05', 2, 5],
    ['81 85 37 fa 21 3d', 6, 5],
    ['82 7e 01 00', 4, 256],
    ['82 7f 00 00 00 00 00 01 00 00', 10, 65536],
    ['82 fe 01 00 00 00 00 00', 8, 256],
    ['82 ff 00 00 00 01 00 00 00 00 00 00 00 00', 14, 2 ** 32],
    ['82 7d', 2, 125],
    ['82 7e 00 7e', 4, 126],
    ['82 7e ff ff', 4, 65535],
  ])('%s: header %d bytes, payload %d', (header, length, payload) => {
    const bytes = hex(header);
    expect(headerLength(bytes[1] ?? 0)).toBe(length);
    expect(bytes.length).toBe(length);
    expect(payloadLength(bytes, 0)).toBe(payload);
  });

  it('reads a header at an offset inside a larger buffer', () => {
    const bytes = hex('00 00 00 82 7e 12 34 ff');
    expect(payloadLength(bytes, 3)).toBe(0x1234);
  });
});

describe('closeFrame', () => {
  it('writes an unmasked frame to a client and a zero-key masked one to a server', () => {
    expect(closeFrame(1014, 'x', false)).toEqual(hex('88 03 03 f6 78'));
    expect(closeFrame(1001, '', true)).toEqual(hex('88 82 00 00 00 00 03 e9'));
    expect(closeFrame(1009, 'too big', false)).toEqual(Uint8Array.from([0x88, 9, 0x03, 0xf1, ...new TextEncoder().encode('too big')]));
  });

  it('cuts the reason to 123 bytes of UTF-8 on a code point boundary, whatever the characters', () => {
    const reasonOf = (frame: Uint8Array, masked: boolean) => new TextDecoder('utf-8', { fatal: true }).decode(frame.subarray(masked ? 8 : 4));
    for (const [text, kept] of [
      ['socks.reply_truncated ' + 'é'.repeat(100), 'socks.reply_truncated ' + 'é'.repeat(50)],
      ['é'.repeat(100), 'é'.repeat(61)],
      [`${'a'.repeat(122)}€`, 'a'.repeat(122)],
      [`${'a'.repeat(120)}😀`, 'a'.repeat(120)],
      ['a'.repeat(123), 'a'.repeat(123)],
      ['a'.repeat(124), 'a'.repeat(123)],
    ] as const) {
      for (const masked of [false, true]) {
        const frame = closeFrame(1001, text, masked);
        const reason = reasonOf(frame, masked);
        expect(reason).toBe(kept);
        expect(frame[1]).toBe((masked ? 0x80 : 0) | (2 + new TextEncoder().encode(kept).length));
        expect((frame[1] ?? 0) & 0x7f).toBeLessThanOrEqual(2 + maxCloseReasonBytes);
      }
    }
  });
});
