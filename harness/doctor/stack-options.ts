// The doctor's options for the mock tailnet as it is now: its SOCKS server, the peer devbox, the
// proxy — with the harness's scaled deadlines, so a run against the mock never waits real seconds.
import { timing } from '../scenarios/index.ts';
import type { StackInfo } from '../stack-info.ts';
import type { DoctorOptions } from './types.ts';

export function doctorOptionsForStack(info: StackInfo): DoctorOptions {
  const port = info.socks.addresses[0]?.port;
  return {
    // Every address of localhost, as a client should: the bind mode of the current scenario shows.
    ...(port ? { socks: `socks5h://localhost:${port}`, upstream: info.proxy.upstreamUrl, terminal: info.proxy.terminalUrl } : {}),
    ...(info.proxy.url ? { proxy: info.proxy.url, terminalPath: '/dev/ws/terminal' } : {}),
    deadlines: {
      tcpMs: timing.socksConnectMs,
      greetingMs: timing.socksGreetingMs,
      connectReplyMs: timing.socksConnectReplyMs,
      httpMs: timing.openTimeoutMs,
      dialBudgetMs: timing.socksDialMs,
    },
  };
}
