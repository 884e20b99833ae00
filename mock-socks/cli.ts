// npm run mock-socks -- --listen HOST:PORT … : the server as a process, for the harness and for
// people. stdout carries only the 'listening on' lines; tailscaled's log lines go to stderr.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMockSocks } from './server.ts';
import { joinHostPort } from './codec.ts';
import { USAGE, parseCli } from './cli-args.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = parseCli(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`mock-socks: ${(error as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (config.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const handle = await startMockSocks({ ...config.options, logStream: process.stderr });
  for (const address of handle.addresses) process.stdout.write(`listening on ${joinHostPort(address.host, address.port)}\n`);
  const dir = config.transcriptDir;
  if (dir !== undefined) {
    mkdirSync(dir, { recursive: true });
    handle.on('connection', (record) => {
      if (record.event === 'close' && record.transcript) writeFileSync(join(dir, `conn-${record.id}.hex`), record.transcript.join('\n') + '\n');
    });
  }
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    handle.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** Configuration the server rejected (a fault's JSON, a listen address, a peer) is a usage error too. */
const CONFIG_ERRORS = new Set(['ERR_FAULT_CONFIG', 'ERR_LISTEN_ADDRESS', 'ERR_PEER_ADDRESS', 'ERR_HOST_PORT']);

main().catch((error: unknown) => {
  process.stderr.write(`mock-socks: ${(error as Error).message}\n`);
  process.exit(CONFIG_ERRORS.has((error as { code?: string }).code ?? '') ? 2 : 1);
});
