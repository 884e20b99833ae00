// Child processes of the benches: each path's server in its own process with the probe preloaded,
// so what it spends is measured inside it and nowhere else.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import type { CostSample } from './probe.ts';

export interface BenchChild {
  pid: number;
  /** The child's first stdout line (its address). */
  firstLine: string;
  /** Opens a measurement window in the child. */
  start(): void;
  /** Closes it: what the child spent since start(). */
  stop(): Promise<CostSample>;
  close(): Promise<void>;
}

export async function startChild(probe: string, script: string, args: string[]): Promise<BenchChild> {
  const child = spawn(process.execPath, ['--import', pathToFileURL(probe).href, script, ...args], {
    env: { ...process.env, BENCH_PROBE: 'ipc' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const firstLine = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${stderr}`)));
    if (child.stdout) createInterface({ input: child.stdout }).once('line', resolve);
  });
  child.removeAllListeners('exit');
  return {
    pid: child.pid ?? 0,
    firstLine,
    start: () => child.send('start'),
    stop: () => new Promise((resolve) => {
      child.once('message', (sample) => resolve(sample as CostSample));
      child.send('stop');
    }),
    close: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

/** The port of a child's `listening on HOST:PORT` line. */
export function listeningPort(child: BenchChild): number {
  return Number(/:(\d+)$/.exec(child.firstLine)?.[1]);
}
