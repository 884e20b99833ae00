// The harness CLIs' flags: `--name value`, `--name=value`, bare `--name` for switches, positionals kept.
import { splitHostPort, type HostPort } from '../../common/host-port.ts';

export class UsageError extends Error {
  readonly code = 'E_USAGE';
}

/** `--code-server-cmd` / `--code-server-url`, the flags of every subcommand that starts a stack. */
export const codeServerFlags = ['code-server-cmd', 'code-server-url'] as const;

export const codeServerHelp = `  --code-server-cmd CMD  a real code-server instead of mock-code-server: CMD serves on 127.0.0.1:$PORT
                         (harness/examples/real-code-server.ts runs one with no network but loopback)
  --code-server-url URL  a real code-server already running on loopback (HARNESS_CODE_SERVER_CMD /
                         HARNESS_CODE_SERVER_URL say the same); time then runs unscaled`;

export interface ParsedArgs {
  flags: Map<string, string | true>;
  positionals: string[];
}

export function parseArgs(argv: string[], valued: readonly string[], switches: readonly string[]): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [name = '', inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (switches.includes(name)) flags.set(name, true);
    else if (valued.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    } else throw new UsageError(`unknown option --${name} (see --help)`);
  }
  return { flags, positionals };
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

export function parsePort(value: string, flag: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new UsageError(`${flag}: expected a port 0–65535, got ${JSON.stringify(value)}`);
  return port;
}

/** `HOST:PORT` or `[v6]:PORT`, the host named. */
export function parseListen(value: string): HostPort {
  const address = splitHostPort(value);
  if (!address?.host) throw new UsageError(`--listen: expected HOST:PORT, got ${JSON.stringify(value)}`);
  return address;
}
