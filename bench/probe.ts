// What a process under measurement spends, measured from inside it: CPU time (every thread: JS,
// GC helpers, libuv), JS heap allocated, GCs, RSS and how busy its event loop was. Node 20 has no
// counter of bytes allocated, so allocation is reconstructed from the collector's own records:
// the growth of the heap in use plus what every GC in between freed.
//
// Preloaded into a child (`node --import probe.mjs app.mjs`, with an IPC channel), it answers
// 'start' and 'stop' messages, so the product runs unchanged and nothing of the bench is in it.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { GCProfiler, getHeapStatistics } from 'node:v8';

export interface CostSample {
  /** Wall time between start and stop, µs. */
  wallUs: number;
  /** CPU time (user + system, all threads) between start and stop, µs. */
  cpuUs: number;
  /** JS heap allocated between start and stop, bytes. */
  allocatedBytes: number;
  gcs: number;
  /** RSS at stop, bytes. */
  rssBytes: number;
  /** Share of the wall time the event loop was running callbacks rather than waiting for I/O (0–1). */
  loopUtilization: number;
  /** 99th percentile of the event loop's delay (how late a timer ran), µs. */
  loopDelayP99Us: number;
}

export type ProbeRequest = 'start' | 'stop';

/** One measurement window at a time. */
export class CostMeter {
  private profiler: GCProfiler | undefined;
  private cpu = process.cpuUsage();
  private used = 0;
  private wall = 0;
  private loop = performance.eventLoopUtilization();
  private readonly delay = monitorEventLoopDelay({ resolution: 10 });

  start(): void {
    this.profiler?.stop();
    this.profiler = new GCProfiler();
    this.profiler.start();
    this.delay.reset();
    this.delay.enable();
    this.used = getHeapStatistics().used_heap_size;
    this.loop = performance.eventLoopUtilization();
    this.wall = performance.now();
    this.cpu = process.cpuUsage();
  }

  stop(): CostSample {
    const cpu = process.cpuUsage(this.cpu);
    const wallUs = (performance.now() - this.wall) * 1000;
    const loop = performance.eventLoopUtilization(this.loop);
    const used = getHeapStatistics().used_heap_size;
    const gcs = this.profiler?.stop()?.statistics ?? [];
    this.profiler = undefined;
    this.delay.disable();
    const freed = gcs.reduce((sum, gc) => sum + gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize, 0);
    return {
      wallUs,
      cpuUs: cpu.user + cpu.system,
      allocatedBytes: used - this.used + freed,
      gcs: gcs.length,
      rssBytes: process.memoryUsage.rss(),
      loopUtilization: loop.utilization,
      loopDelayP99Us: this.delay.percentile(99) / 1000,
    };
  }
}

/** Answers the bench's 'start' / 'stop' over the IPC channel, without keeping the process alive for it. */
export function answerProbes(): void {
  const meter = new CostMeter();
  process.on('message', (request: ProbeRequest) => {
    if (request === 'start') meter.start();
    else if (request === 'stop') process.send?.(meter.stop());
  });
  process.channel?.unref();
}

if (process.env.BENCH_PROBE === 'ipc') answerProbes();
