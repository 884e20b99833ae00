// mock-socks as a command: `main(argv)` is everything the command does, so `npm run mock-socks`
// (cli.ts) and the package's `tailnet-harness mock-socks` run the same thing. stdout carries the
// 'listening on' lines first; tailscaled's log lines go to stderr.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMockSocks } from './server.ts';
import { startControl, type ControlServer } from './control.ts';
import { joinHostPort } from '../common/host-port.ts';
import { parseCli, usage, type CliConfig } from './cli-args.ts';
import type { MockSocksHandle } from './types.ts';

/** Configuration the server refused (a fault's JSON, a listen address, a peer) is a usage error too. */
const CONFIG_ERRORS = new Set(['ERR_USAGE', 'ERR_FAULT_CONFIG', 'ERR_LISTEN_ADDRESS', 'ERR_PEER_ADDRESS', 'ERR_PEER_CONFIG']);

/** One line on stderr, no stack; exit 2 for the caller's mistakes, 1 for anything else (a port in use). */
function refuse(error: unknown): void {
  const code = (error as { code?: string }).code ?? '';
  const hint = code === 'ERR_USAGE' ? ' (see --help)' : '';
  process.stderr.write(`mock-socks: ${(error as Error).message}${hint}\n`);
  process.exitCode = CONFIG_ERRORS.has(code) ? 2 : 1;
}

function writeTranscripts(handle: MockSocksHandle, dir: string): void {
  handle.on('connection', (record) => {
    if (record.event === 'close' && record.transcript) writeFileSync(join(dir, `conn-${record.id}.hex`), record.transcript.join('\n') + '\n');
  });
}

/** Resolves once the server listens (or the command is over: --help, a refused configuration). */
export async function main(argv: string[]): Promise<void> {
  let config: CliConfig;
  try {
    config = parseCli(argv);
  } catch (error) {
    return refuse(error);
  }
  if (config.help) {
    process.stdout.write(usage() + '\n');
    return;
  }
  let handle: MockSocksHandle;
  let control: ControlServer | undefined;
  try {
    if (config.transcriptDir !== undefined) mkdirSync(config.transcriptDir, { recursive: true });
    handle = await startMockSocks({ ...config.options, logStream: process.stderr });
  } catch (error) {
    return refuse(error);
  }
  try {
    if (config.control !== undefined) control = await startControl(handle, config.control);
  } catch (error) {
    await handle.close();
    return refuse(error);
  }
  for (const address of handle.addresses) process.stdout.write(`listening on ${joinHostPort(address.host, address.port)}\n`);
  if (control) process.stdout.write(`control API on ${control.url}\n`);
  if (config.transcriptDir !== undefined) writeTranscripts(handle, config.transcriptDir);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    Promise.all([handle.close(), control?.close()]).then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
