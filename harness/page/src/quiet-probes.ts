// Probes of sessions that go quiet: what an idle timer in front of the proxy does to them, and what
// keeps them alive. The workbench's own KeepAlive (5 s, both ways) keeps it busy; a terminal nobody
// types in is silent; a workbench in a background tab has its timers — KeepAlive, acks — throttled
// while the server's messages still arrive.
import type { ProbeRequest, ProbeResult } from './probe-types.ts';
import { terminalProbe } from './probes-http.ts';
import { ThrottledClock } from './throttled-clock.ts';
import { workbenchProbe } from './workbench.ts';
import type { WorkbenchProbeOptions } from './workbench.ts';

type Report = Pick<ProbeResult, 'workbench' | 'terminal'> & { settled: boolean };

/** A workbench left to its keepalives, and a terminal left alone for `quietMs`, then typed into. */
export async function quietProbe(request: ProbeRequest, options: WorkbenchProbeOptions, Terminal: typeof WebSocket): Promise<Report> {
  const started = Date.now();
  const { report, settled } = await workbenchProbe({ ...request, until: 'connected' }, options);
  const terminal = await terminalProbe(Terminal, Math.max(0, options.deadlineMs - (Date.now() - started)), request.quietMs);
  return { workbench: report, terminal, settled: settled && terminal.echoed };
}

/** A workbench whose timers are throttled for `quietMs` (its tab in the background), then asked for one call. */
export async function backgroundProbe(request: ProbeRequest, options: WorkbenchProbeOptions): Promise<Report> {
  const started = Date.now();
  const clock = new ThrottledClock(request.throttleWindowMs ?? 1000);
  const { report, settled, workbench } = await workbenchProbe({ ...request, until: 'connected' }, { ...options, clock });
  if (!workbench || !report.connected) return { workbench: report, settled };
  clock.hide();
  await new Promise((resolve) => setTimeout(resolve, request.quietMs ?? 0));
  clock.show();
  const left = Math.max(0, options.deadlineMs - (Date.now() - started));
  report.afterQuiet = await Promise.race([
    workbench.management.call('mock-echo', 'echo', 'back from the background').then(() => true, () => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), left)),
  ]);
  return { workbench: report, settled: report.afterQuiet };
}
