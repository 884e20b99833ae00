// The terminal's WebSocket, with the page's reconnection rule: a close frame says why, so the
// page can act on it; a 1006 says nothing, so it is retried like any failure but flagged.
// Wire format (mock-code-server README): JSON text frames, {"type":"input"|"resize"} up,
// {"type":"output"|"resized"|"exit"} down; `exit` is followed by a close 1000.

export type ReconnectDecision =
  | { reconnect: false; why: string }
  | { reconnect: true; delayMs: number; why: string; abnormal: boolean };

export interface ReconnectPolicy {
  /** Delay before attempt n (1-based) after a failure, ms. */
  backoffMs: (attempt: number) => number;
  maxAttempts: number;
}

export const defaultPolicy: ReconnectPolicy = {
  backoffMs: (attempt) => Math.min(100 * 2 ** (attempt - 1), 5000),
  maxAttempts: 8,
};

/** What to do after a close, from its code alone. */
export function reconnectDecision(code: number, attempt: number, policy: ReconnectPolicy = defaultPolicy): ReconnectDecision {
  if (code === 1000) return { reconnect: false, why: 'the shell exited' };
  if (attempt > policy.maxAttempts) return { reconnect: false, why: `gave up after ${policy.maxAttempts} attempts` };
  // 1001: the proxy reached its lifetime (Cloud Run's request timeout) — come straight back.
  if (code === 1001) return { reconnect: true, delayMs: 0, why: 'proxy lifetime', abnormal: false };
  if (code === 1006) return { reconnect: true, delayMs: policy.backoffMs(attempt), why: 'no close frame (1006)', abnormal: true };
  return { reconnect: true, delayMs: policy.backoffMs(attempt), why: `closed with ${code}`, abnormal: false };
}

export interface CloseSeen {
  code: number;
  reason: string;
}

export interface TerminalEvents {
  output(text: string): void;
  status(text: string, state: 'connecting' | 'open' | 'closed' | 'abnormal'): void;
  resized?(cols: number, rows: number): void;
  /**
   * A shell answered on a new socket (its first frame, before that frame's output). `after` is
   * the close that ended the previous socket when this one is an automatic reconnection.
   */
  session?(after: CloseSeen | undefined): void;
}

export class TerminalConnection {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private size = { cols: 80, rows: 24 };
  /** The close before the current socket, while no shell has answered on it yet. */
  private lastClose: CloseSeen | undefined;
  private answered = false;

  constructor(
    private readonly url: string,
    private readonly events: TerminalEvents,
    private readonly Socket: typeof WebSocket = globalThis.WebSocket,
    private readonly policy: ReconnectPolicy = defaultPolicy,
  ) {}

  connect(): void {
    this.stopped = false;
    this.events.status('connecting', 'connecting');
    const socket = new this.Socket(this.url);
    this.socket = socket;
    this.answered = false;
    // The proxy accepts the upgrade before it dials the tailnet (a 1014 can only reach the
    // browser on an open socket), so 'open' proves nothing: the shell's first frame does.
    socket.addEventListener('open', () => {
      this.events.status('upgraded, waiting for the shell', 'connecting');
      this.send({ type: 'resize', ...this.size });
    });
    socket.addEventListener('message', (event: MessageEvent) => this.receive(String(event.data)));
    socket.addEventListener('close', (event: CloseEvent) => this.closed(event.code, event.reason));
  }

  type(keys: string): void {
    this.send({ type: 'input', data: keys });
  }

  resize(cols: number, rows: number): void {
    this.size = { cols, rows };
    this.send({ type: 'resize', cols, rows });
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    const socket = this.socket;
    if (!socket) return;
    // Closing a socket that is still connecting makes the browser report 1006 — the page would
    // then flag itself. Let it open, then close it properly.
    if (socket.readyState === this.Socket.CONNECTING) socket.addEventListener('open', () => socket.close(1000, 'closed by the page'));
    else socket.close(1000, 'closed by the page');
  }

  private send(message: unknown): void {
    if (this.socket?.readyState === this.Socket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private receive(text: string): void {
    let message: { type?: string; data?: unknown; cols?: unknown; rows?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (!this.answered) {
      this.answered = true;
      this.attempt = 0;
      this.events.status('connected', 'open');
      this.events.session?.(this.lastClose);
      this.lastClose = undefined;
    }
    if (message.type === 'output' && typeof message.data === 'string') this.events.output(message.data);
    if (message.type === 'resized' && typeof message.cols === 'number' && typeof message.rows === 'number') this.events.resized?.(message.cols, message.rows);
  }

  private closed(code: number, reason: string): void {
    if (this.stopped) return this.events.status(`closed ${code}`, 'closed');
    this.lastClose = { code, reason };
    const decision = reconnectDecision(code, ++this.attempt, this.policy);
    const said = reason ? `${code} ${reason}` : String(code);
    if (!decision.reconnect) return this.events.status(`closed ${said}: ${decision.why}`, 'closed');
    this.events.status(`closed ${said}; reconnecting in ${decision.delayMs} ms`, decision.abnormal ? 'abnormal' : 'connecting');
    this.timer = setTimeout(() => this.connect(), decision.delayMs);
  }
}
