// code-server's HTTP side, the routes a browser and a proxy touch. Unknown paths 404 as text.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { contentTypeFor, loginPage, manifest, workbenchPage, workbenchScript } from './pages.ts';
import { isAuthenticated, SESSION_COOKIE, sessionValue } from './password.ts';

export interface HttpContext {
  commit: string;
  folder: string;
  password: string | undefined;
  heartbeat: Heartbeat;
}

/** code-server's "heart": alive while requests or sockets arrived within the last interval. */
export class Heartbeat {
  lastHeartbeat = 0;
  constructor(private readonly intervalMs: number) {}
  beat(): void {
    this.lastHeartbeat = Date.now();
  }
  alive(): boolean {
    return Date.now() - this.lastHeartbeat < this.intervalMs;
  }
}

/** Both vsda paths 404 in every open-source build (no vsda module is shipped). */
export function isVsdaPath(path: string): boolean {
  return /\/static\/node_modules\/vsda\/rust\/web\/vsda(\.js|_bg\.wasm)$/.test(path);
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function redirect(res: ServerResponse, location: string, headers: Record<string, string> = {}): void {
  res.writeHead(302, { Location: location, 'Content-Length': 0, ...headers });
  res.end();
}

function readForm(req: IncomingMessage, limitBytes: number): Promise<URLSearchParams> {
  return new Promise((resolve) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > limitBytes) req.destroy();
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', () => resolve(new URLSearchParams()));
  });
}

export async function handleRequest(req: IncomingMessage, res: ServerResponse, context: HttpContext): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://mock');
  const path = url.pathname;
  const { commit, password } = context;
  if (path === '/healthz') {
    return send(res, 200, JSON.stringify({ status: context.heartbeat.alive() ? 'alive' : 'expired', lastHeartbeat: context.heartbeat.lastHeartbeat }), 'application/json');
  }
  context.heartbeat.beat();
  if (path === '/login') return login(req, res, url, password);
  if (path === '/logout') return redirect(res, './login', { 'Set-Cookie': `${SESSION_COOKIE}=; Path=/; Max-Age=0` });
  if (path === '/manifest.json') return send(res, 200, manifest(), 'application/manifest+json');
  if (path === '/') {
    if (!isAuthenticated(req.headers, password)) return redirect(res, `./login?to=${encodeURIComponent('/')}`);
    if (!url.searchParams.has('folder') && !url.searchParams.has('workspace')) {
      return redirect(res, `./?folder=${encodeURIComponent(context.folder)}`);
    }
    return send(res, 200, workbenchPage(commit, url.searchParams.get('folder') ?? context.folder), 'text/html; charset=utf-8');
  }
  if (path.startsWith(`/stable-${commit}/`)) {
    if (isVsdaPath(path)) return send(res, 404, 'Not found');
    if (path.endsWith('/workbench/workbench.js')) return send(res, 200, workbenchScript(commit), 'application/javascript');
    if (path.startsWith(`/stable-${commit}/static/`)) return send(res, 200, `/* mock asset ${path} */\n`, contentTypeFor(path));
  }
  if (path.startsWith('/_static/')) return send(res, 200, `/* mock asset ${path} */\n`, contentTypeFor(path));
  return send(res, 404, 'Not found');
}

async function login(req: IncomingMessage, res: ServerResponse, url: URL, password: string | undefined): Promise<void> {
  const to = url.searchParams.get('to') ?? '/';
  // Only same-site relative targets: an absolute `to` would be an open redirect.
  const target = to.startsWith('/') && !to.startsWith('//') ? `.${to}` : './';
  if (password === undefined || isAuthenticated(req.headers, password)) return redirect(res, target);
  if (req.method !== 'POST') return send(res, 200, loginPage(undefined), 'text/html; charset=utf-8');
  const form = await readForm(req, 64 * 1024);
  if (form.get('password') !== password) return send(res, 200, loginPage('Incorrect password'), 'text/html; charset=utf-8');
  return redirect(res, target, { 'Set-Cookie': `${SESSION_COOKIE}=${sessionValue(password)}; Path=/; HttpOnly; SameSite=Lax` });
}
