// code-server's HTTP side, in the order routes/index.ts registers it: the heartbeat, robots.txt,
// port forwarding, /_static, /healthz, /login and /logout, /update, then routes/vscode.ts (the
// root page, the manifest, /mint-key) and everything else to VS Code's own server.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fixtureFile } from './fixture-files.ts';
import { redirect, send, sendHttpError, sendJson } from './http-replies.ts';
import { expressStaticContentType } from './media-types.ts';
import { loginPage, manifest, WORKBENCH_CSP, workbenchPage } from './pages.ts';
import { isAuthenticated, SESSION_COOKIE, sessionValue } from './password.ts';
import { forwardHttp, proxyRoute } from './port-forward.ts';
import { vscodeRequest } from './vscode-routes.ts';

/** The code-server release this mock answers as (package.json version of 4.100.3). */
export const CODE_SERVER_VERSION = '4.100.3';
/** code-server's package root (its .deb), where express.static serves /_static from. */
const CODE_SERVER_ROOT = '/usr/lib/code-server';

export interface HttpContext {
  commit: string;
  folder: string;
  password: string | undefined;
  heartbeat: Heartbeat;
  /** routes/vscode.ts /mint-key: 32 random bytes, read from (or first written to) the user data dir, so a restart keeps them. */
  mintKey: Buffer;
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

export function newMintKey(): Buffer {
  return randomBytes(32);
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
  const method = req.method ?? 'GET';
  const { commit, password } = context;
  const authenticated = isAuthenticated(req.headers, password);
  // Health checks must not make code-server look in use.
  if (!/^\/healthz\/?$/.test(path)) context.heartbeat.beat();

  if (method === 'GET' && path === '/robots.txt') return send(res, 200, 'User-agent: *\nDisallow: /\n', 'text/plain');
  const forward = proxyRoute(path);
  if (forward) return forwardHttp(req, res, forward, authenticated);
  if (path.startsWith('/_static/')) return staticMedia(req, res, path.slice('/_static'.length));
  if (/^\/healthz\/?$/.test(path) && method === 'GET') {
    return sendJson(res, 200, { status: context.heartbeat.alive() ? 'alive' : 'expired', lastHeartbeat: context.heartbeat.lastHeartbeat });
  }
  if (path === '/login') return login(req, res, url, password);
  if (path === '/logout') return redirect(res, './login', { 'Set-Cookie': `${SESSION_COOKIE}=; Path=/; Max-Age=0` });
  if (path === '/update/check' && method === 'GET') {
    if (!authenticated) return sendHttpError(req, res, 401, 'Unauthorized');
    // No network here: the release lookup fails, and code-server reports "unknown" (then isLatest is true).
    return sendJson(res, 200, { checked: Date.now(), latest: 'unknown', current: CODE_SERVER_VERSION, isLatest: true });
  }
  if (path === '/' && method === 'GET') return root(res, url, context, authenticated);
  if (path === '/manifest.json' && method === 'GET') return send(res, 200, manifest(), 'application/manifest+json');
  // No auth check: routes/vscode.ts registers /mint-key without one. No content type either (res.end(key)).
  if (path === '/mint-key' && method === 'POST') return send(res, 200, context.mintKey, undefined);
  if (!authenticated) return sendHttpError(req, res, 401, 'Unauthorized');
  return vscodeRequest(req, res, url, commit);
}

function root(res: ServerResponse, url: URL, context: HttpContext, authenticated: boolean): void {
  if (!authenticated) return redirect(res, `./login?to=${encodeURIComponent('/')}`);
  if (!url.searchParams.has('folder') && !url.searchParams.has('workspace')) {
    return redirect(res, `./?folder=${encodeURIComponent(context.folder)}`);
  }
  // webClientServer.ts _handleRoot: text/html, with its Content-Security-Policy.
  send(res, 200, workbenchPage(context.commit, url.searchParams.get('folder') ?? context.folder), 'text/html', { 'Content-Security-Policy': WORKBENCH_CSP });
}

/**
 * express.static over code-server's root, fallthrough off: a missing file goes to errorHandler
 * with send's ENOENT error as the message.
 */
async function staticMedia(req: IncomingMessage, res: ServerResponse, relative: string): Promise<void> {
  let decoded: string | undefined;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    decoded = undefined;
  }
  const file = decoded === undefined ? undefined : await fixtureFile('_static', decoded);
  if (!file) return sendHttpError(req, res, 404, `ENOENT: no such file or directory, stat '${CODE_SERVER_ROOT}${relative}'`);
  send(res, 200, await readFile(file.path), expressStaticContentType(file.path), { 'Cache-Control': 'public, max-age=0' });
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
