// What a process under measurement spends, measured from inside it: CPU time (every thread: JS,
// GC helpers, libuv), JS heap allocated, GCs, RSS and how busy its event loop was. Node 20 has no
// counter of bytes allocated, so allocation is read off the young generation, where V8 allocates
// (almost) every object: its growth, plus what each GC in between emptied out of it (freed or
// promoted). Old-space garbage collected in the window is not counted again.
//
// Preloaded into a child (`node --import probe.mjs app.mjs`, with an IPC channel), it answers
// 'start' and 'stop' messages, so the product runs unchanged and nothing of the bench is in it.
// With BENCH_CPU_PROF=DIR (or BENCH_HEAP_PROF=DIR), each window is also a V8 CPU profile (or a
// sampling heap profile of what was allocated) written to DIR — open it in Chrome DevTools — to
// see where a figure's time (or allocation) went.
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { basename, join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { GCProfiler, getHeapSpaceStatistics } from 'node:v8';

export interface CostSample {
  /** Wall time between start and stop, µs. */
  wallUs: number;
  /** CPU time (user + system, all threads) between start and stop, µs. */
  cpuUs: number;
  /** JS heap allocated between start and stop, bytes. */
  allocatedBytes: number;
  gcs: number;
  /** Time spent in GC pauses, and the longest one, µs. */
  gcUs: number;
  gcMaxUs: number;
  /** RSS at stop, bytes. */
  rssBytes: number;
  /** Share of the wall time the event loop was running callbacks rather than waiting for I/O (0–1). */
  loopUtilization: number;
  /** 99th percentile of the event loop's delay (how late a timer ran), µs. */
  loopDelayP99Us: number;
  /**
   * Share of the wall time the main thread was runnable but waiting for a CPU (Linux's
   * schedstat run delay): a process that looks idle on a loaded machine may be queued, not waiting for I/O.
   */
  runQueueShare: number;
}

/** The main thread's time waiting on a run queue so far, ns (0 where /proc has no schedstat). */
function runDelayNs(): number {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'latin1').split(' ')[1] ?? 0);
  } catch {
    return 0;
  }
}

export type ProbeRequest = 'start' | 'stop';

/** Bytes in use in the young generation (new space and its large-object space). */
function youngUsed(spaces: readonly { space_name?: string; spaceName?: string; space_used_size?: number; spaceUsedSize?: number }[]): number {
  let used = 0;
  for (const space of spaces) {
    const name = space.space_name ?? space.spaceName;
    if (name === 'new_space' || name === 'new_large_object_space') used += space.space_used_size ?? space.spaceUsedSize ?? 0;
  }
  return used;
}

/** One measurement window at a time. */
export class CostMeter {
  private profiler: GCProfiler | undefined;
  private cpu = process.cpuUsage();
  private used = 0;
  private wall = 0;
  private runDelay = 0;
  private loop = performance.eventLoopUtilization();
  private readonly delay = monitorEventLoopDelay({ resolution: 10 });

  start(): void {
    this.profiler?.stop();
    this.profiler = new GCProfiler();
    this.profiler.start();
    this.delay.reset();
    this.delay.enable();
    this.used = youngUsed(getHeapSpaceStatistics());
    this.loop = performance.eventLoopUtilization();
    this.wall = performance.now();
    this.runDelay = runDelayNs();
    this.cpu = process.cpuUsage();
  }

  stop(): CostSample {
    const cpu = process.cpuUsage(this.cpu);
    const wallUs = (performance.now() - this.wall) * 1000;
    const runDelay = runDelayNs() - this.runDelay;
    const loop = performance.eventLoopUtilization(this.loop);
    const used = youngUsed(getHeapSpaceStatistics());
    const gcs = this.profiler?.stop()?.statistics ?? [];
    this.profiler = undefined;
    this.delay.disable();
    const freed = gcs.reduce((sum, gc) => sum + youngUsed(gc.beforeGC.heapSpaceStatistics) - youngUsed(gc.afterGC.heapSpaceStatistics), 0);
    return {
      wallUs,
      cpuUs: cpu.user + cpu.system,
      allocatedBytes: used - this.used + freed,
      gcs: gcs.length,
      gcUs: gcs.reduce((sum, gc) => sum + gc.cost, 0),
      gcMaxUs: gcs.reduce((max, gc) => Math.max(max, gc.cost), 0),
      rssBytes: process.memoryUsage.rss(),
      loopUtilization: loop.utilization,
      loopDelayP99Us: this.delay.percentile(99) / 1000,
      runQueueShare: runDelay / 1000 / wallUs,
    };
  }
}

/** Answers the bench's 'start' / 'stop' over the IPC channel, without keeping the process alive for it. */
export function answerProbes(): void {
  const meter = new CostMeter();
  const profiler = process.env.BENCH_CPU_PROF ? windowProfiler('cpu', process.env.BENCH_CPU_PROF) : process.env.BENCH_HEAP_PROF ? windowProfiler('heap', process.env.BENCH_HEAP_PROF) : undefined;
  process.on('message', (request: ProbeRequest) => {
    if (request === 'start') {
      profiler?.start();
      meter.start();
    } else if (request === 'stop') {
      const sample = meter.stop();
      profiler?.stop();
      process.send?.(sample);
    }
  });
  process.channel?.unref();
}

/** One of V8's sampling profilers over each measurement window: DIR/<script>-<pid>-<n>.cpuprofile (.heapprofile). */
function windowProfiler(kind: 'cpu' | 'heap', dir: string): { start(): void; stop(): void } {
  const session = new Session();
  session.connect();
  let windows = 0;
  const name = basename(process.argv[1] ?? 'node').replace(/\.m?[jt]s$/, '');
  const save = (profile: object) => writeFileSync(join(dir, `${name}-${process.pid}-${++windows}.${kind}profile`), JSON.stringify(profile));
  if (kind === 'cpu') {
    session.post('Profiler.enable');
    return {
      start: () => session.post('Profiler.start'),
      stop: () => session.post('Profiler.stop', (error, result) => error || save(result.profile)),
    };
  }
  return {
    // Every 256 bytes on average, objects collected since included: what was allocated, not what survived.
    start: () => session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }),
    stop: () => session.post('HeapProfiler.stopSampling', (error, result) => error || save(result.profile)),
  };
}

if (process.env.BENCH_PROBE === 'ipc') answerProbes();
