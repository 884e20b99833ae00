// npm run fuzz [-- --count N --seed S --workers W --concurrency C --no-faults]: the bounded fuzz
// run, sharded over child processes (each with its own servers); exits non-zero on a crash, an
// unhandled rejection, a stuck conversation, a leak or a non-loopback dial.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs, usageErrorLine, usageExitStatus, wholeNumberFlag } from '../../common/cli-args.ts';
import type { FuzzOptions, FuzzReport } from './fuzzer.ts';

function options(argv: string[]) {
  const { flags } = parseArgs(argv, { count: 'value', seed: 'value', workers: 'value', concurrency: 'value', 'no-faults': 'none', help: 'none' });
  return {
    help: flags.help,
    count: wholeNumberFlag('count', flags.count, 1) ?? 100_000,
    seed: wholeNumberFlag('seed', flags.seed, 0) ?? 1,
    workers: wholeNumberFlag('workers', flags.workers, 1) ?? 2,
    concurrency: wholeNumberFlag('concurrency', flags.concurrency, 1) ?? 64,
    withFaults: !flags['no-faults'],
  };
}

let values: ReturnType<typeof options>;
try {
  values = options(process.argv.slice(2));
} catch (error) {
  console.error(usageErrorLine('fuzz', error));
  process.exit(usageExitStatus);
}
if (values.help) {
  console.log('usage: npm run fuzz -- [--count 100000] [--seed 1] [--workers 2] [--concurrency 64] [--no-faults]');
  process.exit(0);
}

const { count, workers } = values;
const started = performance.now();
const reports = await Promise.all(Array.from({ length: workers }, (_, i) => new Promise<FuzzReport>((resolve, reject) => {
  const shard: FuzzOptions = {
    count: Math.floor(count / workers) + (i < count % workers ? 1 : 0),
    seed: values.seed * 1000 + i,
    concurrency: values.concurrency,
    withFaults: values.withFaults,
  };
  const worker = fork(fileURLToPath(new URL('./worker.ts', import.meta.url)), [], { execArgv: ['--import', import.meta.resolve('tsx')] });
  worker.once('message', (report) => resolve(report as FuzzReport));
  worker.once('error', reject);
  worker.once('exit', (code) => code !== 0 && reject(new Error(`fuzz worker ${i} exited ${code}`)));
  worker.send(shard);
})));
const wallMs = performance.now() - started;

const total = {
  conversations: reports.reduce((n, r) => n + r.conversations, 0),
  wallMs: Math.round(wallMs),
  perSecond: Math.round(count / (wallMs / 1000)),
  workers,
  cpuMs: Math.round(reports.reduce((n, r) => n + r.cpuMs, 0)),
  udpDatagramsRelayed: reports.reduce((n, r) => n + r.udpDatagramsRelayed, 0),
  nonLoopbackDials: reports.flatMap((r) => r.nonLoopbackDials),
  unhandled: reports.flatMap((r) => r.unhandled),
  stuck: reports.reduce((n, r) => n + r.stuck, 0),
  serverConnectionsAfter: reports.reduce((n, r) => n + r.serverConnectionsAfter, 0),
  socketHandles: reports.map((r) => `${r.handlesBefore} before, ${r.handlesAfter} after`),
};
console.log(JSON.stringify(total, null, 2));
const ok = total.unhandled.length === 0 && total.nonLoopbackDials.length === 0 && total.stuck === 0
  && total.serverConnectionsAfter === 0 && reports.every((r) => r.handlesAfter <= r.handlesBefore);
process.exit(ok ? 0 : 1);
