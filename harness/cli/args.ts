// What several harness subcommands share on their command lines.
import { UsageError } from '../../common/cli-args.ts';
import { splitHostPort, type HostPort } from '../../common/host-port.ts';

/** `--code-server-cmd` / `--code-server-url`, the flags of every subcommand that starts a stack. */
export const codeServerFlags = { 'code-server-cmd': 'value', 'code-server-url': 'value' } as const;

export const codeServerHelp = `  --code-server-cmd CMD  a real code-server instead of mock-code-server: CMD serves on 127.0.0.1:$PORT
                         (harness/examples/real-code-server.ts runs one with no network but loopback)
  --code-server-url URL  a real code-server already running on loopback (HARNESS_CODE_SERVER_CMD /
                         HARNESS_CODE_SERVER_URL say the same); time then runs unscaled`;

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
