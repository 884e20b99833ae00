// Runs every benchmark module in this folder in one process, so each table compares a path
// against a baseline measured on the same machine, at the same moment, under the same load.
// A module is `bench/<name>.bench.ts` exporting `run(): Promise<BenchTable[]>`.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, usageErrorLine, usageExitStatus, type ParsedArgs } from '../common/cli-args.ts';
import { formatTable, type BenchTable } from './table.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
let args: ParsedArgs<{ help: 'none' }>;
try {
  args = parseArgs(process.argv.slice(2), { help: 'none' }, { allowPositionals: true });
} catch (error) {
  console.error(usageErrorLine('bench', error));
  process.exit(usageExitStatus);
}
const only = args.positionals;
const modules = readdirSync(here)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => only.length === 0 || only.some((name) => file.startsWith(name)))
  .sort();

if (args.flags.help) {
  console.log('usage: npm run bench [-- NAME …]\n\nbenchmarks:\n' + modules.map((m) => '  ' + m.replace('.bench.ts', '')).join('\n'));
  process.exit(0);
}

for (const file of modules) {
  const mod = (await import(pathToFileURL(here + file).href)) as { run: () => Promise<BenchTable[]> };
  for (const table of await mod.run()) console.log(formatTable(table) + '\n');
}
