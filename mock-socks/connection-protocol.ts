// The per-connection state machine of tailscaled's net/socks5 server: greeting → (auth) → request
// → CONNECT or UDP ASSOCIATE. Every read is exact-length; every failure writes tailscaled's reply
// for that step and logs its message (see the spec tables quoted over each step).
import { timingSafeEqual, createHash } from 'node:crypto';
import {
  ATYP_DOMAIN, ATYP_IPV4, ATYP_IPV6, AUTH_FAILURE, AUTH_SUCCESS, AUTH_VERSION, CMD_CONNECT, CMD_UDP_ASSOCIATE,
  METHOD_NO_AUTH, METHOD_NONE_ACCEPTABLE, METHOD_PASSWORD, REPLY_COMMAND_NOT_SUPPORTED, REPLY_GENERAL_FAILURE, SOCKS_VERSION,
  authReply, decodeIPv4, decodeIPv6, decodePort, errorReply, methodReply,
} from './codec.ts';
import type { Connection } from './connection.ts';

export interface ProtocolHandlers {
  credentials: { user: string; pass: string } | undefined;
  connect(conn: Connection, host: string, port: number): Promise<void>;
  udpAssociate(conn: Connection): Promise<void>;
}

/** Constant-time equality, as tailscaled's subtle.ConstantTimeCompare; comparing digests also keeps the
 * length of the secret out of the timing. */
function sameSecret(given: Buffer, expected: string): boolean {
  const digest = (b: Buffer | string) => createHash('sha256').update(b).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** Greeting: +----+----------+----------+
 *            |VER | NMETHODS | METHODS  |   (RFC 1928 §3)
 *            +----+----------+----------+
 * Returns false when the connection is over. */
async function greeting(conn: Connection, requiredMethod: number): Promise<boolean> {
  const refused = async (message: string) => {
    await conn.fail('greeting', methodReply(METHOD_NONE_ACCEPTABLE), message);
    return false;
  };
  const header = await conn.reader.readExact(2);
  if (!header) return refused('could not read packet header');
  if (header[0] !== SOCKS_VERSION) return refused('incompatible SOCKS version');
  const methods = await conn.reader.readExact(header[1] ?? 0);
  if (!methods) return refused('could not read methods');
  // Other offered methods are ignored; only the one this server requires counts.
  if (!methods.includes(requiredMethod)) return refused('no acceptable auth methods');
  return (await conn.reply('greeting', methodReply(requiredMethod))) === 'continue';
}

/** RFC 1929: +----+------+----------+------+----------+
 *            |VER | ULEN |  UNAME   | PLEN |  PASSWD  |
 *            +----+------+----------+------+----------+ */
async function authenticate(conn: Connection, credentials: { user: string; pass: string }): Promise<boolean> {
  conn.phase = 'auth';
  const refused = async (message: string | undefined) => {
    await conn.fail('auth', authReply(AUTH_FAILURE), message);
    return false;
  };
  const header = await conn.reader.readExact(2);
  if (!header) return refused('could not read auth packet header');
  if (header[0] !== AUTH_VERSION) return refused('bad SOCKS auth version');
  const user = await conn.reader.readExact(header[1] ?? 0);
  if (!user) return refused('could not read auth packet username');
  const passLength = await conn.reader.readExact(1);
  if (!passLength) return refused('could not read auth packet password length');
  const pass = await conn.reader.readExact(passLength[0] ?? 0);
  if (!pass) return refused('could not read auth packet password');
  // Evaluate both comparisons whatever the first says, so timing tells nothing about which was wrong.
  const userOk = sameSecret(user, credentials.user);
  const passOk = sameSecret(pass, credentials.pass);
  // tailscaled logs nothing for well-formed wrong credentials.
  if (!(userOk && passOk)) return refused(undefined);
  return (await conn.reply('auth', authReply(AUTH_SUCCESS))) === 'continue';
}

/** Request: +----+-----+-------+------+----------+----------+
 *           |VER | CMD |  RSV  | ATYP | DST.ADDR | DST.PORT |   (RFC 1928 §4)
 *           +----+-----+-------+------+----------+----------+
 * VER and RSV are read and not checked; the address is parsed before CMD is looked at. */
async function request(conn: Connection, handlers: ProtocolHandlers): Promise<void> {
  conn.phase = 'request';
  const generalFailure = errorReply(REPLY_GENERAL_FAILURE);
  const fail = (message: string) => conn.fail('connect', generalFailure, message);
  const header = await conn.reader.readExact(3);
  if (!header) return fail('could not read packet header');
  const atyp = await conn.reader.readExact(1);
  if (!atyp) return fail('could not read address type');
  let host: string;
  if (atyp[0] === ATYP_IPV4) {
    const raw = await conn.reader.readExact(4);
    if (!raw) return fail('could not read IPv4 address');
    host = decodeIPv4(raw);
  } else if (atyp[0] === ATYP_DOMAIN) {
    const size = await conn.reader.readExact(1);
    if (!size) return fail('could not read domain name size');
    const name = await conn.reader.readExact(size[0] ?? 0);
    if (!name) return fail('could not read domain name');
    host = name.toString('utf8');
  } else if (atyp[0] === ATYP_IPV6) {
    const raw = await conn.reader.readExact(16);
    if (!raw) return fail('could not read IPv6 address');
    host = decodeIPv6(raw);
  } else {
    // Never reply 08 (address type not supported): tailscaled answers a general failure.
    return fail('unsupported address type');
  }
  const portBytes = await conn.reader.readExact(2);
  if (!portBytes) return fail('could not read port');
  const port = decodePort(portBytes);
  const command = header[1] ?? 0;
  if (command === CMD_CONNECT) return handlers.connect(conn, host, port);
  if (command === CMD_UDP_ASSOCIATE) return handlers.udpAssociate(conn);
  conn.replyCode = REPLY_COMMAND_NOT_SUPPORTED;
  return conn.fail('connect', errorReply(REPLY_COMMAND_NOT_SUPPORTED), `unsupported command ${command}`);
}

/** Runs one connection to its end. Never throws: bad input ends in a reply and a close. */
export async function runProtocol(conn: Connection, handlers: ProtocolHandlers): Promise<void> {
  if ((await conn.atPhase('accept')) === 'stop') return;
  const required = handlers.credentials ? METHOD_PASSWORD : METHOD_NO_AUTH;
  if (!(await greeting(conn, required))) return;
  if (handlers.credentials && !(await authenticate(conn, handlers.credentials))) return;
  await request(conn, handlers);
}
