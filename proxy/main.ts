// The service's command line, as Cloud Run runs it: `listening on HOST:PORT` as the first stdout
// line, JSON logs on stderr, SIGTERM / SIGINT → open WebSockets closed with 1001, then exit 0.
// A usage or configuration error is one line on stderr and exit code 2, never a stack.
import { joinHostPort } from '../common/host-port.ts';
import { ConfigError, helpText, loadConfig, redactUrl, type ProxyConfig } from './config.ts';
import { startProxy, type ProxyHandle } from './server.ts';

/** What an entry point serves: its help, its configuration, how it starts, what its startup line adds. */
export interface ServiceEntry<C extends ProxyConfig> {
  name: string;
  helpText(): string;
  load(env: Record<string, string | undefined>, argv: readonly string[]): C;
  start(config: C): Promise<ProxyHandle>;
  startedFields?(config: C): Record<string, unknown>;
}

const productEntry: ServiceEntry<ProxyConfig> = {
  name: 'proxy',
  helpText: () => helpText(),
  load: loadConfig,
  start: (config) => startProxy(config),
};

export async function main(argv: string[]): Promise<void> {
  await serve(productEntry, argv);
}

export async function serve<C extends ProxyConfig>(entry: ServiceEntry<C>, argv: readonly string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(entry.helpText());
    return;
  }
  let config: C;
  let proxy: ProxyHandle;
  try {
    config = entry.load(process.env, argv);
    proxy = await entry.start(config);
  } catch (error) {
    // A bad setting, or an address that cannot be listened on (in use, not ours): one line, exit 2.
    if (!(error instanceof ConfigError) && !isListenError(error)) throw error;
    console.error(`${entry.name}: ${(error as Error).message}`);
    process.exit(2);
  }
  console.log(`listening on ${joinHostPort(proxy.host, proxy.port)}`);
  console.error(
    JSON.stringify({
      time: new Date().toISOString(),
      event: 'started',
      socks: redactUrl(config.socksUrl),
      upstream: redactUrl(config.upstreamUrl),
      terminal: config.terminalUrl ? redactUrl(config.terminalUrl) : undefined,
      ...entry.startedFields?.(config),
    }),
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(JSON.stringify({ time: new Date().toISOString(), event: 'stopping', signal, sessions: proxy.sessions() }));
    proxy.close().then(
      () => process.exit(0),
      (error: Error) => {
        console.error(`${entry.name}: shutdown failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function isListenError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
}
