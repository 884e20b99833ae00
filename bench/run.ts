// Runs every benchmark module in this folder in one process, so each table compares a path
// against a baseline measured on the same machine, at the same moment, under the same load.
// A module is `bench/<name>.bench.ts` exporting `run(options): Promise<BenchTable[]>`; the tables
// are printed as markdown, the README's tables as they are.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError, parseBenchArgs, usage, type BenchOptions } from './options.ts';
import { formatTable, goalsTable, type BenchGoal, type BenchResult } from './table.ts';

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

const output: string[] = [];
const print = (text: string) => {
  console.log(text);
  output.push(text);
};
const started = performance.now();
const goals: BenchGoal[] = [];
const durations: string[] = [];
for (const name of benchmarks.filter((b) => names.length === 0 || names.some((n) => b.startsWith(n)))) {
  const mod = (await import(pathToFileURL(`${here}${name}.bench.ts`).href)) as { run: (options: BenchOptions) => Promise<BenchResult> };
  const benchStarted = performance.now();
  const result = await mod.run(options);
  for (const table of result.tables) print(formatTable(table) + '\n');
  goals.push(...result.goals);
  durations.push(`${name} ${seconds(benchStarted)} s`);
}
print(formatTable(goalsTable(goals, [`Ratio: ours ÷ the baseline's figure in the same run (turn by turn where the benchmark takes turns). ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${seconds(started)} s in all (${durations.join(', ')}).`])));
if (options.readme) writeReadme(output.join('\n'));

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(0);
}

/** The run's tables in place of the previous run's, between the README's two markers. */
function writeReadme(tables: string): void {
  const file = `${here}README.md`;
  const [start, end] = ['<!-- npm run bench -- --readme: from here -->', '<!-- to here -->'];
  const text = readFileSync(file, 'utf8');
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file}: the markers ${start} and ${end} are missing`);
  writeFileSync(file, `${text.slice(0, from + start.length)}\n\n${tables.replace(/^###/gm, '####')}\n\n${text.slice(to)}`);
}
