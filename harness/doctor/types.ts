// The doctor's report: one step per hop and check, each with its verdict, time, the bytes where they
// help, and — when it did not pass — a diagnosis naming the catalog scenario it matches.

export type Verdict = 'ok' | 'warn' | 'fail' | 'skip';

export type StepId =
  | 'resolve'
  | 'tcp'
  | 'greeting'
  | 'auth'
  | 'connect'
  | 'http-root'
  | 'http-workbench'
  | 'http-vsda'
  | 'ws-upgrade'
  | 'vscode-handshake'
  | 'terminal-upgrade'
  | 'proxy-healthz'
  | 'proxy-readyz'
  | 'proxy-code'
  | 'proxy-vsda'
  | 'proxy-ws'
  | 'proxy-terminal';

/** Bytes shown under a step: `>` sent by the doctor, `<` received; hex when the bytes are binary. */
export interface WireLine {
  dir: '>' | '<';
  hex?: string;
  text: string;
}

export interface Diagnosis {
  /** The catalog scenario id (`harness/scenarios`), when the failure is one of its rows. */
  scenario?: string;
  /** What is wrong here, from what this run saw. */
  cause: string;
  /** What the browser shows: with a proxy that passes failures through, and with this project's proxy. */
  browser: string;
  fix: string;
}

export interface Step {
  id: StepId;
  /** e.g. `tcp 127.0.0.1:1055`, `http GET /`. */
  title: string;
  verdict: Verdict;
  ms: number;
  /** One line: what happened. */
  detail: string;
  wire?: WireLine[];
  diagnosis?: Diagnosis;
}

export interface DoctorReport {
  ok: boolean;
  /** 0: every step passed (warnings allowed); 1: a hop fails. */
  exitCode: 0 | 1;
  target: { socks?: string; upstream?: string; terminal?: string; proxy?: string };
  steps: Step[];
  /** The first failing step's diagnosis (or the first warning's, when nothing failed), with that step's title. */
  diagnosis?: Diagnosis & { step: string };
  ms: number;
}

/** Every deadline the doctor keeps, ms. Defaults are the proxy's production values (proxy/config.ts). */
export interface Deadlines {
  /** TCP connect to each SOCKS (or proxy) address. */
  tcpMs: number;
  /** SOCKS greeting and auth replies. */
  greetingMs: number;
  /** SOCKS CONNECT reply: above tailscaled's dial budget, so its own 05 01 arrives first. */
  connectReplyMs: number;
  /** Each HTTP answer and WebSocket step through the tunnel. */
  httpMs: number;
  /** tailscaled's dial budget (5 s): a `05 01` that took about this long is a peer that never answered. */
  dialBudgetMs: number;
}

export const defaultDeadlines: Deadlines = { tcpMs: 2000, greetingMs: 2000, connectReplyMs: 8000, httpMs: 10_000, dialBudgetMs: 5000 };

export interface DoctorOptions {
  /** `socks5h://[user:pass@]host:port` (the SOCKS server resolves names) or `socks5://` (resolved here). */
  socks?: string;
  /** code-server on the tailnet, e.g. `http://100.84.184.84:8888` (MagicDNS name or 100.x). */
  upstream?: string;
  /** The terminal's WebSocket on the tailnet, e.g. `ws://100.84.184.84:7681/terminal`. */
  terminal?: string;
  /** A deployed proxy, checked from outside: `/healthz`, `/readyz`, code-server under `codePrefix`, a WebSocket. */
  proxy?: string;
  /** The proxy's code-server prefix; default `/dev/code/`. */
  codePrefix?: string;
  /** The proxy's terminal path, checked when given (e.g. `/dev/ws/terminal`). */
  terminalPath?: string;
  /** Deadlines, each default multiplied by `timeScale` unless given here. */
  deadlines?: Partial<Deadlines>;
  /** Multiplies every default deadline; default 1. */
  timeScale?: number;
}
