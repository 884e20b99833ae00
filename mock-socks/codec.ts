// RFC 1928 (SOCKS5) and RFC 1929 (username/password) wire bytes, as pure functions over buffers.
// Only what tailscaled's net/socks5 server reads and writes; no sockets here.
import { isIP } from 'node:net';

export const SOCKS_VERSION = 0x05;
export const AUTH_VERSION = 0x01;

// Method identifiers (RFC 1928 §3).
export const METHOD_NO_AUTH = 0x00;
export const METHOD_PASSWORD = 0x02;
export const METHOD_NONE_ACCEPTABLE = 0xff;

// Commands (RFC 1928 §4).
export const CMD_CONNECT = 0x01;
export const CMD_BIND = 0x02;
export const CMD_UDP_ASSOCIATE = 0x03;

// Address types (RFC 1928 §5).
export const ATYP_IPV4 = 0x01;
export const ATYP_DOMAIN = 0x03;
export const ATYP_IPV6 = 0x04;

// Reply codes (RFC 1928 §6). tailscaled only ever sends SUCCEEDED, GENERAL_FAILURE and
// COMMAND_NOT_SUPPORTED; the others exist for the reply-code fault.
export const REPLY_SUCCEEDED = 0x00;
export const REPLY_GENERAL_FAILURE = 0x01;
export const REPLY_NOT_ALLOWED = 0x02;
export const REPLY_NETWORK_UNREACHABLE = 0x03;
export const REPLY_HOST_UNREACHABLE = 0x04;
export const REPLY_CONNECTION_REFUSED = 0x05;
export const REPLY_TTL_EXPIRED = 0x06;
export const REPLY_COMMAND_NOT_SUPPORTED = 0x07;
export const REPLY_ADDRESS_TYPE_NOT_SUPPORTED = 0x08;

// RFC 1929 §2 status: 0x00 success, anything else failure (tailscaled sends 0x01).
export const AUTH_SUCCESS = 0x00;
export const AUTH_FAILURE = 0x01;

/** +----+--------+  the method-selection reply (RFC 1928 §3)
 *  |VER | METHOD |
 *  +----+--------+ */
export function methodReply(method: number): Buffer {
  return Buffer.from([SOCKS_VERSION, method]);
}

/** +----+--------+  RFC 1929 §2 status reply
 *  |VER | STATUS |
 *  +----+--------+ */
export function authReply(status: number): Buffer {
  return Buffer.from([AUTH_VERSION, status]);
}

/** +----+-----+-------+------+----------+----------+
 *  |VER | REP |  RSV  | ATYP | BND.ADDR | BND.PORT |
 *  +----+-----+-------+------+----------+----------+
 * Error replies are always the 10-byte form with 0.0.0.0:0, as tailscaled's errorResponse. */
export function errorReply(code: number): Buffer {
  return Buffer.from([SOCKS_VERSION, code, 0x00, ATYP_IPV4, 0, 0, 0, 0, 0, 0]);
}

export function successReply(bindHost: string, bindPort: number): Buffer {
  return Buffer.concat([Buffer.from([SOCKS_VERSION, REPLY_SUCCEEDED, 0x00]), encodeAddress(bindHost, bindPort)]);
}

/** ATYP + ADDR + PORT for an IP literal or a domain name. */
export function encodeAddress(host: string, port: number): Buffer {
  const portBytes = Buffer.from([(port >> 8) & 0xff, port & 0xff]);
  const mapped = host.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i);
  const plain = mapped?.[1] ?? host;
  if (isIP(plain) === 4) return Buffer.concat([Buffer.from([ATYP_IPV4]), Buffer.from(plain.split('.').map(Number)), portBytes]);
  if (isIP(plain) === 6) return Buffer.concat([Buffer.from([ATYP_IPV6]), ipv6Bytes(plain), portBytes]);
  const name = Buffer.from(host, 'utf8');
  return Buffer.concat([Buffer.from([ATYP_DOMAIN, name.length]), name, portBytes]);
}

export function decodeIPv4(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 4)).join('.');
}

/** Go's net.IP.String() form: compressed, lower case; an IPv4-mapped address prints as dotted quad. */
export function decodeIPv6(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.subarray(0, 16));
  if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return decodeIPv4(b.subarray(12));
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function ipv6Bytes(address: string): Buffer {
  const out = Buffer.alloc(16);
  let text = address;
  const v4 = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = v4[1].split('.').map(Number);
    text = text.slice(0, -v4[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : zeros).fill('0'), ...tailGroups];
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

export function decodePort(bytes: Uint8Array): number {
  return ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0);
}

export type UdpParse =
  | { ok: true; frag: number; host: string; port: number; atyp: number; header: Buffer; data: Buffer }
  | { ok: false; error: string };

/** +----+------+------+----------+----------+----------+
 *  |RSV | FRAG | ATYP | DST.ADDR | DST.PORT |   DATA   |
 *  +----+------+------+----------+----------+----------+
 *  | 2  |  1   |  1   | Variable |    2     | Variable |
 * Error texts are tailscaled's: the header checks, then the same address reads (and messages) as
 * a TCP request. FRAG is read and ignored. */
export function parseUdpDatagram(packet: Buffer): UdpParse {
  if (packet.length < 4) return { ok: false, error: 'invalid packet length' };
  if (packet[0] !== 0 || packet[1] !== 0) return { ok: false, error: 'invalid udp request header' };
  const frag = packet[2] ?? 0;
  const atyp = packet[3] ?? 0;
  let offset = 4;
  let host: string;
  if (atyp === ATYP_IPV4 || atyp === ATYP_IPV6) {
    const size = atyp === ATYP_IPV4 ? 4 : 16;
    if (packet.length < offset + size) return { ok: false, error: atyp === ATYP_IPV4 ? 'could not read IPv4 address' : 'could not read IPv6 address' };
    const raw = packet.subarray(offset, offset + size);
    host = atyp === ATYP_IPV4 ? decodeIPv4(raw) : decodeIPv6(raw);
    offset += size;
  } else if (atyp === ATYP_DOMAIN) {
    if (packet.length < offset + 1) return { ok: false, error: 'could not read domain name size' };
    const size = packet[offset] ?? 0;
    if (packet.length < offset + 1 + size) return { ok: false, error: 'could not read domain name' };
    host = packet.subarray(offset + 1, offset + 1 + size).toString('utf8');
    offset += 1 + size;
  } else {
    return { ok: false, error: 'unsupported address type' };
  }
  if (packet.length < offset + 2) return { ok: false, error: 'could not read port' };
  const port = decodePort(packet.subarray(offset, offset + 2));
  offset += 2;
  return { ok: true, frag, host, port, atyp, header: packet.subarray(0, offset), data: packet.subarray(offset) };
}
