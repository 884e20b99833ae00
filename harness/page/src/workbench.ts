import type { ProbeRequest, WorkbenchReport } from './probe-types.ts';

export interface WorkbenchProbeOptions {
  commit: string;
  timeScale: number;
  WebSocket: typeof WebSocket;
  deadlineMs: number;
}

export function workbenchProbe(_request: ProbeRequest, _options: WorkbenchProbeOptions): Promise<{ report: WorkbenchReport; settled: boolean }> {
  return Promise.reject(new Error('the workbench client (mock-code-server/common) is not wired yet'));
}
