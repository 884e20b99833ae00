// One origin for the browser: the page, the control API (/__harness/), and the proxy's routes
// through the front door — the workbench opens its WebSockets on the page's own origin, as it
// does behind Cloud Run.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ControlApi } from './control-api.ts';
import type { StackControl } from './control-api.ts';
import type { FrontDoor } from './front-door.ts';
import { serveStatic } from './static-files.ts';

export interface HarnessServerOptions {
  frontDoor: FrontDoor;
  control: StackControl;
  socksAddresses: () => { host: string; port: number }[];
  /** Default harness/page/dist. */
  pageDir?: string;
  /** Default 127.0.0.1:0. */
  host?: string;
  port?: number;
}

export interface HarnessServer {
  url: string;
  close(): Promise<void>;
}

export const defaultPageDir = fileURLToPath(new URL('../page/dist', import.meta.url));

/** Paths that belong to the proxy: its prefixes and its health endpoints. */
function isProxyPath(path: string): boolean {
  return path.startsWith('/dev/') || path === '/healthz' || path === '/readyz';
}

export async function startHarnessServer(options: HarnessServerOptions): Promise<HarnessServer> {
  const pageDir = options.pageDir ?? defaultPageDir;
  const api = new ControlApi(options.control, options.socksAddresses);
  const server = createServer({ requestTimeout: 0 }, (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/__harness/')) return void api.handle(req, res, path);
    if (isProxyPath(path)) return options.frontDoor.forwardRequest(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
    void serveStatic(pageDir, path, res);
  });
  server.on('upgrade', (req, socket, head) => {
    if (isProxyPath((req.url ?? '/').split('?')[0] ?? '/')) return options.frontDoor.forwardUpgrade(req, socket, head);
    socket.on('error', () => {});
    socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    close: async () => {
      api.close();
      options.frontDoor.closeAll();
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await closed;
    },
  };
}
