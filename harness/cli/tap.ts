// tailnet-harness tap --listen HOST:PORT --socks HOST:PORT [--json]: a recording SOCKS5 relay.
// Point the application at the tap; each conversation is printed when it ends.
import { renderTranscript, transcriptJson } from '../tap/render.ts';
import { startTap } from '../tap/tap.ts';
import type { Transcript } from '../tap/conversation.ts';
import { UsageError, parseArgs, usageErrorLine, usageExitStatus, wholeNumberFlag } from '../../common/cli-args.ts';
import { parseListen } from './args.ts';
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

export async function main(argv: string[]): Promise<void> {
  let options;
  let json: boolean;
  try {
    const { flags } = parseArgs(argv, { listen: 'value', socks: 'value', 'max-recorded-bytes': 'value', json: 'none', help: 'none' });
    if (flags.help) return void console.log(help);
    json = flags.json;
    options = {
      listen: hostPort(flags.listen ?? '127.0.0.1:0', 'listen'),
      socks: hostPort(flags.socks ?? 'localhost:1055', 'socks'),
      maxRecordedBytes: wholeNumberFlag('max-recorded-bytes', flags['max-recorded-bytes'], 1),
    };
  } catch (error) {
    console.error(usageErrorLine('tap', error));
    process.exitCode = usageExitStatus;
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
