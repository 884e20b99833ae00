// The contract between the page's probes and whoever drives them (repro, the e2e specs):
// `window.harnessPage.run(request)` resolves with a ProbeResult.
import type { Probe } from '../../scenarios/types.ts';
import type { SocketEntry } from './timeline.ts';

export type Settle = 'connected' | 'first-close' | 'recovered' | 'saw';

export interface ProbeRequest {
  probe: Probe;
  /** When a workbench probe is done: both connections up, the first close, or a reconnection that lost nothing. */
  until?: Settle;
  /** The probe reports what it saw by then, whatever happened (ms). */
  deadlineMs: number;
  /** Readiness the proxy's way (/readyz) or the seed notes' way (a TCP connect to the SOCKS port). */
  health?: 'readyz' | 'port-probe';
  /** Extension-host messages to round-trip, in bytes (large-messages). */
  echoBytes?: number[];
  /** until 'saw': done once a timeline event matches this regular expression (with echo traffic flowing meanwhile). */
  saw?: string;
  /** until 'saw': and a socket closed too. */
  alsoClose?: boolean;
  /** quiet / background probes: the quiet period (ms); workbench probe: a wait before it connects (an idle instance). */
  quietMs?: number;
  /** background probe: page timers wake on multiples of this (ms) during the quiet period. */
  throttleWindowMs?: number;
}

export interface WorkbenchReport {
  /** Both connections completed their handshake at least once. */
  connected: boolean;
  handshakes: number;
  reconnects: number;
  /** Messages missing, duplicated or out of order, over everything the probe sent across drops. */
  lost: number;
  /** Messages the probe pushed through while it waited for a reconnection (each way: echo + call). */
  sent?: number;
  /** ... of which before the first close: in flight when the socket dropped. */
  sentBeforeDrop?: number;
  /** Every event of the client's timeline, as text. */
  events: string[];
  /** Largest extension-host message that came back intact (bytes). */
  echoedBytes?: number;
  /** background probe: a management call made after the quiet period was answered. */
  afterQuiet?: boolean;
}

export interface ProbeResult {
  probe: Probe;
  settledBy: 'outcome' | 'deadline';
  elapsedMs: number;
  sockets: SocketEntry[];
  workbench?: WorkbenchReport;
  readiness?: { via: 'readyz' | 'port-probe'; ready: boolean; status?: number; body: string };
  vsda?: { url: string; status: number }[];
  terminal?: { echoed: boolean; resized: boolean; output: string };
  error?: string;
}

export interface HarnessPageApi {
  ready: Promise<void>;
  run(request: ProbeRequest): Promise<ProbeResult>;
  /** The terminal's rows as drawn (xterm's buffer, scrollback included), for specs to read back. */
  terminalRows?(): string[];
}

declare global {
  interface Window {
    harnessPage?: HarnessPageApi;
  }
}
