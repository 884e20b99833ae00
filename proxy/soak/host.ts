// Starts ./proxy-host.ts in a child process and asks it for measurements.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { StartProxyOptions } from '../server.ts';
import type { HostMeasure, HostMessage } from './proxy-host.ts';

export interface ProxyHost {
  port: number;
  pid: number | undefined;
  measure(): Promise<HostMeasure>;
  close(): Promise<void>;
}

const entry = fileURLToPath(new URL('./proxy-host.ts', import.meta.url));

export async function startProxyHost(options: Omit<StartProxyOptions, 'log' | 'beforeDial'>): Promise<ProxyHost> {
  const child = fork(entry, [JSON.stringify(options)], { execArgv: ['--expose-gc', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = once(child, 'exit');
  const died = exited.then(([code, signal]) => Promise.reject(new Error(`the proxy process exited (${String(code ?? signal)})`)));
  died.catch(() => {});
  /** The next message of `type`; rejects if the proxy process dies first (a crash is a failure, not a hang). */
  const next = async <T extends HostMessage['type']>(type: T): Promise<Extract<HostMessage, { type: T }>> => {
    for (;;) {
      const [message] = (await Promise.race([once(child, 'message'), died])) as [HostMessage];
      if (message.type === type) return message as Extract<HostMessage, { type: T }>;
    }
  };
  const listening = await next('listening');
  return {
    port: listening.port,
    pid: child.pid,
    measure: async () => {
      child.send({ type: 'measure' });
      return (await next('measure')).measure;
    },
    close: async () => {
      if (child.exitCode !== null) return;
      child.send({ type: 'close' });
      await exited;
    },
  };
}
