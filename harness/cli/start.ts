// tailnet-harness start: the whole mock tailnet and the harness page, until SIGINT/SIGTERM.
import { buildPage } from '../page-build.ts';
import { variants, scenarioById } from '../scenarios/index.ts';
import type { Variant } from '../scenarios/index.ts';
import { startStack } from '../stack.ts';
import { codeServerSource } from '../real-code-server.ts';
import { UsageError, parseArgs } from '../../common/cli-args.ts';
import { codeServerFlags, codeServerHelp, parseListen, parsePort } from './args.ts';
import { runCommand } from './exit.ts';

const help = `usage: tailnet-harness start [--port N | --listen HOST:PORT] [--scenario ID] [--profile fixed|legacy] [--proxy-cmd CMD]
                             [--code-server-cmd CMD | --code-server-url URL]

Starts mock-code-server (code-server + terminal) as the tailnet peer devbox (100.84.184.84),
mock-socks as tailscaled's SOCKS5 server, the proxy, and the harness page; prints the URL to open.

  --port N             serve the page on 127.0.0.1:N, so its URL stays the same between starts
                       (default: a free port, a new one each time)
  --listen HOST:PORT   the same, on another address
  --scenario ID        apply a catalog row at start (tailnet-harness repro --list shows them)
  --profile P          fixed (default) or legacy: our proxy with the row's own legacy knobs on
  --proxy-cmd CMD      run CMD as the proxy instead of ours (the proxy contract: PORT,
                       SOCKS5_PROXY, UPSTREAM_URL, TERMINAL_URL; /dev/code/ and /dev/ws/terminal)
${codeServerHelp}
  --help               this text

The first stdout line is "listening on HOST:PORT"; logs go to stderr. The control API is under
/__harness/ on the same address.`;

function listenFrom(port: string | undefined, listen: string | undefined): { host: string; port: number } {
  if (port !== undefined && listen !== undefined) throw new UsageError('--port and --listen both say where to listen: give one');
  if (port !== undefined) return { host: '127.0.0.1', port: parsePort(port, '--port') };
  return parseListen(listen ?? '127.0.0.1:0');
}

export function main(argv: string[]): Promise<void> {
  return runCommand('start', async () => {
    const { flags } = parseArgs(argv, { listen: 'value', port: 'value', scenario: 'value', profile: 'value', 'proxy-cmd': 'value', ...codeServerFlags, help: 'none' });
    if (flags.help) return void console.log(help), 0;
    const listen = listenFrom(flags.port, flags.listen);
    const variant = (flags.profile ?? 'fixed') as Variant;
    if (!variants.includes(variant)) throw new UsageError('--profile must be fixed or legacy');
    const scenario = flags.scenario;
    if (scenario) scenarioById(scenario);
    await buildPage();
    const codeServer = codeServerSource({ command: flags['code-server-cmd'], url: flags['code-server-url'] });
    const stack = await startStack({ ...listen, scenario, variant, proxyCommand: flags['proxy-cmd'], codeServer });
    console.log(`listening on ${new URL(stack.url).host}`);
    const info = stack.info();
    console.error(`harness: open ${stack.url}/`);
    console.error(`harness: proxy ${info.proxy.url} (${info.proxy.kind}), SOCKS5_PROXY=${info.proxy.socksUrl}, peer ${info.peer.address} = ${info.peer.names.join(', ')}`);
    stack.onLog((line) => console.error(`${line.source}: ${line.line}`));
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      stack.close().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(`harness: ${String(error)}`);
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    return undefined;
  });
}
