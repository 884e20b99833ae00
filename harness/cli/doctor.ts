// tailnet-harness doctor --socks URL --upstream URL [--terminal URL] [--proxy URL] [--json]:
// a real deployment diagnosed hop by hop, with the bytes, in one command.
import { UsageError, parseArgs, usageErrorLine, usageExitStatus } from '../../common/cli-args.ts';
import { renderDoctorText, runDoctor, type DoctorOptions } from '../doctor/index.ts';

const help = `usage: tailnet-harness doctor --socks URL --upstream URL [--terminal URL] [--json]
       tailnet-harness doctor --proxy URL [--code-prefix PATH] [--terminal-path PATH] [--json]

Walks every hop of the path and prints one line per step with its verdict, its time and, where it
helps, the bytes (hex and decoded); after a step that fails, a diagnosis naming the catalog
scenario, what the browser shows and the fix. Run it beside tailscaled (--socks, --upstream) to
check the SOCKS server and the tailnet peer, or anywhere (--proxy) to check a deployed proxy; both
at once are allowed.

  --socks URL          socks5h://[user:pass@]HOST:PORT (names resolved by tailscaled) or socks5://
                       (resolved here); every address of HOST is tried, localhost as 127.0.0.1 and ::1
  --upstream URL       code-server on the tailnet, e.g. http://100.84.184.84:8888 or a MagicDNS name
  --terminal URL       the terminal's WebSocket on the tailnet, e.g. ws://100.84.184.84:7681/ws
  --proxy URL          a deployed proxy: /healthz, /readyz, code-server under --code-prefix, a WebSocket
  --code-prefix PATH   where the proxy serves code-server (default /dev/code/)
  --terminal-path PATH the proxy's terminal WebSocket, checked when given (e.g. /dev/ws/terminal)
  --time-scale F       multiplies every deadline (default 1: greeting 2 s, CONNECT reply 8 s, HTTP 10 s)
  --json               the report as one JSON object
  --help               this text

Exit status: 0 every hop works (warnings allowed), 1 a hop fails, 2 usage error.`;

function optionsFrom(argv: string[]): { options: DoctorOptions; json: boolean } | undefined {
  const spec = { socks: 'value', upstream: 'value', terminal: 'value', proxy: 'value', 'code-prefix': 'value', 'terminal-path': 'value', 'time-scale': 'value', json: 'none', help: 'none' } as const;
  const { flags } = parseArgs(argv, spec);
  if (flags.help) return undefined;
  const scale = flags['time-scale'];
  if (scale !== undefined && !(Number(scale) > 0)) throw new UsageError(`--time-scale: expected a number above 0, got ${JSON.stringify(scale)}`);
  const options: DoctorOptions = {
    socks: flags.socks,
    upstream: flags.upstream,
    terminal: flags.terminal,
    proxy: flags.proxy,
    codePrefix: flags['code-prefix'],
    terminalPath: flags['terminal-path'],
    ...(scale !== undefined ? { timeScale: Number(scale) } : {}),
  };
  return { options, json: flags.json };
}

export async function main(argv: string[]): Promise<void> {
  try {
    const parsed = optionsFrom(argv);
    if (!parsed) return void console.log(help);
    const report = await runDoctor(parsed.options);
    console.log(parsed.json ? JSON.stringify(report, null, 2) : renderDoctorText(report));
    process.exitCode = report.exitCode;
  } catch (error) {
    console.error(usageErrorLine('doctor', error));
    process.exitCode = usageExitStatus;
  }
}
