// npm run mock-code-server -- --listen HOST:PORT [--commit C] [--password P] [--fault JSON …]
// Everything the command line does; cli.ts only calls main().
import { parseArgs } from 'node:util';
import { joinHostPort } from '../common/host-port.ts';
import { DEFAULT_COMMIT, startServer } from './node/server.ts';
import { FAULT_TYPES, type ServerFaultSpec } from './node/faults.ts';

const USAGE = `usage: npm run mock-code-server -- [options]

A mock code-server 4.x: the workbench HTTP routes, the VS Code remote protocol over WebSocket
(management + extension host, reconnection), and a terminal WebSocket at /terminal.

  --listen HOST:PORT         address to listen on (default 127.0.0.1:0 = a free port)
  --commit C                 server commit (default ${DEFAULT_COMMIT})
  --password P               require password login (code-server-session cookie)
  --trusted-origins A,B      origins (host:port) accepted besides the request's host; '*' = any
  --folder PATH              folder the root page redirects to (default /home/coder/project)
  --time-scale F             multiply every protocol timer (default 1)
  --permessage-deflate       accept WebSocket compression when the client offers it (default off)
  --fault JSON               a server fault, repeatable, e.g. '{"type":"end-after-ms","attributes":{"ms":5000}}'
                             types: ${FAULT_TYPES.join(', ')}
  --help                     this text

Prints "listening on HOST:PORT" first; logs on stderr; exits 0 on SIGTERM/SIGINT.`;

/** A bad command line: one stderr line, exit 2. */
class UsageError extends Error {}

function parseCli(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        listen: { type: 'string' },
        commit: { type: 'string' },
        password: { type: 'string' },
        'trusted-origins': { type: 'string', multiple: true },
        folder: { type: 'string' },
        'time-scale': { type: 'string' },
        'permessage-deflate': { type: 'boolean' },
        fault: { type: 'string', multiple: true },
        help: { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function parseFault(text: string): ServerFaultSpec {
  try {
    const value = JSON.parse(text) as ServerFaultSpec;
    if (typeof value !== 'object' || value === null || typeof value.type !== 'string') throw new Error('needs a "type"');
    return value;
  } catch (error) {
    throw new UsageError(`bad --fault ${text}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function run(argv: string[]): Promise<void> {
  const values = parseCli(argv);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const timeScale = values['time-scale'] === undefined ? undefined : Number(values['time-scale']);
  if (timeScale !== undefined && !(timeScale > 0)) throw new UsageError('--time-scale wants a positive number');
  const faults = (values.fault ?? []).map(parseFault);
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      listen: values.listen,
      commit: values.commit,
      password: values.password,
      trustedOrigins: values['trusted-origins']?.flatMap((item) => item.split(',')).map((item) => item.trim()).filter(Boolean),
      folder: values.folder,
      timeScale,
      faults,
      perMessageDeflate: values['permessage-deflate'] ?? false,
      log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
    });
  } catch (error) {
    // A bad --listen or --fault, or an address in use: the command line asked for it.
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  process.stdout.write(`listening on ${joinHostPort(server.host, server.port)}\n`);
  process.stderr.write(`mock-code-server: commit ${server.commit}, open ${server.url}/\n`);
  const stop = (signal: string): void => {
    process.stderr.write(`mock-code-server: ${signal}, closing\n`);
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

export async function main(argv: string[]): Promise<void> {
  try {
    await run(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`mock-code-server: ${error.message} (--help lists the options)\n`);
    process.exit(2);
  }
}
