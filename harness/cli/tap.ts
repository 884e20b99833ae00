// tailnet-harness tap --listen HOST:PORT --socks HOST:PORT [--json]: a recording SOCKS5 relay.
// Point the application at the tap; each conversation is printed when it ends.
import { renderTranscript, transcriptJson } from '../tap/render.ts';
import { startTap } from '../tap/tap.ts';
import type { Transcript } from '../tap/conversation.ts';
import { UsageError, parseArgs, parseListen, stringFlag } from './args.ts';
import { joinHostPort } from '../../common/host-port.ts';

const help = `usage: tailnet-harness tap --listen HOST:PORT --socks HOST:PORT [--json] [--max-recorded-bytes N]

A recording SOCKS5 relay to put between an application and tailscaled: point the application at
--listen, and the tap forwards every byte to --socks unchanged (FIN as FIN, RST as RST). When a
conversation ends it prints the handshake in hex with its meaning, the relay's byte counts, who
closed first and how, and flags what tailscaled would log (port probes, SOCKS4/HTTP bytes, clients
that give up mid-handshake) and replies that arrive in pieces.

  --listen HOST:PORT        where the application connects (port 0: a free port); default 127.0.0.1:0
  --socks HOST:PORT         the SOCKS server (localhost: 127.0.0.1 then ::1); default localhost:1055
  --json                    one JSON object per conversation (JSON lines) instead of text
  --max-recorded-bytes N    bytes kept per side per conversation, the rest counted (default 65536)
  --help                    this text

The first line is "listening on HOST:PORT"; SIGINT/SIGTERM stop it (exit 0); usage errors exit 2.`;

function hostPort(value: string, flag: string): { host: string; port: number } {
  try {
    return parseListen(value);
  } catch {
    throw new UsageError(`--${flag}: expected HOST:PORT, got ${JSON.stringify(value)}`);
  }
}

function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--${flag}: expected a positive integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

export async function main(argv: string[]): Promise<void> {
  let options;
  let json: boolean;
  try {
    const args = parseArgs(argv, ['listen', 'socks', 'max-recorded-bytes'], ['json', 'help']);
    if (args.flags.has('help')) return void console.log(help);
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[0])} (see --help)`);
    json = args.flags.has('json');
    options = {
      listen: hostPort(stringFlag(args, 'listen') ?? '127.0.0.1:0', 'listen'),
      socks: hostPort(stringFlag(args, 'socks') ?? 'localhost:1055', 'socks'),
      maxRecordedBytes: positiveInteger(stringFlag(args, 'max-recorded-bytes'), 'max-recorded-bytes'),
    };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`tap: ${error.message}`);
    process.exitCode = 2;
    return;
  }
  const tap = await startTap(options);
  const print = (t: Transcript) => console.log(json ? JSON.stringify(transcriptJson(t)) : `${renderTranscript(t)}\n`);
  tap.on('conversation', print);
  console.log(`listening on ${joinHostPort(tap.host, tap.port)}`);
  console.error(`tap: relaying to ${options.socks.host}:${options.socks.port}`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await tap.close();
}
