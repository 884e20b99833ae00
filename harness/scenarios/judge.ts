// Whether what the browser saw matches a catalog outcome. Pure: repro prints the checks, the e2e
// specs assert them, and the unit tests feed it observations by hand.
import type { SocketRecord } from '../browser/recorder.ts';
import type { Outcome } from './types.ts';

/** A socket as the in-page recorder saw it: the fields a catalog outcome is judged on. */
export type ObservedSocket = Pick<SocketRecord, 'url' | 'createdAt' | 'openedAt' | 'closedAt' | 'code' | 'reason' | 'abortedByPage'>;

export interface Observation {
  sockets: ObservedSocket[];
  socksLog: string[];
  /** Status lines the proxy answered upgrades with, in order (the front door's log). */
  upgradeAnswers?: string[];
  workbench?: { connected: boolean; reconnects: number; lost: number; echoedBytes?: number };
  readiness?: { ready: boolean; body: string };
  vsda?: { url: string; status: number }[];
  terminal?: { echoed: boolean; resized: boolean };
  /** Causes the hop in front named while the run lasted (the front door's 'cause' lines). */
  causes?: string[];
  /** The workbench client's timeline, as text, and whether a call after the quiet period was answered. */
  events?: string[];
  afterQuiet?: boolean;
}

export interface Check {
  what: string;
  ok: boolean;
  saw: string;
}

export interface Verdict {
  ok: boolean;
  checks: Check[];
}

export function firstClose(sockets: readonly ObservedSocket[]): ObservedSocket | undefined {
  return sockets.filter((s) => s.closedAt !== undefined).sort((a, b) => (a.closedAt ?? 0) - (b.closedAt ?? 0))[0];
}

/**
 * How long a socket lived before its close, from the proxy's 101 when it answered one (the
 * proxy's deadlines start there; the browser → proxy hops before it are not the proxy's time),
 * else from the socket's creation.
 */
export function closeDelay(s: ObservedSocket): number | undefined {
  return s.closedAt === undefined ? undefined : s.closedAt - (s.openedAt ?? s.createdAt);
}

const describeClose = (s: ObservedSocket | undefined): string =>
  s ? `${s.code} "${s.reason ?? ''}" after ${closeDelay(s)} ms${s.openedAt ? ' (from the 101)' : ''}` : 'no socket closed';

export function judge(outcome: Outcome, seen: Observation): Verdict {
  const checks: Check[] = [];
  const check = (what: string, ok: boolean, saw: string): void => void checks.push({ what, ok, saw });
  const first = firstClose(seen.sockets);
  const wb = seen.workbench;
  const wbSaw = wb ? `connected=${wb.connected} reconnects=${wb.reconnects} lost=${wb.lost}` : 'no workbench report';

  if (!(outcome.closeCodes ?? []).includes(1006)) {
    const abnormal = seen.sockets.filter((s) => s.code === 1006 && !s.abortedByPage);
    check('no socket closed with 1006', abnormal.length === 0, abnormal.length ? `${abnormal.length} × 1006` : 'none');
  }
  if (outcome.workbench === 'connects') check('workbench connects', wb?.connected === true, wbSaw);
  if (outcome.workbench === 'closes') check('a socket closes', first !== undefined, describeClose(first));
  if (outcome.workbench === 'recovers') {
    check('the workbench reconnects after a close', first !== undefined && (wb?.reconnects ?? 0) > 0 && wb?.connected === true, wbSaw);
    check('no message lost', wb?.lost === 0, wbSaw);
  }
  if (outcome.closeCodes) check(`first close code in [${outcome.closeCodes.join(', ')}]`, first?.code !== undefined && outcome.closeCodes.includes(first.code), describeClose(first));
  if (outcome.reason !== undefined) check(`close reason matches /${outcome.reason}/i`, new RegExp(outcome.reason, 'i').test(first?.reason ?? ''), describeClose(first));
  // The proxy's clock starts between the socket's creation and its 101: "not before" is measured
  // from the creation (never too short), "within" from the 101 (never too long).
  const closeMs = first ? closeDelay(first) : undefined;
  const lived = first?.closedAt !== undefined ? first.closedAt - first.createdAt : undefined;
  if (outcome.closeWithinMs !== undefined) check(`first close within ${outcome.closeWithinMs} ms`, closeMs !== undefined && closeMs <= outcome.closeWithinMs, describeClose(first));
  if (outcome.closeAfterMs !== undefined) check(`first close not before ${outcome.closeAfterMs} ms`, lived !== undefined && lived >= outcome.closeAfterMs, `${describeClose(first)}; ${lived} ms after its creation`);
  if (outcome.upgradeStatus !== undefined) {
    const first = seen.upgradeAnswers?.[0] ?? 'no upgrade seen';
    check(`the proxy answered the upgrade with ${outcome.upgradeStatus}`, first.includes(` ${outcome.upgradeStatus} `) || first.endsWith(` ${outcome.upgradeStatus}`), first);
  }
  if (outcome.readiness) {
    const r = seen.readiness;
    check(`readiness ${outcome.readiness.ready ? 'ready' : 'not ready'}`, r?.ready === outcome.readiness.ready, r ? `ready=${r.ready}` : 'not checked');
    if (outcome.readiness.says !== undefined) check(`readiness report matches /${outcome.readiness.says}/i`, new RegExp(outcome.readiness.says, 'i').test(r?.body ?? ''), (r?.body ?? '').slice(0, 160));
  }
  if (outcome.vsdaStatus !== undefined) {
    const statuses = (seen.vsda ?? []).map((v) => v.status);
    check(`vsda requests answer ${outcome.vsdaStatus}`, statuses.length > 0 && statuses.every((s) => s === outcome.vsdaStatus), statuses.join(', ') || 'not fetched');
  }
  if (outcome.socksLog === 'quiet') check('no SOCKS log line', seen.socksLog.length === 0, seen.socksLog.slice(0, 3).join(' | ') || 'none');
  else if (outcome.socksLog !== undefined) {
    const pattern = new RegExp(outcome.socksLog);
    check(`a SOCKS log line matches /${outcome.socksLog}/`, seen.socksLog.some((l) => pattern.test(l)), seen.socksLog.slice(0, 3).join(' | ') || 'none');
  }
  if (outcome.namesCause !== undefined) {
    const named = seen.causes ?? [];
    check(`the cause is named: /${outcome.namesCause}/i`, named.some((c) => new RegExp(outcome.namesCause ?? '', 'i').test(c)), named[0]?.slice(0, 160) ?? 'no cause named');
  }
  if (outcome.workbenchSaw !== undefined) {
    const events = seen.events ?? [];
    const pattern = new RegExp(outcome.workbenchSaw, 'i');
    check(`the workbench saw /${outcome.workbenchSaw}/i`, events.some((e) => pattern.test(e)), events.filter((e) => / (error|close) /.test(e)).slice(-2).join(' | ') || 'no error or close');
  }
  if (outcome.survives !== undefined) {
    const watched = outcome.survives === 'all' ? seen.sockets : seen.sockets.filter((s) => s.url.includes('/dev/code/'));
    // The page's own closes (1000, or 1005 with no code) are the probe finishing, not the path failing.
    const closed = watched.filter((s) => s.closedAt !== undefined && s.code !== 1000 && s.code !== 1005);
    check(`no ${outcome.survives === 'all' ? '' : 'workbench '}socket closed`, closed.length === 0, closed.length ? closed.map((s) => `${s.code} ${new URL(s.url).pathname.slice(0, 24)}`).join(', ') : `${watched.length} open`);
  }
  if (outcome.firstCloseUrl !== undefined) check(`first close is /${outcome.firstCloseUrl}/`, new RegExp(outcome.firstCloseUrl).test(first?.url ?? ''), first ? new URL(first.url).pathname : 'no socket closed');
  if (outcome.closesAtOnce !== undefined) {
    const together = first?.closedAt === undefined ? 0 : seen.sockets.filter((s) => s.closedAt !== undefined && Math.abs(s.closedAt - (first.closedAt ?? 0)) <= 100).length;
    check(`${outcome.closesAtOnce} sockets closed at once`, together >= outcome.closesAtOnce, `${together} within 100 ms of the first`);
  }
  if (outcome.answersAfterQuiet) check('a call after the quiet period is answered', seen.afterQuiet === true, String(seen.afterQuiet ?? 'not tried'));
  if (outcome.echoesBytes !== undefined) check(`extension host echoes ${outcome.echoesBytes} bytes intact`, (wb?.echoedBytes ?? 0) >= outcome.echoesBytes, `${wb?.echoedBytes ?? 0} bytes`);
  if (outcome.terminalEchoes) {
    const t = seen.terminal;
    check('terminal echoes typed input and resizes', t?.echoed === true && t.resized, t ? `echoed=${t.echoed} resized=${t.resized}` : 'no terminal');
  }
  return { ok: checks.every((c) => c.ok), checks };
}
