// Opens a tunnel through the SOCKS5 server: TCP to each server address in turn, then the handshake
// driven by the npm `socks` client over that socket, with its replies checked byte by byte
// (./reply.ts) and a deadline on each step, so a failure names the step and the address.
import { lookup } from 'node:dns/promises';
import { connect, isIP, type Socket } from 'node:net';
import { SocksClient } from 'socks';
import { ProxyError } from '../errors.ts';
import { closedDuring, handshakeProgress, type HandshakeProgress, type SocksStep } from './reply.ts';
import { bareHost, formatAddress, socksServerAddresses } from './address.ts';

export interface SocksDialerOptions {
  /** `socks5h://[user:pass@]host:port` (the server resolves names) or `socks5://` (resolved here). */
  socksUrl: string;
  /** TCP connect to one server address, ms; 0 = no deadline. */
  connectTimeoutMs: number;
  /** Greeting and auth replies, ms; 0 = no deadline. */
  greetingTimeoutMs: number;
  /** CONNECT reply, ms; 0 = no deadline. */
  connectReplyTimeoutMs: number;
  /** Legacy: dial only the first address of the SOCKS host. */
  singleAddress: boolean;
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

/** A dial failure carries the steps that did finish, so /readyz can show how far it got. */
export class SocksDialError extends ProxyError {
  readonly steps: DialStep[];
  constructor(error: ProxyError, steps: DialStep[]) {
    super(error.code, error.detail, { cause: error });
    this.steps = steps;
  }
}

/** No deadline: the `socks` client insists on one, so give it the largest a timer takes (~24.8 days). */
const forever = 2 ** 31 - 1;

export class SocksDialer {
  readonly options: SocksDialerOptions;
  protected readonly server: { host: string; port: number; remoteDns: boolean; user: string; pass: string };
  /** The address that answered last: tried first next time, so a dual-stack name costs one refusal once. */
  private preferred: string | undefined;
  /** Sockets still in their handshake: a dial without deadlines (legacy) could otherwise outlive the proxy. */
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
    return formatAddress(this.server.host, this.server.port);
  }

  async dial(target: SocksTarget): Promise<SocksTunnel> {
    const steps: DialStep[] = [];
    try {
      const { socket, server } = await this.connectToServer(steps);
      this.inFlight.add(socket);
      try {
        await this.handshake(socket, await this.destination(target), steps);
      } finally {
        this.inFlight.delete(socket);
      }
      return { socket, server, steps };
    } catch (error) {
      const proxyError = error instanceof ProxyError ? error : new ProxyError('socks.handshake_failed', String(error));
      throw new SocksDialError(proxyError, steps);
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

  private async connectToServer(steps: DialStep[]): Promise<{ socket: Socket; server: string }> {
    const resolved = await socksServerAddresses(this.server.host, this.options.singleAddress);
    const preferred = this.preferred;
    const addresses = preferred && resolved.includes(preferred) ? [preferred, ...resolved.filter((a) => a !== preferred)] : resolved;
    const failures: { address: string; code: string }[] = [];
    for (const address of addresses) {
      const started = performance.now();
      const name = formatAddress(address, this.server.port);
      try {
        const socket = await connectWithDeadline(address, this.server.port, this.options.connectTimeoutMs);
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
   * The `socks` client writes the greeting, auth and CONNECT; every byte the server sends is also
   * read here, so a step's deadline starts when the step does and an invalid reply is a failure
   * even where the client would accept it.
   */
  protected handshake(socket: Socket, destination: SocksTarget, steps: DialStep[]): Promise<void> {
    const offeredAuth = Boolean(this.server.user || this.server.pass);
    const received: Buffer[] = [];
    let stepStarted = performance.now();
    let current: SocksStep = 'greeting';
    let deadline: NodeJS.Timeout | undefined;

    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (error?: ProxyError) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        socket.off('data', watch);
        socket.off('close', onClose);
        socket.off('error', onError);
        if (error) {
          steps.push({ step: current, ok: false, ms: elapsed(stepStarted), detail: error.message });
          socket.destroy();
          reject(error);
        } else {
          steps.push({ step: current, ok: true, ms: elapsed(stepStarted) });
          resolve();
        }
      };
      const armDeadline = (step: SocksStep) => {
        clearTimeout(deadline);
        const ms = step === 'connect_reply' ? this.options.connectReplyTimeoutMs : this.options.greetingTimeoutMs;
        if (ms > 0) deadline = setTimeout(() => finish(new ProxyError(`socks.timeout.${step}`, `after ${ms} ms from ${formatAddress(socket.remoteAddress ?? '?', socket.remotePort ?? 0)}`)), ms);
      };
      let progress: HandshakeProgress = { state: 'waiting', step: 'greeting', got: 0, needed: 2 };
      const watch = (chunk: Buffer) => {
        received.push(chunk);
        progress = handshakeProgress(Buffer.concat(received), offeredAuth);
        if (progress.state === 'failed') return finish(progress.error);
        const step = progress.state === 'done' ? 'connect_reply' : progress.step;
        if (step !== current) {
          steps.push({ step: current, ok: true, ms: elapsed(stepStarted) });
          current = step;
          stepStarted = performance.now();
          armDeadline(step);
        }
        // `done` is left to the `socks` client's 'established': it still owns the socket until then.
      };
      let socketError: NodeJS.ErrnoException | undefined;
      const onError = (error: NodeJS.ErrnoException) => (socketError = error);
      /** Why the handshake ended when the server's bytes were not themselves the failure. */
      const endedEarly = (): ProxyError => {
        if (socketError?.code === 'ECONNRESET') return new ProxyError(`socks.reset.${current}`, 'connection reset by the SOCKS server');
        if (socketError) return new ProxyError('socks.handshake_failed', `${current}: ${socketError.message}`);
        return progress.state === 'waiting' ? closedDuring(progress) : new ProxyError(`socks.closed.${current}`, 'server closed the connection');
      };
      const onClose = () => finish(endedEarly());

      socket.on('data', watch);
      socket.on('error', onError);
      socket.once('close', onClose);
      armDeadline('greeting');
      SocksClient.createConnection({
        existing_socket: socket,
        proxy: { host: socket.remoteAddress ?? this.server.host, port: this.server.port, type: 5, userId: this.server.user || undefined, password: this.server.pass || undefined },
        destination,
        command: 'connect',
        timeout: forever,
      }).then(
        () => finish(progress.state === 'done' ? undefined : new ProxyError('socks.reply_invalid', 'the socks client accepted a reply this check did not')),
        // The client gives up on close, error or a reply it rejects; the byte check above names each better.
        () => finish(progress.state === 'failed' ? progress.error : endedEarly()),
      );
    });
  }
}

function connectWithDeadline(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    const timer = timeoutMs > 0 ? setTimeout(() => socket.destroy(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })), timeoutMs) : undefined;
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

export function elapsed(since: number): number {
  return Math.round((performance.now() - since) * 10) / 10;
}
