// npm start: the whole mock tailnet and the harness page, until SIGINT/SIGTERM.
import { buildPage } from '../page-build.ts';
import { profiles, scenarioById } from '../scenarios/index.ts';
import type { Profile } from '../scenarios/index.ts';
import { startStack } from '../stack.ts';
import { UsageError, parseArgs, parseListen, stringFlag } from './args.ts';

const help = `usage: npm start -- [--listen HOST:PORT] [--scenario ID] [--profile fixed|legacy] [--proxy-cmd CMD]

Starts mock-code-server (code-server + terminal) as the tailnet peer devbox (100.84.184.84),
mock-socks as tailscaled's SOCKS5 server, the proxy, and the harness page; prints the URL to open.

  --listen HOST:PORT   where the page, its control API and the proxy's routes are served
                       (default 127.0.0.1:0, an ephemeral port)
  --scenario ID        apply a scenario at start (npm run repro -- --list shows them)
  --profile P          fixed (default) or legacy
  --proxy-cmd CMD      run CMD as the proxy instead of ours; it gets PORT, SOCKS5_PROXY,
                       UPSTREAM_URL and TERMINAL_URL, and must serve /dev/code/ and /dev/ws/terminal
  --help               this text

The first stdout line is "listening on HOST:PORT"; logs go to stderr.`;

async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv, ['listen', 'scenario', 'profile', 'proxy-cmd'], ['help']);
  if (args.flags.has('help')) return void console.log(help);
  const listen = parseListen(stringFlag(args, 'listen') ?? '127.0.0.1:0');
  const profile = (stringFlag(args, 'profile') ?? 'fixed') as Profile;
  if (!profiles.includes(profile)) throw new UsageError('--profile must be fixed or legacy');
  const scenario = stringFlag(args, 'scenario');
  if (scenario) scenarioById(scenario);
  await buildPage();
  const stack = await startStack({ ...listen, scenario, profile, proxyCommand: stringFlag(args, 'proxy-cmd') });
  const url = new URL(stack.url);
  console.log(`listening on ${url.host}`);
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
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
