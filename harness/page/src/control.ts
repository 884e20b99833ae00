// The page's side of the control API (/__harness/ on its own origin).
import type { Scenario, Variant } from '../../scenarios/types.ts';
import type { FaultChange, LogLine, StackInfo } from '../../stack-info.ts';

export class ControlCallError extends Error {
  constructor(readonly code: string, message: string, readonly status: number) {
    super(message);
  }
}

export interface PortProbeResult {
  ready: boolean;
  probes: { address: string; open: boolean }[];
}

/** What POST /__harness/doctor answers: the doctor's exit status (0 every hop passes, 1 one fails) and its text report. */
export interface DoctorRun {
  exitCode: 0 | 1;
  text: string;
}

export class ControlClient {
  constructor(private readonly base = '') {}

  info(): Promise<StackInfo> {
    return this.call('GET', 'info');
  }

  scenarios(): Promise<Scenario[]> {
    return this.call('GET', 'scenarios');
  }

  logs(): Promise<LogLine[]> {
    return this.call('GET', 'logs');
  }

  applyScenario(scenario: string | null, variant: Variant): Promise<StackInfo> {
    return this.call('POST', 'apply', { scenario, profile: variant });
  }

  setFaults(change: FaultChange): Promise<StackInfo> {
    return this.call('POST', 'faults', change);
  }

  portProbe(): Promise<PortProbeResult> {
    return this.call('POST', 'port-probe', {});
  }

  /** `tailnet-harness doctor` run by the harness against the mock tailnet's current state. */
  doctor(): Promise<DoctorRun> {
    return this.call('POST', 'doctor', {});
  }

  /** Log lines and stack changes as they happen; returns a function that stops listening. */
  subscribe(on: { log?: (line: LogLine) => void; info?: (info: StackInfo) => void }): () => void {
    const source = new EventSource(`${this.base}/__harness/events`);
    source.addEventListener('log', (event) => on.log?.(JSON.parse((event as MessageEvent<string>).data) as LogLine));
    source.addEventListener('info', (event) => on.info?.(JSON.parse((event as MessageEvent<string>).data) as StackInfo));
    return () => source.close();
  }

  private async call<T>(method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.base}/__harness/${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const payload = (await response.json()) as unknown;
    if (!response.ok) {
      const { code = 'control.failed', error = response.statusText } = payload as { code?: string; error?: string };
      throw new ControlCallError(code, error, response.status);
    }
    return payload as T;
  }
}
