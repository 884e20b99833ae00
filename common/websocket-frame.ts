// RFC 6455 §5.2's frame header and §5.5.1's close frame, as every hop here reads and writes them:
// the proxy's relay, the harness's front door, the tools. Plain functions on (bytes, offset) that
// allocate nothing, so the proxy's relay can call them per frame; only closeFrame builds bytes.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-------+-+-------------+-------------------------------+
//  |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
//  |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
//  |N|V|V|V|       |S|             |   (if payload len==126/127)   |
//  | |1|2|3|       |K|             |                               |
//  +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
//  |                   Masking-key, if MASK set to 1               |
//  +-------------------------------+-------------------------------+

/** The longest header: 2 bytes, a 64-bit extended length and a masking key. */
export const maxHeaderBytes = 14;

/** The length of a frame's header, from its second byte (MASK and the 7-bit length). */
export function headerLength(b1: number): number {
  const len7 = b1 & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + ((b1 & 0x80) !== 0 ? 4 : 0);
}

/**
 * The payload length of the frame whose header starts at `offset` (its bytes there at least up to
 * the extended length). A 64-bit length above 2^53 comes out inexact — far above any limit anyway.
 */
export function payloadLength(bytes: Uint8Array, offset: number): number {
  const len7 = (bytes[offset + 1] ?? 0) & 0x7f;
  if (len7 < 126) return len7;
  if (len7 === 126) return ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0);
  return uint32At(bytes, offset + 2) * 0x1_0000_0000 + uint32At(bytes, offset + 6);
}

function uint32At(bytes: Uint8Array, at: number): number {
  return (((bytes[at] ?? 0) << 24) | ((bytes[at + 1] ?? 0) << 16) | ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0)) >>> 0;
}

/** §5.5: a control frame's payload is at most 125 bytes, 2 of them the close code. */
export const maxCloseReasonBytes = 123;

const utf8 = new TextEncoder();

/**
 * A close frame of our own: FIN, opcode 8, the code, and the reason cut to 123 bytes on a code point
 * boundary — a split UTF-8 sequence would make the peer fail the frame (1007). `masked`: towards a
 * server (a client must mask, §5.3); the masking key is all zeros, so the payload is written as is.
 */
export function closeFrame(code: number, reason: string, masked: boolean): Uint8Array {
  const text = utf8.encode(reason);
  const reasonBytes = utf8PrefixLength(text, maxCloseReasonBytes);
  const keyBytes = masked ? 4 : 0;
  const frame = new Uint8Array(2 + keyBytes + 2 + reasonBytes);
  frame[0] = 0x88;
  frame[1] = (masked ? 0x80 : 0) | (2 + reasonBytes);
  frame[2 + keyBytes] = (code >>> 8) & 0xff;
  frame[3 + keyBytes] = code & 0xff;
  frame.set(text.subarray(0, reasonBytes), 4 + keyBytes);
  return frame;
}

/** The longest prefix of UTF-8 `bytes` within `limit` that ends on a code point boundary. */
function utf8PrefixLength(bytes: Uint8Array, limit: number): number {
  if (bytes.length <= limit) return bytes.length;
  let cut = limit;
  while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--; // 10xxxxxx: inside a sequence
  return cut;
}
