// Reads what a SOCKS5 server sent during the handshake and says, at every byte, which step we are
// in, how much of its reply has arrived, and whether what arrived is valid by RFC 1928 / 1929.
// The npm `socks` client drives the handshake; this reader is the check it lacks: it accepts a
// success reply with an unknown ATYP (handing the raw bytes to the application as data) and never
// looks at RSV (specs/tailscale-socks5.md "Client libraries seen in the seeds").
import { ProxyError } from '../errors.ts';
import { atypDomain, atypIPv4, atypIPv6, authVersion, methodNoAuth, methodNoneAcceptable, methodUserPass, socksVersion } from './wire.ts';

export type SocksStep = 'greeting' | 'auth' | 'connect_reply';

/** Where the handshake stands after the bytes seen so far. */
export type HandshakeProgress =
  | { state: 'waiting'; step: SocksStep; got: number; needed: number }
  | { state: 'done'; replyEnd: number }
  | { state: 'failed'; step: SocksStep; error: ProxyError };

/** RFC 1928 §6 reply codes, as they appear in causes (`socks.reply_general_failure`). */
const replyNames: Record<number, string> = {
  0x01: 'general_failure',
  0x02: 'not_allowed',
  0x03: 'network_unreachable',
  0x04: 'host_unreachable',
  0x05: 'connection_refused',
  0x06: 'ttl_expired',
  0x07: 'command_not_supported',
  0x08: 'address_type_not_supported',
};

export function replyCodeCause(rep: number): string {
  return `socks.reply_${replyNames[rep] ?? 'unknown_code'}`;
}

/** A short, log-safe picture of bytes a non-SOCKS server sent: printable text and hex. */
export function describeBytes(bytes: Uint8Array, max = 16): string {
  const head = Buffer.from(bytes.subarray(0, max));
  const text = head.toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  return `got ${JSON.stringify(text)} (${head.toString('hex').replace(/(..)(?!$)/g, '$1 ')}${bytes.length > max ? ' …' : ''})`;
}

/**
 * The progress of a handshake given every byte the server has sent so far.
 * `offeredAuth`: the client offered username/password (method 02) besides no-auth.
 */
export function handshakeProgress(bytes: Uint8Array, offeredAuth: boolean): HandshakeProgress {
  // +----+--------+
  // |VER | METHOD |   greeting reply, RFC 1928 §3
  // +----+--------+
  if (bytes.length >= 1 && bytes[0] !== socksVersion) {
    return { state: 'failed', step: 'greeting', error: new ProxyError('socks.not_socks', describeBytes(bytes)) };
  }
  if (bytes.length < 2) return { state: 'waiting', step: 'greeting', got: bytes.length, needed: 2 };
  const method = bytes[1];
  if (method === methodNoneAcceptable) {
    return { state: 'failed', step: 'greeting', error: new ProxyError('socks.no_acceptable_auth', offeredAuth ? 'server refused no-auth and user/pass' : 'server wants credentials (put user:pass@ in SOCKS5_PROXY)') };
  }
  if (method !== methodNoAuth && !(offeredAuth && method === methodUserPass)) {
    return { state: 'failed', step: 'greeting', error: new ProxyError('socks.reply_invalid', `greeting chose method 0x${hex(method)} that was not offered`) };
  }
  let offset = 2;
  if (method === methodUserPass) {
    // +----+--------+
    // |VER | STATUS |   RFC 1929 §2; STATUS 00 = success
    // +----+--------+
    const got = bytes.length - offset;
    if (got < 2) return { state: 'waiting', step: 'auth', got: Math.max(0, got), needed: 2 };
    if (bytes[offset] !== authVersion) return { state: 'failed', step: 'auth', error: new ProxyError('socks.reply_invalid', `auth reply VER 0x${hex(bytes[offset])}`) };
    if (bytes[offset + 1] !== 0x00) return { state: 'failed', step: 'auth', error: new ProxyError('socks.auth_failed', 'username/password rejected') };
    offset += 2;
  }
  return connectReplyProgress(bytes.subarray(offset), offset);
}

// +----+-----+-------+------+----------+----------+
// |VER | REP |  RSV  | ATYP | BND.ADDR | BND.PORT |   RFC 1928 §6
// +----+-----+-------+------+----------+----------+
// | 1  |  1  | X'00' |  1   | Variable |    2     |
function connectReplyProgress(reply: Uint8Array, offset: number): HandshakeProgress {
  const step = 'connect_reply';
  const fail = (code: string, detail = ''): HandshakeProgress => ({ state: 'failed', step, error: new ProxyError(code, detail) });
  if (reply.length >= 1 && reply[0] !== socksVersion) return fail('socks.reply_invalid', `reply VER 0x${hex(reply[0])}`);
  if (reply.length >= 2 && reply[1] !== 0x00) return fail(replyCodeCause(reply[1] ?? 0), `(REP 0x${hex(reply[1])})`);
  if (reply.length >= 3 && reply[2] !== 0x00) return fail('socks.reply_invalid', `reply RSV 0x${hex(reply[2])}`);
  if (reply.length < 4) return { state: 'waiting', step, got: reply.length, needed: 10 };
  const atyp = reply[3];
  let length: number;
  if (atyp === atypIPv4) length = 4 + 4 + 2;
  else if (atyp === atypIPv6) length = 4 + 16 + 2;
  else if (atyp === atypDomain) {
    if (reply.length < 5) return { state: 'waiting', step, got: reply.length, needed: 7 };
    length = 4 + 1 + (reply[4] ?? 0) + 2;
  } else return fail('socks.reply_invalid', `reply ATYP 0x${hex(atyp)}`);
  if (reply.length < length) return { state: 'waiting', step, got: reply.length, needed: length };
  return { state: 'done', replyEnd: offset + length };
}

/** The failure for a server that closed while we waited for `progress`. */
export function closedDuring(progress: Extract<HandshakeProgress, { state: 'waiting' }>): ProxyError {
  if (progress.got === 0) return new ProxyError(`socks.closed.${progress.step}`, 'server closed the connection');
  return new ProxyError('socks.reply_truncated', `(got ${progress.got} of ${progress.needed} bytes of the ${progress.step.replace('_', ' ')})`);
}

function hex(byte: number | undefined): string {
  return (byte ?? 0).toString(16).padStart(2, '0');
}
