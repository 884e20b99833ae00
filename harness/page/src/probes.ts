// Runs one probe of the path from the page and reports what it saw.
import type { StackInfo } from '../../stack-info.ts';
import type { ControlClient } from './control.ts';
import type { ProbeRequest, ProbeResult } from './probe-types.ts';
import { readinessProbe, terminalProbe, vsdaProbe } from './probes-http.ts';
import { backgroundProbe, quietProbe } from './quiet-probes.ts';
import type { SocketTimeline } from './timeline.ts';
import { workbenchProbe } from './workbench.ts';

export interface ProbeContext {
  control: ControlClient;
  timeline: SocketTimeline;
  info: () => StackInfo | undefined;
}

export async function runProbe(request: ProbeRequest, context: ProbeContext): Promise<ProbeResult> {
  const started = Date.now();
  const result: ProbeResult = { probe: request.probe, settledBy: 'outcome', elapsedMs: 0, sockets: [] };
  const commit = context.info()?.codeServer.commit ?? '';
  const left = () => Math.max(0, request.deadlineMs - (Date.now() - started));
  try {
    if (request.probe === 'readiness') result.readiness = await readinessProbe(context.control, request.health ?? 'readyz');
    if (request.probe === 'vsda') result.vsda = await vsdaProbe(commit);
    const workbenchOptions = {
      commit,
      timeScale: context.info()?.codeServer.timeScale ?? 1,
      WebSocket: context.timeline.constructorFor('workbench'),
      deadlineMs: left(),
    };
    if (request.probe === 'terminal') {
      result.terminal = await terminalProbe(context.timeline.constructorFor('terminal'), left());
      if (!result.terminal.echoed || !result.terminal.resized) result.settledBy = 'deadline';
    } else if (request.probe === 'quiet' || request.probe === 'background') {
      const quiet = request.probe === 'quiet' ? await quietProbe(request, workbenchOptions, context.timeline.constructorFor('terminal')) : await backgroundProbe(request, workbenchOptions);
      Object.assign(result, { workbench: quiet.workbench, terminal: quiet.terminal });
      if (!quiet.settled) result.settledBy = 'deadline';
    } else {
      if (request.quietMs) await new Promise((resolve) => setTimeout(resolve, request.quietMs));
      const { report, settled } = await workbenchProbe(request, {
        ...workbenchOptions,
        // 64 MiB each way can hold a socket silent for longer than the scaled 20 s dead-socket
        // rule (2 s): the large-messages probe runs the client on VS Code's own timers.
        timeScale: request.probe === 'large-messages' ? 1 : workbenchOptions.timeScale,
      });
      result.workbench = report;
      if (!settled) result.settledBy = 'deadline';
    }
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  }
  result.elapsedMs = Date.now() - started;
  result.sockets = [...context.timeline.all()];
  return result;
}
