// The proxy under measurement, alone in its own process (started with --expose-gc by ./host.ts),
// so its heap and file descriptors are its own and nothing else's. It is the product, started
// in-process; the measurement lives here, not in the product.
import { readdirSync, readFileSync } from 'node:fs';
import { startProxy, type StartProxyOptions } from '../server.ts';

export interface HostMeasure {
  /** V8 heap in use after full collections, bytes. */
  heapAfterGc: number;
  rss: number;
  /** The highest RSS so far (VmHWM), bytes. */
  rssPeak: number;
  /** Open file descriptors of this process. */
  fds: number;
  sessions: number;
  /** Access records written so far (one per request or session that ended). */
  records: number;
}

export type HostRequest = { type: 'measure' } | { type: 'close' };
export type HostMessage = { type: 'listening'; port: number } | { type: 'measure'; measure: HostMeasure } | { type: 'closed' };

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc || !process.send) throw new Error('run through proxy/soak/host.ts (needs --expose-gc and an IPC channel)');
const collect = gc;
const send = (message: HostMessage) => process.send?.(message);

const options = JSON.parse(process.argv[2] ?? '{}') as StartProxyOptions;
let records = 0;
const proxy = await startProxy({ ...options, log: () => records++ });

async function measure(): Promise<HostMeasure> {
  // Several passes with turns of the event loop between them: finalizers and weak callbacks run between collections.
  for (let i = 0; i < 4; i++) {
    collect();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const peakKiB = Number(/VmHWM:\s*(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
  return { heapAfterGc: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss, rssPeak: peakKiB * 1024, fds: readdirSync('/proc/self/fd').length, sessions: proxy.sessions(), records };
}

process.on('message', (request: HostRequest) => {
  if (request.type === 'measure') void measure().then((m) => send({ type: 'measure', measure: m }));
  else void proxy.close().then(() => {
    send({ type: 'closed' });
    process.disconnect();
  });
});
send({ type: 'listening', port: proxy.port });
