// A second, independent proxy for the bring-your-own-proxy path: the "usual Node stack" of the
// seed notes (http-proxy-3 + socks-proxy-agent) in a few lines, configured the Cloud Run way.
// It has none of our proxy's close-code policy: a failure it meets reaches the browser as 1006.
import { createServer } from 'node:http';
import { createProxyServer } from 'http-proxy-3';
import { SocksProxyAgent } from 'socks-proxy-agent';

const env = process.env;
const agent = new SocksProxyAgent(env.SOCKS5_PROXY ?? 'socks5h://localhost:1055');
const upstream = env.UPSTREAM_URL ?? 'http://100.84.184.84:8888';
const terminal = (env.TERMINAL_URL ?? '').replace(/^ws/, 'http');
const proxy = createProxyServer({ agent, changeOrigin: false, ws: true });
proxy.on('error', (err, _req, res) => {
  console.error(`byo-proxy: ${err.message}`);
  if (res && 'destroy' in res) res.destroy();
});

// /dev/code/x → upstream/x; /dev/ws/terminal → the terminal URL as is.
function route(url = '/'): { target: string; path: string } {
  if (url.startsWith('/dev/ws/terminal')) return { target: terminal, path: '' };
  return { target: upstream, path: url.replace(/^\/dev\/code/, '') || '/' };
}

const server = createServer((req, res) => {
  const { target, path } = route(req.url);
  req.url = path;
  proxy.web(req, res, { target });
});
server.on('upgrade', (req, socket, head) => {
  const { target, path } = route(req.url);
  req.url = path;
  proxy.ws(req, socket, head, { target, ignorePath: path === '' });
});
server.listen(Number(env.PORT ?? 8080), '127.0.0.1', () => console.log(`listening on 127.0.0.1:${env.PORT ?? 8080}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
