// The doctor's options for the mock tailnet as it is now: the SOCKS URL the proxy is configured
// with (the scenario's, e.g. a legacy literal 127.0.0.1), the peer devbox, the proxy itself — with
// the harness's scaled deadlines, so a run against the mock never waits real seconds.
import { timing } from '../scenarios/index.ts';
import type { StackInfo } from '../stack-info.ts';
import type { DoctorOptions } from './types.ts';

export function doctorOptionsForStack(info: StackInfo): DoctorOptions {
  return {
    ...(info.proxy.socksUrl ? { socks: info.proxy.socksUrl, upstream: info.proxy.upstreamUrl, terminal: info.proxy.terminalUrl } : {}),
    ...(info.proxy.url ? { proxy: info.proxy.url, terminalPath: '/dev/ws/terminal' } : {}),
    deadlines: {
      tcpMs: timing.socksConnectMs,
      greetingMs: timing.socksGreetingMs,
      connectReplyMs: timing.socksConnectReplyMs,
      // Above every proxy deadline, so through --proxy the proxy's own answer (a close frame, a 502) comes first.
      httpMs: timing.openTimeoutMs,
      dialBudgetMs: timing.socksDialMs,
    },
  };
}
