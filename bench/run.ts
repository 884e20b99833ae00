// Runs every benchmark module in this folder in one process, so each table compares a path
// against a baseline measured on the same machine, at the same moment, under the same load.
// A module is `bench/<name>.bench.ts` exporting `run(options): Promise<BenchTable[]>`; the tables
// are printed as markdown, the README's tables as they are.
import { mkdirSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError, parseBenchArgs, usage, type BenchOptions } from './options.ts';
import { formatTable, type BenchTable } from './table.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const benchmarks = readdirSync(here)
  .filter((file) => file.endsWith('.bench.ts'))
  .map((file) => file.replace('.bench.ts', ''))
  .sort();
const argv = process.argv.slice(2);

if (argv.includes('--help')) {
  console.log(usage(benchmarks));
  process.exit(0);
}

let names: string[];
let options: BenchOptions;
try {
  ({ names, options } = parseBenchArgs(argv, process.env));
  const unknown = names.filter((name) => !benchmarks.some((b) => b.startsWith(name)));
  if (unknown.length) throw new ConfigError(`no benchmark named ${unknown.join(', ')} (see --help)`);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`bench: ${error.message}`);
  process.exit(2);
}

// The probe in each measured child reads these (./probe.ts).
for (const [dir, variable] of [[options.cpuProf, 'BENCH_CPU_PROF'], [options.heapProf, 'BENCH_HEAP_PROF']] as const) {
  if (dir === undefined) continue;
  mkdirSync(dir, { recursive: true });
  process.env[variable] = resolve(dir);
}

const started = performance.now();
for (const name of benchmarks.filter((b) => names.length === 0 || names.some((n) => b.startsWith(n)))) {
  const mod = (await import(pathToFileURL(`${here}${name}.bench.ts`).href)) as { run: (options: BenchOptions) => Promise<BenchTable[]> };
  const benchStarted = performance.now();
  for (const table of await mod.run(options)) console.log(formatTable(table) + '\n');
  console.error(`${name}: ${((performance.now() - benchStarted) / 1000).toFixed(0)} s`);
}
console.error(`bench: ${((performance.now() - started) / 1000).toFixed(0)} s in all`);
