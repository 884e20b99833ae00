// The command line of every CLI in this repository, read one way: `--name value`, `--name=value`,
// a bare `--name` for a switch, `-h` for `--help`, `--` before arguments that start with a dash.
// Not node:util's parseArgs: the proxy's booleans take an optional value (`--access-log false`,
// as its environment variables do), which parseArgs on Node 20 cannot express.

/** A command line the program cannot act on: shown as one line on stderr, exit status 2, no stack. */
export class UsageError extends Error {
  readonly code = 'cli.usage';
}

/** The exit status of a usage error, in every CLI. */
export const usageExitStatus = 2;

/**
 * What a flag takes: `value` one (the last given wins), `values` one per use, `none` nothing (a
 * switch), `optional` a value when one follows that is not itself a flag, else `'true'`.
 */
export type FlagKind = 'value' | 'values' | 'none' | 'optional';

export type FlagSpec = Readonly<Record<string, FlagKind>>;

type FlagValue<K extends FlagKind> = K extends 'values' ? string[] : K extends 'none' ? boolean : string | undefined;

export type Flags<S extends FlagSpec> = { -readonly [N in keyof S]: FlagValue<S[N]> };

export interface ParsedArgs<S extends FlagSpec> {
  flags: Flags<S>;
  positionals: string[];
}

/** Reads argv against `spec`; positionals are refused unless `allowPositionals`. */
export function parseArgs<const S extends FlagSpec>(argv: readonly string[], spec: S, { allowPositionals = false } = {}): ParsedArgs<S> {
  const flags = initialFlags(spec);
  const positionals: string[] = [];
  const positional = (arg: string): void => {
    if (!allowPositionals) throw new UsageError(`unexpected argument ${JSON.stringify(arg)} (see --help)`);
    positionals.push(arg);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      argv.slice(i + 1).forEach(positional);
      break;
    }
    if (arg === '-h' && Object.hasOwn(spec, 'help')) {
      flags.help = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional(arg);
      continue;
    }
    const [name = '', inline] = arg.replace(/^--?/, '').split(/=(.*)/s, 2) as [string, string | undefined];
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (kind === undefined || !arg.startsWith('--')) throw new UsageError(`unknown option ${arg.startsWith('--') ? `--${name}` : arg} (see --help)`);
    if (kind === 'none') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    const next = argv[i + 1];
    let value = inline;
    if (value === undefined && kind === 'optional') value = next === undefined || next.startsWith('--') ? 'true' : argv[++i];
    if (value === undefined) value = argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (kind === 'values') (flags[name] as string[]).push(value);
    else flags[name] = value;
  }
  return { flags: flags as Flags<S>, positionals };
}

function initialFlags(spec: FlagSpec): Record<string, string | string[] | boolean | undefined> {
  return Object.fromEntries(Object.entries(spec).map(([name, kind]) => [name, kind === 'values' ? [] : kind === 'none' ? false : undefined]));
}

/** A flag's whole number (decimal digits only, at least `min`); undefined when the flag was not given. */
export function wholeNumberFlag(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name}: expected a whole number from ${min}, got ${JSON.stringify(value)}`);
  return n;
}

/** The one stderr line a CLI answers a usage error with (then exit status 2); anything else is rethrown. */
export function usageErrorLine(command: string, error: unknown): string {
  if (!(error instanceof UsageError)) throw error;
  return `${command}: ${error.message}`;
}
