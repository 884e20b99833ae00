// How the doctor reaches an HTTP server — through a SOCKS tunnel (the upstream on the tailnet) or
// directly (a deployed proxy) — and the steps every check over it shares: a GET with its head on
// the wire, and a WebSocket upgrade as a browser sends it.
import { connect as tcpConnect, type Socket } from 'node:net';
import { commitFromWorkbenchPage } from '../../mock-code-server/common/workbench.ts';
import { httpGet, secure, type HttpAnswer, type HttpFailure, type HttpOutcome } from './http-check.ts';
import type { Diagnosis, Step, StepId, WireLine } from './types.ts';
import { upgrade, type UpgradeOutcome } from './ws-check.ts';

export type Opened = { socket: Socket } | { failed: string; diagnosis: Diagnosis };

export interface Route {
  /** A fresh connection to `url`'s host and port (TLS for https/wss). */
  open(url: URL): Promise<Opened>;
  /** What an exchange that ended without an answer means on this route. */
  failure(kind: HttpFailure, detail: string): Diagnosis;
}

/** Steps in order; with `stopOnFail`, nothing runs after the first failure (its diagnosis stands alone). */
export class StepLog {
  readonly steps: Step[] = [];
  stopped = false;

  constructor(private readonly stopOnFail: boolean) {}

  add(step: Step): Step {
    this.steps.push(step);
    if (step.verdict === 'fail' && this.stopOnFail) this.stopped = true;
    return step;
  }
}

export function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' || url.protocol === 'wss:' ? 443 : 80;
}

/** A direct TCP connection (a deployed proxy): no SOCKS in between. */
export function directOpen(timeoutMs: number, failure: (detail: string) => Diagnosis): Route['open'] {
  return (url) =>
    new Promise((resolve) => {
      const socket = tcpConnect({ host: url.hostname.replace(/^\[|\]$/g, ''), port: portOf(url), noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve({ failed: `tcp ${url.host}: no answer within ${timeoutMs} ms`, diagnosis: failure(`TCP connect to ${url.host} timed out`) });
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve({ socket: secure(socket, url) });
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve({ failed: `tcp ${url.host}: ${error.code ?? error.message}`, diagnosis: failure(`TCP connect to ${url.host} failed: ${error.code ?? error.message}`) });
      });
    });
}

export type GetResult = { outcome: HttpOutcome; wire: WireLine[] } | { failed: string; diagnosis: Diagnosis; ms: number };

export async function getThrough(route: Route, url: URL, timeoutMs: number): Promise<GetResult> {
  const started = performance.now();
  const opened = await route.open(url);
  if ('failed' in opened) return { ...opened, ms: Math.round(performance.now() - started) };
  const outcome = await httpGet(opened.socket, url, timeoutMs);
  const wire: WireLine[] = [{ dir: '>', text: `GET ${url.pathname}${url.search} HTTP/1.1  (Host: ${url.host})` }];
  if (outcome.kind === 'answer') {
    wire.push({ dir: '<', text: `HTTP/1.1 ${outcome.answer.status} ${outcome.answer.statusText}` });
    const location = outcome.answer.headers.location;
    if (location) wire.push({ dir: '<', text: `location: ${location}` });
  } else if (outcome.received.length > 0) {
    wire.push({ dir: '<', hex: [...outcome.received.subarray(0, 32)].map((b) => b.toString(16).padStart(2, '0')).join(' '), text: JSON.stringify(outcome.received.subarray(0, 32).toString('latin1')) });
  }
  return { outcome, wire };
}

/** `302 Found → ./?folder=/home/coder/project`, `200 OK, 1234 bytes`. */
export function answerText(answer: HttpAnswer): string {
  const location = answer.headers.location ? ` → ${answer.headers.location}` : '';
  return `${answer.status} ${answer.statusText}${location}${location ? '' : `, ${answer.body.length} bytes`}`;
}

export function commitOf(answer: HttpAnswer): string | undefined {
  return commitFromWorkbenchPage(answer.body.toString('utf8'));
}

/** A GET as a step: ok when `accept(status)`, else `rejected` says what it means; failures through `route.failure`. */
export async function getStep(
  log: StepLog, route: Route, id: StepId, title: string, url: URL, timeoutMs: number,
  judge: (answer: HttpAnswer) => Pick<Step, 'verdict' | 'detail' | 'diagnosis'>,
): Promise<HttpAnswer | undefined> {
  const started = performance.now();
  const got = await getThrough(route, url, timeoutMs);
  const ms = Math.round((performance.now() - started) * 10) / 10;
  if ('failed' in got) {
    log.add({ id, title, verdict: 'fail', ms, detail: got.failed, diagnosis: got.diagnosis });
    return undefined;
  }
  const { outcome, wire } = got;
  if (outcome.kind !== 'answer') {
    log.add({ id, title, verdict: 'fail', ms, detail: `${outcome.kind}: ${outcome.detail}`, wire, diagnosis: route.failure(outcome.kind, outcome.detail) });
    return undefined;
  }
  log.add({ id, title, ms, wire, ...judge(outcome.answer) });
  return outcome.answer;
}

/** The workbench's WebSocket upgrade over the route, with both heads on the wire. */
export async function upgradeThrough(route: Route, url: URL, origin: string, timeoutMs: number): Promise<{ outcome: UpgradeOutcome; wire: WireLine[] } | { failed: string; diagnosis: Diagnosis }> {
  const opened = await route.open(url);
  if ('failed' in opened) return opened;
  const outcome = await upgrade(opened.socket, url, origin, timeoutMs);
  const wire: WireLine[] = outcome.requestHead.split('\r\n').filter(Boolean).map((text) => ({ dir: '>' as const, text }));
  if (outcome.kind === 'open' || outcome.kind === 'refused') {
    wire.push(...outcome.responseHead.split('\r\n').filter(Boolean).map((text) => ({ dir: '<' as const, text })));
  }
  return { outcome, wire };
}
