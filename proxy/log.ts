// One JSON line per HTTP request and per WebSocket session, written when it ends: the route, each
// hop's timing, bytes each way, both sides' close codes and the cause of any failure. Query strings
// are never logged (the workbench's carries its reconnectionToken), nor are credentials.
import type { DialStep } from './socks/dial.ts';

export interface AccessRecord {
  kind: 'http' | 'ws';
  route: string;
  method?: string;
  /** Path only, without the query. */
  path: string;
  status?: number;
  /** ms per hop: `socks.tcp_connect`, `socks.greeting`, `socks.connect_reply`, `upstream.response` / `upstream.upgrade`. */
  hops: Record<string, number>;
  /** The SOCKS server address that answered. */
  socks?: string;
  /** Bytes from the browser towards the upstream, and back (HTTP bodies / WebSocket payloads). */
  bytesUp: number;
  bytesDown: number;
  /** WebSocket: the close code the browser got / the upstream's close code (1006 = no close frame). */
  closeBrowser?: number;
  closeUpstream?: number;
  cause?: string;
  /** Attempts to reach the upstream when there was more than one (a retry window at work). */
  attempts?: number;
  ms: number;
}

export type AccessLog = (record: AccessRecord) => void;

export function jsonLineLog(stream: NodeJS.WritableStream): AccessLog {
  return (record) => {
    stream.write(JSON.stringify({ time: new Date().toISOString(), ...record }) + '\n');
  };
}

export function recordDialSteps(record: AccessRecord, steps: DialStep[]): void {
  for (const step of steps) record.hops[`socks.${step.step}`] = (record.hops[`socks.${step.step}`] ?? 0) + step.ms;
}

/** The path of a request target, without its query. */
export function pathOnly(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
