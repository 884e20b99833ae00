// Opens a tunnel through the SOCKS5 server: TCP to each server address in turn, then the handshake
// (./request.ts writes each request, ./reply.ts checks every byte of each reply), with a deadline
// on each step, so a failure names the step and the address. Every timer armed here is cleared
// when its step ends: a tunnel is referenced by nothing here once dial() has settled.
import { lookup } from 'node:dns/promises';
import { connect, isIP, type OnReadOpts, type Socket } from 'node:net';
import { ProxyError } from '../errors.ts';
import { closedDuring, handshakeProgress, type HandshakeProgress, type SocksStep } from './reply.ts';
import { joinHostPort } from '../../common/host-port.ts';
import { bareHost, socksServerAddresses } from './address.ts';
import { authRequest, connectRequest, greetingRequest } from './request.ts';

export interface SocksDialerOptions {
  /** `socks5h://[user:pass@]host:port` (the server resolves names) or `socks5://` (resolved here). */
  socksUrl: string;
  /** TCP connect to one server address, ms. */
  connectTimeoutMs: number;
  /** Greeting and auth replies, ms. */
  greetingTimeoutMs: number;
  /** CONNECT reply, ms. */
  connectReplyTimeoutMs: number;
  /** The addresses of the SOCKS host to try, in order; default every address (./address.ts). */
  serverAddresses?: (host: string) => Promise<string[]>;
}

export interface SocksTarget {
  host: string;
  port: number;
}

/** One finished step, for /readyz and the access log. */
export interface DialStep {
  step: 'tcp_connect' | SocksStep;
  ok: boolean;
  ms: number;
  detail?: string;
}

export interface SocksTunnel {
  socket: Socket;
  /** The SOCKS server address that answered, e.g. `127.0.0.1:1055`. */
  server: string;
  steps: DialStep[];
}

/**
 * What a caller may put on one dial (a retry window's rest, a browser that left): the step deadlines
 * stay as configured, these only cut a dial short.
 */
export interface DialLimits {
  /** The whole dial ends within this (ms): the step still in progress then fails as that step's timeout. */
  budgetMs?: number;
  /** Aborted: the socket in progress is destroyed and the dial rejects at once. */
  signal?: AbortSignal;
  /**
   * The tunnel reads into the caller's buffers (a WebSocket relay's, ../ws/tunnel-reads.ts). A dialer
   * may leave it unused (one injected through the server's parts); the relay then reads the tunnel as a stream.
   */
  reads?: OwnReads;
}

/** Buffers of the caller's for a tunnel's reads: net's `onread`, and the socket it was given to (a dial may try several). */
export interface OwnReads {
  readonly onread: OnReadOpts;
  attach(socket: Socket): void;
}

/** What the rest of the proxy needs of a dialer: tunnels, a name for logs, and an abort on shutdown. */
export interface Dialer {
  readonly serverName: string;
  dial(target: SocksTarget, limits?: DialLimits): Promise<SocksTunnel>;
  abortAll(): void;
}

/** A dial failure carries the steps that did finish, so /readyz can show how far it got. */
export class SocksDialError extends ProxyError {
  readonly steps: DialStep[];
  constructor(error: ProxyError, steps: DialStep[]) {
    super(error.code, error.detail, { cause: error });
    this.steps = steps;
  }
}

export class SocksDialer implements Dialer {
  readonly options: SocksDialerOptions;
  protected readonly server: { host: string; port: number; remoteDns: boolean; user: string; pass: string };
  /** The address that answered last: tried first next time, so a dual-stack name costs one refusal once. */
  private preferred: string | undefined;
  /** Sockets still in their handshake: shutdown ends them rather than waiting out their deadlines. */
  private readonly inFlight = new Set<Socket>();

  constructor(options: SocksDialerOptions) {
    this.options = options;
    const url = new URL(options.socksUrl);
    this.server = {
      host: bareHost(url.hostname),
      port: Number(url.port),
      remoteDns: url.protocol === 'socks5h:',
      user: decodeURIComponent(url.username),
      pass: decodeURIComponent(url.password),
    };
  }

  /** Ends every dial still in its handshake (on shutdown). */
  abortAll(): void {
    for (const socket of this.inFlight) socket.destroy();
  }

  /** `host:port` of the SOCKS server as configured, without credentials. */
  get serverName(): string {
    return joinHostPort(this.server.host, this.server.port);
  }

  async dial(target: SocksTarget, limits: DialLimits = {}): Promise<SocksTunnel> {
    const steps: DialStep[] = [];
    const cut = new DialCut(limits);
    try {
      const destination = await this.destination(target);
      const { socket, server } = await this.connectToServer(steps, cut, limits.reads);
      this.inFlight.add(socket);
      try {
        await this.handshake(socket, destination, steps);
      } finally {
        this.inFlight.delete(socket);
      }
      return { socket, server, steps };
    } catch (error) {
      const proxyError = cut.cause(steps) ?? (error instanceof ProxyError ? error : new ProxyError('socks.handshake_failed', String(error)));
      throw new SocksDialError(proxyError, steps);
    } finally {
      cut.dispose();
    }
  }

  /** socks5 resolves the target here; socks5h hands the name to the server (MagicDNS lives there). */
  private async destination(target: SocksTarget): Promise<SocksTarget> {
    const host = bareHost(target.host);
    if (this.server.remoteDns || isIP(host)) return { host, port: target.port };
    try {
      return { host: (await lookup(host)).address, port: target.port };
    } catch (error) {
      throw new ProxyError('socks.resolve_failed', `target ${host}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }

  private async connectToServer(steps: DialStep[], cut: DialCut, reads: OwnReads | undefined): Promise<{ socket: Socket; server: string }> {
    const resolved = await (this.options.serverAddresses ?? socksServerAddresses)(this.server.host);
    const preferred = this.preferred;
    const addresses = preferred && resolved.includes(preferred) ? [preferred, ...resolved.filter((a) => a !== preferred)] : resolved;
    const failures: { address: string; code: string }[] = [];
    for (const address of addresses) {
      if (cut.done) break;
      const started = performance.now();
      const name = joinHostPort(address, this.server.port);
      try {
        const socket = await connectWithDeadline(address, this.server.port, this.options.connectTimeoutMs, cut, reads);
        steps.push({ step: 'tcp_connect', ok: true, ms: elapsed(started), detail: name });
        this.preferred = address;
        return { socket, server: name };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'ERROR';
        steps.push({ step: 'tcp_connect', ok: false, ms: elapsed(started), detail: `${name} ${code}` });
        failures.push({ address: name, code });
      }
    }
    const tried = failures.map((f) => f.address).join(', ');
    if (failures.some((f) => f.code === 'ETIMEDOUT')) throw new ProxyError('socks.timeout.connect', tried);
    if (failures.every((f) => f.code === 'ECONNREFUSED')) throw new ProxyError('socks.connect_refused', tried);
    throw new ProxyError('socks.connect_failed', failures.map((f) => `${f.address} ${f.code}`).join(', '));
  }

  /**
   * Writes each request once the previous reply is complete and reads every byte the server sends,
   * so a step's deadline starts when the step does and a reply is judged as RFC 1928 / 1929 say.
   * Bytes after the CONNECT reply belong to the tunnel: they are put back for its reader.
   */
  protected handshake(socket: Socket, destination: SocksTarget, steps: DialStep[]): Promise<void> {
    const offeredAuth = Boolean(this.server.user || this.server.pass);
    let received = Buffer.alloc(0);
    let stepStarted = performance.now();
    let current: SocksStep = 'greeting';
    let deadline: NodeJS.Timeout | undefined;
    let progress: HandshakeProgress = { state: 'waiting', step: 'greeting', got: 0, needed: 2 };
    let socketError: NodeJS.ErrnoException | undefined;

    return new Promise<void>((resolve, reject) => {
      const finish = (error?: ProxyError) => {
        clearTimeout(deadline);
        socket.off('data', onData);
        socket.off('close', onClose);
        socket.off('error', onError);
        steps.push({ step: current, ok: !error, ms: elapsed(stepStarted), ...(error ? { detail: error.message } : {}) });
        if (error) {
          socket.destroy();
          return reject(error);
        }
        socket.pause();
        const rest = progress.state === 'done' ? received.subarray(progress.replyEnd) : Buffer.alloc(0);
        if (rest.length) socket.unshift(rest);
        resolve();
        // Read again once the tunnel's reader has had its turn to attach (it does so in the continuation of dial()).
        setImmediate(() => socket.resume());
      };
      const armDeadline = (step: SocksStep) => {
        clearTimeout(deadline);
        const ms = step === 'connect_reply' ? this.options.connectReplyTimeoutMs : this.options.greetingTimeoutMs;
        deadline = setTimeout(() => finish(new ProxyError(`socks.timeout.${step}`, `after ${ms} ms from ${joinHostPort(socket.remoteAddress ?? '?', socket.remotePort ?? 0)}`)), ms);
      };
      const send = (step: SocksStep) => {
        if (step === 'greeting') socket.write(greetingRequest(offeredAuth));
        else if (step === 'auth') socket.write(authRequest(this.server.user, this.server.pass));
        else socket.write(connectRequest(destination.host, destination.port));
      };
      const sendOrFail = (step: SocksStep) => {
        try {
          send(step);
        } catch (error) {
          finish(error instanceof ProxyError ? error : new ProxyError('socks.handshake_failed', String(error)));
        }
      };
      const onData = (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        progress = handshakeProgress(received, offeredAuth);
        if (progress.state === 'failed') return finish(progress.error);
        // A reply to a request not yet sent is no reply to ours.
        const ahead = progress.state === 'done' ? current !== 'connect_reply' : progress.step !== current && progress.got > 0;
        if (ahead) return finish(new ProxyError('socks.reply_invalid', `bytes of the next reply arrived before its request (during the ${current.replace('_', ' ')})`));
        if (progress.state === 'done') return finish();
        if (progress.step !== current) {
          steps.push({ step: current, ok: true, ms: elapsed(stepStarted) });
          current = progress.step;
          stepStarted = performance.now();
          armDeadline(current);
          sendOrFail(current);
        }
      };
      const onError = (error: NodeJS.ErrnoException) => (socketError = error);
      /** Why the handshake ended when the server's bytes were not themselves the failure. */
      const onClose = () => {
        if (socketError?.code === 'ECONNRESET') return finish(new ProxyError(`socks.reset.${current}`, 'connection reset by the SOCKS server'));
        if (socketError) return finish(new ProxyError('socks.handshake_failed', `${current}: ${socketError.message}`));
        finish(progress.state === 'waiting' ? closedDuring(progress) : new ProxyError(`socks.closed.${current}`, 'server closed the connection'));
      };

      socket.on('data', onData);
      socket.on('error', onError);
      socket.once('close', onClose);
      armDeadline('greeting');
      sendOrFail('greeting');
    });
  }
}

function connectWithDeadline(host: string, port: number, timeoutMs: number, cut: DialCut, reads: OwnReads | undefined): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(reads ? { host, port, noDelay: true, onread: reads.onread } : { host, port, noDelay: true });
    reads?.attach(socket);
    cut.hold(socket);
    const timer = setTimeout(() => socket.destroy(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * A dial's limits at work: the socket in progress (connecting, then in its handshake) is destroyed
 * when the budget is spent or the caller aborts, so the dial ends there instead of at its step's
 * own deadline. Its timer and listener go with dispose(), whichever way the dial ended.
 */
class DialCut {
  private socket: Socket | undefined;
  private readonly started = performance.now();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly signal: AbortSignal | undefined;
  private expired = false;
  private aborted = false;
  private readonly abort = () => {
    this.aborted = true;
    this.socket?.destroy(Object.assign(new Error('dial aborted'), { code: 'ECONNABORTED' }));
  };

  constructor(limits: DialLimits) {
    this.signal = limits.signal;
    if (limits.budgetMs !== undefined) {
      this.timer = setTimeout(() => {
        this.expired = true;
        this.socket?.destroy(Object.assign(new Error('dial budget spent'), { code: 'ETIMEDOUT' }));
      }, limits.budgetMs);
    }
    if (this.signal?.aborted) this.aborted = true;
    else this.signal?.addEventListener('abort', this.abort, { once: true });
  }

  get done(): boolean {
    return this.expired || this.aborted;
  }

  /** The socket the dial is on now; destroyed at once if the dial was already cut. */
  hold(socket: Socket): void {
    this.socket = socket;
    if (this.done) socket.destroy(Object.assign(new Error('dial cut short'), { code: this.expired ? 'ETIMEDOUT' : 'ECONNABORTED' }));
  }

  /** When the budget cut the dial: the step it was in, as that step's timeout. */
  cause(steps: DialStep[]): ProxyError | undefined {
    if (!this.expired) return undefined;
    const step = steps.at(-1)?.step ?? 'tcp_connect';
    return new ProxyError(`socks.timeout.${step === 'tcp_connect' ? 'connect' : step}`, `after ${Math.round(performance.now() - this.started)} ms (the dial's budget)`);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.abort);
    this.socket = undefined;
  }
}

export function elapsed(since: number): number {
  return Math.round((performance.now() - since) * 10) / 10;
}
