// Another team's proxy, as they might write it without this project's code: node:http and the
// `socks` client, piping bytes both ways. It has no close-code policy: when SOCKS fails it
// answers the browser's upgrade with a 502, which the browser sees as a bare 1006.
import http from 'node:http';
import { SocksClient } from 'socks';

const socks = new URL(process.env.SOCKS5_PROXY);
const upstream = new URL(process.env.UPSTREAM_URL);
const terminal = new URL(process.env.TERMINAL_URL);

function dial(target) {
  return SocksClient.createConnection({
    proxy: { host: socks.hostname.replace(/^\[|\]$/g, ''), port: Number(socks.port), type: 5 },
    destination: { host: target.hostname, port: Number(target.port) },
    command: 'connect',
  }).then(({ socket }) => socket);
}

/** /dev/code/x → code-server's /x; /dev/ws/terminal → the terminal URL's path. */
function route(url) {
  if (url.startsWith('/dev/ws/terminal')) return { target: terminal, path: terminal.pathname };
  return { target: upstream, path: url.replace(/^\/dev\/code/, '') || '/' };
}

const server = http.createServer((req, res) => {
  const { target, path } = route(req.url);
  const forward = http.request({ host: target.hostname, port: target.port, method: req.method, path, headers: req.headers, createConnection: (_options, done) => void dial(target).then((s) => done(null, s), done) }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  forward.on('error', (error) => {
    console.error(`their-proxy: ${req.url}: ${error.message}`);
    if (!res.headersSent) res.writeHead(502).end();
  });
  req.pipe(forward);
});

server.on('upgrade', (req, browser, head) => {
  const { target, path } = route(req.url);
  browser.on('error', () => browser.destroy());
  dial(target).then(
    (tunnel) => {
      const lines = [`${req.method} ${path} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      tunnel.write(lines.join('\r\n') + '\r\n\r\n');
      tunnel.write(head);
      tunnel.pipe(browser).pipe(tunnel);
      tunnel.on('error', () => browser.destroy());
      tunnel.on('close', () => browser.destroy());
    },
    (error) => {
      console.error(`their-proxy: upgrade ${req.url}: ${error.message}`);
      browser.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n');
    },
  );
});

server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`listening on 127.0.0.1:${process.env.PORT}`));
process.on('SIGTERM', () => process.exit(0));
