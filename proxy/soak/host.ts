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
  const next = async <T extends HostMessage['type']>(type: T): Promise<Extract<HostMessage, { type: T }>> => {
    for (;;) {
      const [message] = (await once(child, 'message')) as [HostMessage];
      if (message.type === type) return message as Extract<HostMessage, { type: T }>;
    }
  };
  const exited = once(child, 'exit');
  const listening = await Promise.race([next('listening'), exited.then(() => Promise.reject(new Error('the proxy host exited before listening')))]);
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
