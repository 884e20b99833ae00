// `npm run proxy -- --listen HOST:PORT --socks URL --upstream URL [--terminal URL] …`
// First stdout line: `listening on HOST:PORT`. Logs (JSON lines) on stderr. SIGTERM / SIGINT:
// open WebSockets get 1001, then the process exits 0 (Cloud Run sends SIGTERM before stopping).
import { ConfigError, helpText, loadConfig, redactUrl } from './config.ts';
import { startProxy } from './server.ts';

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(helpText());
  process.exit(0);
}

let config;
try {
  config = loadConfig(process.env, argv);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`proxy: ${error.message}`);
  process.exit(2);
}

const proxy = await startProxy(config);
const shown = proxy.host.includes(':') ? `[${proxy.host}]` : proxy.host;
console.log(`listening on ${shown}:${proxy.port}`);
console.error(
  JSON.stringify({
    time: new Date().toISOString(),
    event: 'started',
    socks: redactUrl(config.socksUrl),
    upstream: redactUrl(config.upstreamUrl),
    terminal: config.terminalUrl ? redactUrl(config.terminalUrl) : undefined,
    profile: config.profile,
    legacy: Object.entries(config.legacy).filter(([, on]) => on).map(([knob]) => knob),
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
      console.error(`proxy: shutdown failed: ${error.message}`);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
