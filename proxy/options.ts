// An option table, Cloud Run style: every setting is an environment variable and a flag of the
// same meaning (a flag wins), with its default, its unit and its bounds written once, in the row
// that also renders --help. The product's table is ./config.ts; an entry point that adds options
// (the harness's legacy entry) parses its own rows with the same code.
import { UsageError, parseArgs } from '../common/cli-args.ts';

export type OptionKind = 'string' | 'ms' | 'int' | 'bool';
export type OptionValue = string | number | boolean;

export interface OptionSpec<K extends string = string> {
  key: K;
  env: string;
  flag: string;
  kind: OptionKind;
  /** The value when neither the variable nor the flag is set (undefined: another row decides, shown says which). */
  default: OptionValue | undefined;
  /** How --help and the README show the default, when not the value itself (`0.0.0.0:$PORT`). */
  shown?: string;
  /** Numbers: the smallest and largest value accepted (a deadline has no "0 = none"). */
  min?: number;
  max?: number;
  doc: string;
}

export class ConfigError extends Error {
  readonly code = 'config.invalid';
}

/** The longest delay a Node timer takes (2^31 − 1 ms); a larger one fires after 1 ms. */
export const maxTimerMs = 2 ** 31 - 1;

export function shownDefault(spec: OptionSpec): string {
  return spec.shown ?? String(spec.default);
}

function parseValue(spec: OptionSpec, raw: string): OptionValue {
  if (spec.kind === 'string') return raw;
  if (spec.kind === 'bool') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw new ConfigError(`--${spec.flag} / ${spec.env}: expected true or false, got ${JSON.stringify(raw)}`);
  }
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  const min = spec.min ?? 0;
  const max = spec.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`--${spec.flag} / ${spec.env}: expected a whole number from ${min} to ${max}${spec.kind === 'ms' ? ' (ms)' : ''}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Each row's flag as given, read by the command line reader every CLI here shares (a boolean's value is optional). */
function parseArgv(specs: readonly OptionSpec[], argv: readonly string[]): Map<OptionSpec, string> {
  let flags: Record<string, string | string[] | boolean | undefined>;
  try {
    flags = parseArgs(argv, Object.fromEntries(specs.map((spec) => [spec.flag, spec.kind === 'bool' ? 'optional' : 'value'] as const))).flags;
  } catch (error) {
    // loadConfig's callers (and the package's users) catch one error class for a setting it cannot use.
    if (error instanceof UsageError) throw new ConfigError(error.message);
    throw error;
  }
  const found = new Map<OptionSpec, string>();
  for (const spec of specs) {
    const value = flags[spec.flag];
    if (typeof value === 'string') found.set(spec, value);
  }
  return found;
}

/** Each row's value: the flag, else the variable, else the default. */
export function readOptions<K extends string>(specs: readonly OptionSpec<K>[], env: Record<string, string | undefined>, argv: readonly string[]): Record<K, OptionValue | undefined> {
  const flags = parseArgv(specs, argv);
  const values = {} as Record<K, OptionValue | undefined>;
  for (const spec of specs) {
    const raw = flags.get(spec) ?? env[spec.env];
    values[spec.key] = raw === undefined || raw === '' ? spec.default : parseValue(spec, raw);
  }
  return values;
}

/** The defaults of a table, as one record. */
export function defaultsOf<K extends string>(specs: readonly OptionSpec<K>[]): Record<K, OptionValue | undefined> {
  return Object.fromEntries(specs.map((spec) => [spec.key, spec.default])) as Record<K, OptionValue | undefined>;
}

/** The rows of --help: flag, variable, default, meaning (with the bounds of a number). */
export function optionTable(specs: readonly OptionSpec[]): string[] {
  const rows = specs.map((s) => [`--${s.flag}${s.kind === 'bool' ? '' : ' V'}`, s.env, shownDefault(s), s.doc + boundsNote(s)]);
  const widths = [0, 1, 2].map((i) => Math.max(4, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i] ?? 0) : cell)).join('  ');
  return [line(['flag', 'env', 'default', 'meaning']), ...rows.map(line)];
}

function boundsNote(spec: OptionSpec): string {
  if (spec.min === undefined && spec.max === undefined) return '';
  return ` [${spec.min ?? 0}–${spec.max ?? '…'}]`;
}
