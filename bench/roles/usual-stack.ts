// The usual Node stack, as the seed notes' proxy was built: http-proxy-3 forwarding upgrades through
// socks-proxy-agent (the harness's bring-your-own-proxy example, with the bench's port and target).
// `usual-stack SOCKS_PORT TARGET_URL`; prints `listening on 127.0.0.1:PORT` as its first line.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxyServer } from 'http-proxy-3';
import { SocksProxyAgent } from 'socks-proxy-agent';

const [socksPort, target] = process.argv.slice(2);
const agent = new SocksProxyAgent(`socks5h://127.0.0.1:${socksPort}`);
const proxy = createProxyServer({ target, ws: true, agent, changeOrigin: false });
proxy.on('error', () => {});
const server = createServer((req, res) => proxy.web(req, res));
server.on('upgrade', (req, socket, head) => {
  req.url = (req.url ?? '/').replace(/^\/dev\/code/, '') || '/';
  proxy.ws(req, socket, head);
});
server.listen(0, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => process.exit(0));
