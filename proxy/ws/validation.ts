// What RFC 6455 lets an endpoint receive, checked where the proxy reads frames anyway: each frame's
// first two header bytes, and a close frame's payload (≤ 125 bytes). No Node module in sight, so
// the browser page or a mock can use the same rules.
//
// Checked: §5.1 masking (client frames masked, server frames not), §5.2 RSV bits (no extension is
// ever negotiated) and known opcodes, §5.4 fragmentation (a continuation needs a message to
// continue, a new message cannot start inside one), §5.5 control frames (≤ 125 bytes, never
// fragmented), §7.4.1 close codes and a UTF-8 reason (§5.5.1). Not checked: the UTF-8 of text
// messages (§8.1) — that would mean unmasking and decoding every payload on the relay's hot path,
// and the endpoints on both sides (the browser and code-server's `ws`) already fail an invalid one.

export const Opcode = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** The close code an endpoint answers a violation with: 1002 protocol error, 1007 invalid payload data. */
export type ViolationCode = 1002 | 1007;

export interface Violation {
  closeCode: ViolationCode;
  /** What was wrong, with the RFC section, for the close reason and the log. */
  detail: string;
}

const maxControlPayload = 125;

/** §7.4.1 and the IANA registry: a code a close frame may carry (1004–1006 and 1015 are never sent). */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * The first two bytes of a frame header, given whether a fragmented message is in progress on this
 * stream. Returns the violation, if any; `nextFragmented` says whether one is in progress after it.
 */
export function checkFrameHeader(b0: number, b1: number, fromClient: boolean, fragmented: boolean): Violation | undefined {
  const opcode = b0 & 0x0f;
  const fin = (b0 & 0x80) !== 0;
  const masked = (b1 & 0x80) !== 0;
  if ((b0 & 0x70) !== 0) return protocol(`RSV bits 0x${(b0 & 0x70).toString(16)} set with no extension negotiated (§5.2)`);
  if (masked !== fromClient) return protocol(fromClient ? 'an unmasked frame from the client (§5.1)' : 'a masked frame from the server (§5.1)');
  if (opcode >= 0x8) {
    if (opcode > Opcode.pong) return protocol(`unknown opcode 0x${opcode.toString(16)} (§5.2)`);
    if (!fin) return protocol('a fragmented control frame (§5.5)');
    if ((b1 & 0x7f) > maxControlPayload) return protocol(`a control frame over ${maxControlPayload} bytes (§5.5)`);
    return undefined;
  }
  if (opcode > Opcode.binary) return protocol(`unknown opcode 0x${opcode.toString(16)} (§5.2)`);
  if (opcode === Opcode.continuation && !fragmented) return protocol('a continuation frame with no message to continue (§5.4)');
  if (opcode !== Opcode.continuation && fragmented) return protocol('a new message inside a fragmented one (§5.4)');
  return undefined;
}

/** Whether a fragmented message is in progress after a data frame with this first byte (control frames leave it as it was). */
export function nextFragmented(b0: number, fragmented: boolean): boolean {
  if ((b0 & 0x08) !== 0) return fragmented;
  return (b0 & 0x80) === 0;
}

export type CloseContent = { code: number; reason: string } | { violation: Violation };

/** An unmasked close payload: its code (1005 when it has none) and reason, or what is wrong with it (§5.5.1, §7.4.1). */
export function readClosePayload(payload: Uint8Array): CloseContent {
  if (payload.length === 0) return { code: 1005, reason: '' };
  if (payload.length === 1) return { violation: { closeCode: 1002, detail: 'a close payload of 1 byte (§5.5.1)' } };
  const code = ((payload[0] ?? 0) << 8) | (payload[1] ?? 0);
  if (!isValidCloseCode(code)) return { violation: { closeCode: 1002, detail: `close code ${code} is not one an endpoint may send (§7.4.1)` } };
  const reason = payload.subarray(2);
  if (!isValidUtf8(reason)) return { violation: { closeCode: 1007, detail: 'a close reason that is not UTF-8 (§5.5.1)' } };
  return { code, reason: utf8.decode(reason) };
}

function protocol(detail: string): Violation {
  return { closeCode: 1002, detail };
}
