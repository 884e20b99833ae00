// The doctor's own SOCKS5 client: it writes every byte itself and reads every reply by length
// (./reply-reader.ts), so each step can show its bytes, its time, and exactly how it went wrong.
// It never opens a connection without speaking: a TCP connect is always followed by a greeting.
import { connect, type Socket } from 'node:net';
import {
  AUTH_VERSION, CMD_CONNECT, METHOD_NO_AUTH, METHOD_NONE_ACCEPTABLE, METHOD_PASSWORD, SOCKS_VERSION, encodeAddress,
} from '../../mock-socks/codec.ts';
import { addressedLength, authStatusMeaning, describeForeign, greetingMeaning, methodMeaning, methodName, replyMeaning, requestMeaning, spacedHex } from '../tap/annotate.ts';
import { ReplyReader, type ReadOutcome } from './reply-reader.ts';
import type { Deadlines, WireLine } from './types.ts';

export type SocksStepId = 'greeting' | 'auth' | 'connect';

/** How a step went wrong; `in-pieces` is the one a length-reading client survives. */
export type SocksFinding =
  | { kind: 'silent'; got: number; needed: number; waitedMs: number }
  | { kind: 'late'; ms: number; deadlineMs: number }
  | { kind: 'closed'; how: 'FIN' | 'RST'; got: number; needed: number }
  | { kind: 'foreign'; says: string }
  | { kind: 'refused'; code: number; ms: number }
  | { kind: 'in-pieces'; pieces: number };

export interface SocksStepResult {
  id: SocksStepId;
  ms: number;
  wire: WireLine[];
  finding?: SocksFinding;
  /** The conversation can go on (no finding, or only `in-pieces`). */
  passed: boolean;
  /** BND of a successful CONNECT reply. */
  detail?: string;
  /** The method the server chose (greeting). */
  method?: number;
}

export type TcpResult = { socket: Socket; ms: number } | { error: string; ms: number };

/** TCP connect to one address with a deadline. */
export function tcpConnect(address: string, port: number, timeoutMs: number): Promise<TcpResult> {
  const started = performance.now();
  const ms = () => Math.round((performance.now() - started) * 10) / 10;
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ error: 'ETIMEDOUT', ms: ms() });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve({ socket, ms: ms() });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ error: error.code ?? error.message, ms: ms() });
    });
  });
}

/**
 * How long past a greeting or auth deadline the doctor keeps listening, to tell a slow server (it
 * answers late: slow-handshake) from a dead one (blackhole). Twice the deadline: 4 s by default.
 * The CONNECT reply's patience is its deadline itself (8 s), already past tailscaled's dial budget.
 */
const patience = (deadlineMs: number) => deadlineMs * 2;

const sent = (bytes: Buffer, meaning: string, secret?: [number, number]): WireLine => ({ dir: '>', hex: spacedHex(bytes, secret), text: meaning });
const received = (bytes: Buffer, meaning: string): WireLine => ({ dir: '<', hex: spacedHex(bytes), text: meaning });

/** One conversation with a SOCKS server over a connected socket. */
export class SocksSession {
  private readonly reader: ReplyReader;

  constructor(private readonly socket: Socket, private readonly deadlines: Deadlines) {
    this.reader = new ReplyReader(socket);
    // Errors surface through the reader (RST) and the steps; an unhandled one must not crash the doctor.
    socket.on('error', () => undefined);
  }

  /** The socket for what comes after a successful CONNECT (HTTP, a WebSocket). */
  detach(): Socket {
    return this.reader.detach();
  }

  close(): void {
    // A FIN, as a client that is done: after a CONNECT, tailscaled ends the relay without a log line.
    this.socket.end();
    this.socket.destroySoon();
  }

  /** +----+----------+----------+   RFC 1928 §3
   *  |VER | NMETHODS | METHODS  |   offering 00, and 02 when there are credentials
   *  +----+----------+----------+ */
  async greeting(offerAuth: boolean): Promise<SocksStepResult> {
    const bytes = Buffer.from(offerAuth ? [SOCKS_VERSION, 2, METHOD_NO_AUTH, METHOD_PASSWORD] : [SOCKS_VERSION, 1, METHOD_NO_AUTH]);
    this.socket.write(bytes);
    const wire = [sent(bytes, `greeting: ${greetingMeaning(bytes)}`)];
    const outcome = await this.reader.readMessage(socksLength(() => 2), this.deadlines.greetingMs, patience(this.deadlines.greetingMs));
    const result = await this.judge('greeting', outcome, wire, this.deadlines.greetingMs, (reply) => `method: ${methodMeaning(reply)}`);
    if (!result.passed || outcome.kind !== 'ok') return result;
    const method = outcome.bytes[1];
    if (method === METHOD_NONE_ACCEPTABLE) return { ...result, passed: false, finding: { kind: 'refused', code: method, ms: outcome.ms } };
    if (method !== METHOD_NO_AUTH && !(offerAuth && method === METHOD_PASSWORD)) {
      return { ...result, passed: false, finding: { kind: 'foreign', says: `a method choice that was not offered (${methodMeaning(outcome.bytes)})` } };
    }
    return { ...result, method, detail: `method ${methodName(method ?? 0)}` };
  }

  /** RFC 1929: VER ULEN UNAME PLEN PASSWD; the password is shown as `**`. */
  async auth(user: string, pass: string): Promise<SocksStepResult> {
    const u = Buffer.from(user, 'utf8');
    const p = Buffer.from(pass, 'utf8');
    const bytes = Buffer.concat([Buffer.from([AUTH_VERSION, u.length]), u, Buffer.from([p.length]), p]);
    this.socket.write(bytes);
    const wire = [sent(bytes, `auth: user ${JSON.stringify(user)}, password (${p.length} bytes)`, [3 + u.length, bytes.length])];
    const outcome = await this.reader.readMessage(() => 2, this.deadlines.greetingMs, patience(this.deadlines.greetingMs));
    const result = await this.judge('auth', outcome, wire, this.deadlines.greetingMs, (reply) => `auth status: ${authStatusMeaning(reply)}`, AUTH_VERSION);
    if (result.passed && outcome.kind === 'ok' && outcome.bytes[1] !== 0) return { ...result, passed: false, finding: { kind: 'refused', code: outcome.bytes[1] ?? 1, ms: outcome.ms } };
    return result;
  }

  /** +----+-----+-------+------+----------+----------+   RFC 1928 §4
   *  |VER | CMD |  RSV  | ATYP | DST.ADDR | DST.PORT |
   *  +----+-----+-------+------+----------+----------+ */
  async connect(host: string, port: number): Promise<SocksStepResult> {
    const bytes = Buffer.concat([Buffer.from([SOCKS_VERSION, CMD_CONNECT, 0x00]), encodeAddress(host, port)]);
    this.socket.write(bytes);
    const wire = [sent(bytes, `request: ${requestMeaning(bytes)}`)];
    const deadline = this.deadlines.connectReplyMs;
    const outcome = await this.reader.readMessage(socksLength((head) => addressedLength({ peek: (at) => head[at] })), deadline, deadline);
    const result = await this.judge('connect', outcome, wire, deadline, (reply) => `reply: ${replyMeaning(reply)}`);
    if (!result.passed || outcome.kind !== 'ok') return result;
    const code = outcome.bytes[1] ?? 0;
    if (code !== 0) return { ...result, passed: false, finding: { kind: 'refused', code, ms: outcome.ms } };
    return { ...result, detail: `succeeded, ${replyMeaning(outcome.bytes).replace(/^REP 00 succeeded, /, '')}` };
  }

  /** The common part of every reply: foreign bytes, a close, silence, lateness, pieces. */
  private async judge(id: SocksStepId, outcome: ReadOutcome & { needed: number }, wire: WireLine[], deadlineMs: number, meaning: (reply: Buffer) => string, version = SOCKS_VERSION): Promise<SocksStepResult> {
    const base = { id, ms: outcome.ms, wire };
    if (outcome.bytes.length > 0 && outcome.bytes[0] !== version) {
      // Not SOCKS: show what the port's owner says (an HTTP server answers, then usually closes).
      const rest = await this.reader.readRest(512, Math.min(deadlineMs, 1000));
      const all = Buffer.concat([outcome.bytes, rest]);
      const says = describeForeign(all);
      wire.push(received(all.subarray(0, 64), says));
      return { ...base, passed: false, finding: { kind: 'foreign', says } };
    }
    if (outcome.bytes.length > 0) wire.push(received(outcome.bytes, outcome.kind === 'ok' ? meaning(outcome.bytes) : `cut short: ${outcome.bytes.length} of ${outcome.needed} bytes`));
    if (outcome.kind === 'closed') return { ...base, passed: false, finding: { kind: 'closed', how: outcome.how, got: outcome.bytes.length, needed: outcome.needed } };
    if (outcome.kind === 'silent') return { ...base, passed: false, finding: { kind: 'silent', got: outcome.bytes.length, needed: outcome.needed, waitedMs: outcome.ms } };
    if (outcome.late) return { ...base, passed: false, finding: { kind: 'late', ms: outcome.ms, deadlineMs } };
    if (outcome.pieces > 1) return { ...base, passed: true, finding: { kind: 'in-pieces', pieces: outcome.pieces } };
    return { ...base, passed: true };
  }
}

/** A reply length that stops at a wrong first byte (foreign bytes are read by `readRest`, not by length). */
function socksLength(lengthOf: (head: Buffer) => number | undefined): (head: Buffer) => number | undefined {
  return (head) => (head.length > 0 && head[0] !== SOCKS_VERSION ? head.length : lengthOf(head));
}
