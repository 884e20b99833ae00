// Reads a SOCKS5 conversation the way tailscaled's net/socks5 server does — exact-length steps,
// greeting → (RFC 1929 auth) → request → reply — from the chunks each side sent, and says what
// every byte meant. Pure: bytes in, annotated messages out. The tap and the doctor both print
// through it, so a conversation reads the same in either.
import {
  ATYP_DOMAIN, ATYP_IPV4, ATYP_IPV6, AUTH_VERSION, CMD_BIND, CMD_CONNECT, CMD_UDP_ASSOCIATE, METHOD_NO_AUTH,
  METHOD_NONE_ACCEPTABLE, METHOD_PASSWORD, REPLY_SUCCEEDED, SOCKS_VERSION, decodeIPv4, decodeIPv6, decodePort,
} from '../../mock-socks/codec.ts';
import { joinHostPort } from '../../common/host-port.ts';

export type Side = 'client' | 'server';

/** One read as it arrived: `at` is ms since the conversation opened. */
export interface Chunk {
  from: Side;
  bytes: Buffer;
  at: number;
}

export type MessageKind = 'greeting' | 'method' | 'auth' | 'auth-status' | 'request' | 'reply';

export interface SocksMessage {
  from: Side;
  kind: MessageKind;
  /** The message's bytes (what arrived of it, when incomplete). */
  bytes: Buffer;
  /** Offsets inside `bytes` that hold a secret (the RFC 1929 password): printed masked. */
  secret?: [number, number];
  /** Bytes the message needs in all; more than bytes.length when it was cut short. */
  needed: number;
  complete: boolean;
  /** How many reads it arrived in. */
  pieces: number;
  meaning: string;
}

/** A side whose first byte is not SOCKS5's: an HTTP server on the port, a SOCKS4 client, TLS… */
export interface ForeignBytes {
  from: Side;
  bytes: Buffer;
  says: string;
}

export interface HandshakeReading {
  messages: SocksMessage[];
  /** Handshake bytes of each side; what follows is relay data. */
  handshakeBytes: Record<Side, number>;
  /** relay: the reply said succeeded; refused: a reply code or method refusal; short: a side ran out of bytes. */
  state: 'relay' | 'refused' | 'short' | 'foreign';
  foreign?: ForeignBytes;
  /** The CONNECT (or other command) target, as the client wrote it. */
  destination?: string;
  command?: number;
  replyCode?: number;
  /** The step tailscaled's reader was in when a side ran out, and its log message for a client that ends there. */
  stuck?: { side: Side; kind: MessageKind; log: string | undefined };
}

// RFC 1928 §3 method names.
const methodNames: Record<number, string> = {
  0x00: 'no authentication',
  0x01: 'GSSAPI',
  0x02: 'username/password',
  0xff: 'no acceptable methods',
};

// RFC 1928 §6 reply field.
export const replyNames: Record<number, string> = {
  0x00: 'succeeded',
  0x01: 'general SOCKS server failure',
  0x02: 'connection not allowed by ruleset',
  0x03: 'network unreachable',
  0x04: 'host unreachable',
  0x05: 'connection refused',
  0x06: 'TTL expired',
  0x07: 'command not supported',
  0x08: 'address type not supported',
};

const commandNames: Record<number, string> = { [CMD_CONNECT]: 'CONNECT', [CMD_BIND]: 'BIND', [CMD_UDP_ASSOCIATE]: 'UDP ASSOCIATE' };

export function byteName(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

/** `05 01 00`; the secret range, if any, as `**`. */
export function spacedHex(bytes: Uint8Array, secret?: [number, number]): string {
  return Array.from(bytes, (b, i) => (secret && i >= secret[0] && i < secret[1] ? '**' : byteName(b))).join(' ');
}

export function methodName(method: number): string {
  return `${byteName(method)} ${methodNames[method] ?? 'unassigned method'}`;
}

export function replyName(code: number): string {
  return `${byteName(code)} ${replyNames[code] ?? 'unassigned reply code'}`;
}

/** What a first byte that is not 05 most likely is, with the start of it as text. */
export function describeForeign(bytes: Buffer): string {
  const text = bytes.subarray(0, 40).toString('latin1').replace(/\r?\n[\s\S]*$/, '').replace(/[^\x20-\x7e]/g, '.');
  const first = bytes[0];
  if (first === 0x04) return 'a SOCKS4 message';
  if (first === 0x16 && bytes[1] === 0x03) return 'a TLS handshake';
  if (/^HTTP\/\d/.test(text)) return `an HTTP response "${text}"`;
  if (/^[A-Z]{3,7} \S/.test(text)) return `an HTTP request "${text}"`;
  return `bytes that are not SOCKS5 (first byte ${byteName(first ?? 0)}, "${text}")`;
}

/** One side's chunks as one stream, with where each read ended, so a message's pieces can be counted. */
class Stream {
  readonly bytes: Buffer;
  private readonly ends: number[] = [];
  offset = 0;

  constructor(chunks: readonly Chunk[], side: Side) {
    const mine = chunks.filter((c) => c.from === side);
    this.bytes = Buffer.concat(mine.map((c) => c.bytes));
    let end = 0;
    for (const c of mine) this.ends.push((end += c.bytes.length));
  }

  get left(): number {
    return this.bytes.length - this.offset;
  }

  peek(at: number): number | undefined {
    return this.bytes[this.offset + at];
  }

  /** The reads bytes [from, to) of the stream arrived in. */
  pieces(from: number, to: number): number {
    if (to <= from) return 0;
    let count = 0;
    let start = 0;
    for (const end of this.ends) {
      if (end > from && start < to) count++;
      start = end;
    }
    return count;
  }
}

class Reader {
  readonly messages: SocksMessage[] = [];
  readonly streams: Record<Side, Stream>;

  constructor(chunks: readonly Chunk[]) {
    this.streams = { client: new Stream(chunks, 'client'), server: new Stream(chunks, 'server') };
  }

  /** Records a message of `needed` bytes (what is there of it), advancing that side's stream. */
  take(from: Side, kind: MessageKind, needed: number, meaning: (bytes: Buffer) => string, secret?: [number, number]): SocksMessage {
    const stream = this.streams[from];
    const start = stream.offset;
    const end = Math.min(start + needed, stream.bytes.length);
    const bytes = stream.bytes.subarray(start, end);
    stream.offset = end;
    const complete = bytes.length === needed;
    const message: SocksMessage = {
      from,
      kind,
      bytes,
      needed,
      complete,
      pieces: stream.pieces(start, end),
      meaning: complete ? meaning(bytes) : `cut short: ${bytes.length} of ${needed} bytes`,
      ...(secret ? { secret } : {}),
    };
    this.messages.push(message);
    return message;
  }
}

/** Length of a request or reply (VER CMD|REP RSV ATYP ADDR PORT) given what has arrived; undefined while ATYP (or a domain's length) is missing. */
export function addressedLength(stream: { peek(at: number): number | undefined }): number | undefined {
  const atyp = stream.peek(3);
  if (atyp === undefined) return undefined;
  if (atyp === ATYP_IPV4) return 4 + 4 + 2;
  if (atyp === ATYP_IPV6) return 4 + 16 + 2;
  if (atyp === ATYP_DOMAIN) {
    const size = stream.peek(4);
    return size === undefined ? undefined : 4 + 1 + size + 2;
  }
  return 4;
}

/** ATYP + address + port, from offset 3 of a request or reply. */
export function decodeAddress(bytes: Buffer): { host: string; port: number; atypName: string } | undefined {
  const atyp = bytes[3];
  if (atyp === ATYP_IPV4) return { host: decodeIPv4(bytes.subarray(4, 8)), port: decodePort(bytes.subarray(8, 10)), atypName: 'IPv4' };
  if (atyp === ATYP_IPV6) return { host: decodeIPv6(bytes.subarray(4, 20)), port: decodePort(bytes.subarray(20, 22)), atypName: 'IPv6' };
  if (atyp === ATYP_DOMAIN) {
    const size = bytes[4] ?? 0;
    return { host: bytes.subarray(5, 5 + size).toString('utf8'), port: decodePort(bytes.subarray(5 + size, 7 + size)), atypName: 'domain' };
  }
  return undefined;
}

/**
 * The log message tailscaled writes when the client's bytes end inside a step (spec: one line per
 * failed read), for a message of `kind` cut at `got` bytes. Undefined: nothing is logged.
 */
function clientEndLog(kind: MessageKind, got: Buffer): string | undefined {
  if (kind === 'greeting') return got.length < 2 ? 'could not read packet header' : 'could not read methods';
  if (kind === 'auth') {
    if (got.length < 2) return 'could not read auth packet header';
    const userEnd = 2 + (got[1] ?? 0);
    if (got.length < userEnd) return 'could not read auth packet username';
    if (got.length < userEnd + 1) return 'could not read auth packet password length';
    return 'could not read auth packet password';
  }
  if (kind === 'request') {
    if (got.length < 3) return 'could not read packet header';
    if (got.length < 4) return 'could not read address type';
    const atyp = got[3];
    if (atyp === ATYP_IPV4) return got.length < 8 ? 'could not read IPv4 address' : 'could not read port';
    if (atyp === ATYP_IPV6) return got.length < 20 ? 'could not read IPv6 address' : 'could not read port';
    if (got.length < 5) return 'could not read domain name size';
    return got.length < 5 + (got[4] ?? 0) ? 'could not read domain name' : 'could not read port';
  }
  return undefined;
}

function stuck(side: Side, kind: MessageKind, got: Buffer): HandshakeReading['stuck'] {
  return { side, kind, log: side === 'client' ? clientEndLog(kind, got) : undefined };
}

export const greetingMeaning = (b: Buffer): string => {
  const methods = Array.from(b.subarray(2));
  return `VER 5, ${methods.length} method${methods.length === 1 ? '' : 's'}${methods.length ? ': ' : ''}${methods.map(methodName).join(', ')}`;
};
export const requestMeaning = (b: Buffer): string => {
  const address = decodeAddress(b);
  const name = commandNames[b[1] ?? 0] ?? `command ${byteName(b[1] ?? 0)}`;
  if (!address) return `${name}, ATYP ${byteName(b[3] ?? 0)} unsupported`;
  const oddities = [b[0] !== SOCKS_VERSION ? `VER ${byteName(b[0] ?? 0)}` : '', b[2] !== 0 ? `RSV ${byteName(b[2] ?? 0)}` : ''].filter(Boolean);
  return `${name} ${joinHostPort(address.host, address.port)} (ATYP ${byteName(b[3] ?? 0)} ${address.atypName})${oddities.length ? `, ${oddities.join(', ')} (not checked by tailscaled)` : ''}`;
};
export const methodMeaning = (b: Buffer): string => `VER 5, method ${methodName(b[1] ?? 0)}`;
export const authStatusMeaning = (b: Buffer): string => `VER ${b[0]}, status ${byteName(b[1] ?? 0)} ${b[1] === 0 ? 'success' : 'failure'}`;
export const replyMeaning = (b: Buffer): string => {
  const address = decodeAddress(b);
  const bound = address ? `, BND ${joinHostPort(address.host, address.port)}` : `, ATYP ${byteName(b[3] ?? 0)} unknown`;
  return `REP ${replyName(b[1] ?? 0)}${bound}`;
};

/** Reads every message of the handshake that the chunks hold. */
export function readHandshake(chunks: readonly Chunk[]): HandshakeReading {
  const reader = new Reader(chunks);
  const { client, server } = reader.streams;
  const result = (state: HandshakeReading['state'], extra: Partial<HandshakeReading> = {}): HandshakeReading => ({
    messages: reader.messages,
    handshakeBytes: { client: client.offset, server: server.offset },
    state,
    ...extra,
  });
  /** The client stopped inside a step: tailscaled still answers it (05 ff, 01 01, the 10-byte failure) before closing. */
  const clientStopped = (kind: MessageKind, got: Buffer, extra: Partial<HandshakeReading> = {}): HandshakeReading => {
    if (server.left > 0 && server.peek(0) !== SOCKS_VERSION && kind === 'greeting') return foreign('server');
    if (server.left > 0) {
      if (kind === 'greeting') reader.take('server', 'method', 2, methodMeaning);
      else if (kind === 'auth') reader.take('server', 'auth-status', 2, authStatusMeaning);
      else reader.take('server', 'reply', addressedLength(server) ?? 10, replyMeaning);
    }
    return result('short', { ...extra, stuck: stuck('client', kind, got) });
  };
  const foreign = (side: Side): HandshakeReading => {
    const stream = reader.streams[side];
    const bytes = stream.bytes.subarray(stream.offset);
    stream.offset = stream.bytes.length;
    return result('foreign', { foreign: { from: side, bytes, says: describeForeign(bytes) } });
  };

  // +----+----------+----------+
  // |VER | NMETHODS | METHODS  |   greeting, RFC 1928 §3
  // +----+----------+----------+
  if (client.left > 0 && client.peek(0) !== SOCKS_VERSION) {
    // tailscaled reads VER first and refuses anything else: 05 FF, `incompatible SOCKS version`.
    const found = foreign('client');
    if (server.left > 0) reader.take('server', 'method', 2, methodMeaning);
    return { ...found, handshakeBytes: { client: client.offset, server: server.offset }, stuck: { side: 'client', kind: 'greeting', log: 'incompatible SOCKS version' } };
  }
  const methodCount = client.peek(1);
  const greeting = reader.take('client', 'greeting', methodCount === undefined ? 2 : 2 + methodCount, greetingMeaning);
  if (server.left > 0 && server.peek(0) !== SOCKS_VERSION) return foreign('server');
  if (!greeting.complete) return clientStopped('greeting', greeting.bytes);

  // +----+--------+
  // |VER | METHOD |   method selection
  // +----+--------+
  const method = reader.take('server', 'method', 2, methodMeaning);
  if (!method.complete) return result('short', { stuck: stuck('server', 'method', method.bytes) });
  const chosen = method.bytes[1];
  // The required method (00, or 02 with credentials) was not offered: tailscaled's 05 FF.
  if (chosen === METHOD_NONE_ACCEPTABLE) return result('refused', { stuck: { side: 'server', kind: 'method', log: 'no acceptable auth methods' } });

  if (chosen === METHOD_PASSWORD) {
    // +----+------+----------+------+----------+
    // |VER | ULEN |  UNAME   | PLEN |  PASSWD  |   RFC 1929 §2
    // +----+------+----------+------+----------+
    const userLength = client.peek(1);
    const passLength = userLength === undefined ? undefined : client.peek(2 + userLength);
    const needed = userLength === undefined ? 2 : passLength === undefined ? 3 + userLength : 3 + userLength + passLength;
    const passStart = 3 + (userLength ?? 0);
    const auth = reader.take('client', 'auth', needed, (b) => {
      const user = b.subarray(2, 2 + (b[1] ?? 0)).toString('utf8');
      return `VER ${b[0]}${b[0] === AUTH_VERSION ? '' : ' (not 1)'}, user ${JSON.stringify(user)}, password (${needed - passStart} bytes)`;
    }, [passStart, needed]);
    if (!auth.complete) return clientStopped('auth', auth.bytes);
    const status = reader.take('server', 'auth-status', 2, authStatusMeaning);
    if (!status.complete) return result('short', { stuck: stuck('server', 'auth-status', status.bytes) });
    if (status.bytes[1] !== 0) return result('refused');
  } else if (chosen !== METHOD_NO_AUTH) {
    return result('refused');
  }

  // +----+-----+-------+------+----------+----------+
  // |VER | CMD |  RSV  | ATYP | DST.ADDR | DST.PORT |   request, RFC 1928 §4
  // +----+-----+-------+------+----------+----------+
  const requestLength = addressedLength(client) ?? 4;
  const command = client.peek(1);
  const request = reader.take('client', 'request', requestLength, requestMeaning);
  if (!request.complete) return clientStopped('request', request.bytes, { command });
  const target = decodeAddress(request.bytes);
  const destination = target ? joinHostPort(target.host, target.port) : undefined;

  // +----+-----+-------+------+----------+----------+
  // |VER | REP |  RSV  | ATYP | BND.ADDR | BND.PORT |   reply, RFC 1928 §6
  // +----+-----+-------+------+----------+----------+
  const reply = reader.take('server', 'reply', addressedLength(server) ?? 10, replyMeaning);
  if (!reply.complete) return result('short', { destination, command, stuck: stuck('server', 'reply', reply.bytes) });
  const replyCode = reply.bytes[1] ?? 0;
  return result(replyCode === REPLY_SUCCEEDED ? 'relay' : 'refused', { destination, command, replyCode });
}

/**
 * The line tailscaled logs for this conversation (after `socks5: client connection failed: `) as
 * far as the bytes decide it: a refused greeting, auth or request, or — when the client ended
 * its side — the read it was stuck in. Undefined: nothing is logged, or the line depends on the
 * dial (`dial tcp …`, `context deadline exceeded`) or on the relay.
 */
export function tailscaledLogFor(reading: HandshakeReading, clientEnded: boolean): string | undefined {
  if (reading.foreign?.from === 'client') return 'incompatible SOCKS version';
  if (reading.stuck?.kind === 'method') return reading.stuck.log;
  // RFC 1929 header read first: a wrong version is refused before the rest is read.
  const auth = reading.messages.find((m) => m.kind === 'auth');
  if (auth && auth.bytes.length >= 2 && auth.bytes[0] !== AUTH_VERSION) return 'bad SOCKS auth version';
  const request = reading.messages.find((m) => m.kind === 'request' && m.complete);
  if (request) {
    const atyp = request.bytes[3];
    if (atyp !== ATYP_IPV4 && atyp !== ATYP_IPV6 && atyp !== ATYP_DOMAIN) return 'unsupported address type';
    const command = request.bytes[1] ?? 0;
    if (command !== CMD_CONNECT && command !== CMD_UDP_ASSOCIATE) return `unsupported command ${command}`;
  }
  if (clientEnded && reading.stuck?.side === 'client') return reading.stuck.log;
  return undefined;
}
