// `npm run bench -- [NAME …] [options]`: which benchmarks run and how long each measures. The
// defaults are what the README's tables come from; the options run one part, or a shorter one, while
// a figure is being worked on. Every option is also an environment variable (a flag wins).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, optionTable, readOptions, type OptionSpec } from '../proxy/options.ts';
import { placements, type Placement } from './placement.ts';

export { ConfigError } from '../proxy/options.ts';

/** What proxy-ws can measure; the cost table comes with `rtt` (16-byte round trips) and `throughput` (1 KiB messages). */
export const wsFigures = ['throughput', 'rtt', 'open'] as const;
export type WsFigure = (typeof wsFigures)[number];

export interface BenchOptions {
  /** proxy-ws: turns per figure. */
  blocks: number;
  wsFigures: WsFigure[];
  /** active-load: session counts, and load windows per path at each. */
  sessions: number[];
  windows: number;
  /**
   * The proxies' baseline: the usual Node stack, a second copy of this proxy (an A/A run: what the
   * bench can resolve), or another bundle of this proxy (an A/B run: a change against the build before it).
   */
  baseline: Baseline;
  /** socks-relay: interleaved rounds. */
  rounds: number;
  /** The CPUs of the measured processes: socks-relay's latency rounds, proxy-ws's round trips and opens, active-load (./placement.ts). */
  placement: Placement;
  /** A V8 CPU (or sampling heap) profile of every measured child, per measurement window, into this folder. */
  cpuProf?: string;
  heapProf?: string;
  /** Write the run's tables into bench/README.md (a run of every benchmark with the defaults only). */
  readme: boolean;
}

export type Baseline = 'usual' | 'same' | { bundle: string };

type Key = 'baseline' | 'blocks' | 'figures' | 'sessions' | 'windows' | 'rounds' | 'placement' | 'cpuProf' | 'heapProf' | 'readme';

const specs: OptionSpec<Key>[] = [
  { key: 'baseline', env: 'BENCH_BASELINE', flag: 'baseline', kind: 'string', default: 'usual', doc: 'proxy-ws, active-load: the baseline beside this proxy: usual (http-proxy-3 + socks-proxy-agent), same (a second copy of this proxy: the ratios an A/A run gives), or the path of a bundle of this proxy built at another commit (`npx tsx proxy/deploy/bundle.ts FILE`: an A/B run of a change)' },
  { key: 'blocks', env: 'BENCH_BLOCKS', flag: 'blocks', kind: 'int', default: 20, min: 1, max: 1000, doc: 'proxy-ws: turns of the paths per figure' },
  { key: 'figures', env: 'BENCH_FIGURES', flag: 'figures', kind: 'string', default: wsFigures.join(','), doc: `proxy-ws: which figures (${wsFigures.join(', ')}); the cost table needs rtt and throughput` },
  { key: 'sessions', env: 'BENCH_SESSIONS', flag: 'sessions', kind: 'string', default: '100,1000,5000', doc: 'active-load: session counts' },
  { key: 'windows', env: 'BENCH_WINDOWS', flag: 'windows', kind: 'int', default: 6, min: 1, max: 100, doc: 'active-load: load windows per path and session count' },
  { key: 'rounds', env: 'BENCH_ROUNDS', flag: 'rounds', kind: 'int', default: 5, min: 1, max: 100, doc: 'socks-relay: interleaved rounds' },
  { key: 'placement', env: 'BENCH_PLACEMENT', flag: 'placement', kind: 'string', default: 'same', doc: "where the SOCKS servers (socks-relay's round trips) and the proxies (proxy-ws's round trips, active-load) are pinned: same (the bench's CPU) or apart (another CPU); the table notes say where every process ran" },
  { key: 'readme', env: 'BENCH_README', flag: 'readme', kind: 'bool', default: false, doc: 'write the tables into bench/README.md (only with every benchmark and the defaults)' },
  { key: 'cpuProf', env: 'BENCH_CPU_PROF', flag: 'cpu-prof', kind: 'string', default: undefined, shown: 'none', doc: 'write a .cpuprofile of each measured child per measurement window into this folder' },
  { key: 'heapProf', env: 'BENCH_HEAP_PROF', flag: 'heap-prof', kind: 'string', default: undefined, shown: 'none', doc: 'the same as a sampling .heapprofile of what was allocated' },
];

export function usage(benchmarks: string[]): string {
  return ['usage: npm run bench -- [NAME …] [options]', '', 'NAME: a benchmark (or the start of its name); all when none:', ...benchmarks.map((b) => '  ' + b), '', ...optionTable(specs)].join('\n');
}

/** The names and the options of a command line; throws ConfigError on a bad one. */
export function parseBenchArgs(argv: string[], env: Record<string, string | undefined>): { names: string[]; options: BenchOptions } {
  const takesValue = (arg: string | undefined) => arg?.startsWith('--') && !arg.includes('=') && specs.some((s) => `--${s.flag}` === arg && s.kind !== 'bool');
  const names = argv.filter((arg, i) => !arg.startsWith('--') && !takesValue(argv[i - 1]));
  const flags = argv.filter((arg, i) => arg.startsWith('--') || takesValue(argv[i - 1]));
  const values = readOptions(specs, env, flags);
  if (values.readme === true && (names.length > 0 || specs.some((s) => s.key !== 'readme' && values[s.key] !== s.default))) throw new ConfigError('--readme: only a run of every benchmark with the defaults writes the README');
  const list = (key: Key) => String(values[key]).split(',').filter(Boolean);
  const sessions = list('sessions').map(Number);
  if (sessions.length === 0 || sessions.some((n) => !Number.isSafeInteger(n) || n < 1 || n > 20_000)) throw new ConfigError(`--sessions: expected whole numbers from 1 to 20000, comma-separated, got ${JSON.stringify(values.sessions)}`);
  const figures = list('figures');
  const unknown = figures.filter((f) => !(wsFigures as readonly string[]).includes(f));
  if (figures.length === 0 || unknown.length) throw new ConfigError(`--figures: expected some of ${wsFigures.join(', ')}, got ${JSON.stringify(values.figures)}`);
  const baseline = baselineOf(String(values.baseline));
  if (!(placements as readonly unknown[]).includes(values.placement)) throw new ConfigError(`--placement: expected ${placements.join(' or ')}, got ${JSON.stringify(values.placement)}`);
  const text = (key: Key) => (values[key] === undefined ? undefined : String(values[key]));
  return {
    names,
    options: {
      baseline,
      blocks: Number(values.blocks),
      wsFigures: figures as WsFigure[],
      sessions,
      windows: Number(values.windows),
      rounds: Number(values.rounds),
      placement: values.placement as Placement,
      cpuProf: text('cpuProf'),
      heapProf: text('heapProf'),
      readme: values.readme === true,
    },
  };
}

/** usual, same, or an existing file: a bundle of this proxy (proxy/deploy/bundle.ts) to measure against. */
function baselineOf(value: string): Baseline {
  if (value === 'usual' || value === 'same') return value;
  if (!/\.m?js$/.test(value)) throw new ConfigError(`--baseline: expected usual, same or the path of a proxy bundle (.mjs), got ${JSON.stringify(value)}`);
  if (!existsSync(value)) throw new ConfigError(`--baseline: no bundle at ${value} (build one with: npx tsx proxy/deploy/bundle.ts ${value})`);
  return { bundle: resolve(value) };
}
