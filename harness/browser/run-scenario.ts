// One scenario, one variant, one browser page: set the stack up, let the page probe the path,
// and judge what it saw against the catalog. Shared by `npm run repro` and the e2e specs.
import type { Page } from 'playwright-core';
import type { ProbeRequest, ProbeResult, Settle } from '../page/src/probe-types.ts';
import { judge } from '../scenarios/judge.ts';
import type { Verdict } from '../scenarios/judge.ts';
import { realTime, timing } from '../scenarios/index.ts';
import type { Outcome, Variant, Scenario } from '../scenarios/index.ts';
import type { Observations, Stack } from '../stack.ts';
import type { LogLine } from '../stack-info.ts';
import type { SocketRecord } from './recorder.ts';

export interface ScenarioRun {
  scenario: Scenario;
  variant: Variant;
  request: ProbeRequest;
  result: ProbeResult;
  /** The sockets the page opened during this run, as the init-script recorder saw them. */
  sockets: SocketRecord[];
  logs: LogLine[];
  /** What mock-socks and the front door saw during the run. */
  observations: Observations;
  verdict: Verdict;
  startedAt: number;
}

function settleFor(outcome: Outcome): Settle {
  if (outcome.workbench === 'recovers') return 'recovered';
  if (outcome.workbench === 'connects') return 'connected';
  if (outcome.workbenchSaw) return 'saw';
  if (outcome.closeCodes) return 'first-close';
  return 'connected';
}

/** What a run may change of its row: the outage's length (the peer's return at another phase of the client's attempts). */
export interface RunOverrides {
  outageForMs?: number;
}

/** `realServer`: a real code-server, in real time (its probes wait real seconds). */
export function probeRequestFor(scenario: Scenario, variant: Variant, overrides: RunOverrides = {}, realServer = false): ProbeRequest {
  const outcome = scenario.expect[variant];
  const outage = scenario.outage && { ...scenario.outage, forMs: overrides.outageForMs ?? scenario.outage.forMs };
  const settleMs = realServer ? realTime.probeDeadlineMs : timing.probeDeadlineMs;
  return {
    probe: scenario.probe,
    until: settleFor(outcome),
    saw: outcome.workbenchSaw,
    alsoClose: outcome.workbenchSaw !== undefined && outcome.closeCodes !== undefined,
    quietMs: scenario.quietMs,
    throttleWindowMs: scenario.throttleWindowMs,
    // 64 MiB through three hops and back takes real time; an outage lasts what it lasts; everything else is ms-scaled.
    deadlineMs: (scenario.probe === 'large-messages' ? settleMs * 15 : settleMs) + (scenario.quietMs ?? 0) + (outage?.forMs ?? 0),
    outage,
    health: variant === 'legacy' && scenario.legacyHealthIsPortProbe ? 'port-probe' : 'readyz',
    // From the ~1 MiB of the recorded extension host's first message up to 64 MiB.
    echoBytes: scenario.probe === 'large-messages' ? [1024 * 1024, 8 * 1024 * 1024, 64 * 1024 * 1024] : undefined,
  };
}

/** Loads the page and waits for its control calls to be answered. */
export async function openHarnessPage(page: Page, stack: Stack): Promise<void> {
  await page.goto(stack.url);
  await page.evaluate(() => window.harnessPage?.ready);
}

export async function runScenario(
  stack: Stack,
  page: Page,
  scenario: Scenario,
  variant: Variant,
  readSockets: () => Promise<SocketRecord[]>,
  overrides: RunOverrides = {},
): Promise<ScenarioRun> {
  // Leave the previous page first: its sockets must not live through the proxy's restart.
  await page.goto('about:blank');
  await stack.applyScenario(scenario.id, variant);
  await openHarnessPage(page, stack);
  const startedAt = Date.now();
  const request = probeRequestFor(scenario, variant, overrides, stack.info().codeServer.kind === 'real');
  const result = await page.evaluate((req) => {
    const api = window.harnessPage;
    if (!api) throw new Error('the harness page did not load');
    return api.run(req);
  }, request);
  const sockets = (await readSockets()).filter((s) => s.createdAt >= startedAt);
  const logs = stack.logs();
  const observations = stack.observations();
  const verdict = judge(scenario.expect[variant], {
    sockets,
    socksLog: logs.filter((l) => l.source === 'socks').map((l) => l.line),
    upgradeAnswers: logs.filter((l) => l.source === 'front').map((l) => l.line),
    workbench: result.workbench,
    readiness: result.readiness,
    vsda: result.vsda,
    terminal: result.terminal,
    causes: logs.filter((l) => l.source === 'cause').map((l) => l.line),
    events: result.workbench?.events,
    afterQuiet: result.workbench?.afterQuiet,
  });
  return { scenario, variant, request, result, sockets, logs, observations, verdict, startedAt };
}

/** The failed checks (and the client's last events), one per line, for an assertion message. */
export function failedChecks(run: ScenarioRun): string {
  return run.verdict.checks
    .filter((c) => !c.ok)
    .map((c) => `${c.what}: saw ${c.saw}`)
    .concat(run.result.workbench?.events.slice(-12) ?? [], run.result.error ? [`probe error: ${run.result.error}`] : [])
    .join('\n');
}
