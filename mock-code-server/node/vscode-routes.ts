// What code-server hands to VS Code's own server (routes/vscode.ts: router.all(/.*/) →
// handleRequest in remoteExtensionHostAgentServer.ts, then webClientServer.ts): GET only, the
// server root path /stable-<commit> optional, /version, vscode-remote-resource, /static/…
import type { IncomingMessage, ServerResponse } from 'node:http';
import { posix } from 'node:path';
import { fixtureFile, serveFileWithEtag } from './fixture-files.ts';
import { send, serveError } from './http-replies.ts';
import { vscodeContentType } from './media-types.ts';
import { workbenchScript } from './pages.ts';

/** Where code-server's builtin extensions live (its .deb/.rpm), as the workbench names them in vscode-remote-resource?path=. */
export const BUILTIN_EXTENSIONS_PATH = '/usr/lib/code-server/lib/vscode/extensions';

/** Both vsda paths 404 in every open-source build (no vsda module is shipped). */
export function isVsdaPath(path: string): boolean {
  return /\/static\/node_modules\/vsda\/rust\/web\/vsda(\.js|_bg\.wasm)$/.test(path);
}

export async function vscodeRequest(req: IncomingMessage, res: ServerResponse, url: URL, commit: string): Promise<void> {
  if (req.method !== 'GET') return serveError(res, 405, `Unsupported method ${req.method ?? ''}`);
  const root = `/stable-${commit}`;
  // "for now accept all paths, with or without server root path"
  const path = url.pathname.startsWith(`${root}/`) ? url.pathname.slice(root.length) : url.pathname;
  if (path === '/version') return send(res, 200, commit, 'text/plain');
  if (path === '/vscode-remote-resource') return remoteResource(req, res, url);
  if (path.startsWith('/static/')) return staticFile(res, path, commit);
  return serveError(res, 404, 'Not found.');
}

/**
 * Files the workbench renders (themes, icon fonts), by absolute path on the server. Builtin
 * extensions get the year-long Cache-Control of a built server; every answer varies by Origin.
 * The mock has only its fixtures: any other path is a missing file.
 */
async function remoteResource(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const wanted = url.searchParams.getAll('path');
  if (wanted.length !== 1 || !wanted[0]) return serveError(res, 400, 'Bad request.');
  const path = posix.normalize(wanted[0]);
  const headers: Record<string, string> = { Vary: 'Origin' };
  let file;
  if (path.startsWith(`${BUILTIN_EXTENSIONS_PATH}/`)) {
    headers['Cache-Control'] = 'public, max-age=31536000';
    file = await fixtureFile('extensions', path.slice(BUILTIN_EXTENSIONS_PATH.length));
  }
  if (!file) return send(res, 404, 'Not found', 'text/plain');
  serveFileWithEtag(req, res, file, headers);
}

/**
 * The workbench's own code (out/…): a placeholder body of the right type, with the year-long
 * Cache-Control a built server sends (CacheControl.NO_EXPIRY). The vsda files are missing, as in
 * every open-source build.
 */
function staticFile(res: ServerResponse, path: string, commit: string): void {
  if (isVsdaPath(path)) return send(res, 404, 'Not found', 'text/plain');
  const body = path === '/static/out/vs/code/browser/workbench/workbench.js' ? workbenchScript(commit, BUILTIN_EXTENSIONS_PATH) : `/* mock asset ${path} */\n`;
  send(res, 200, body, vscodeContentType(path), { 'Cache-Control': 'public, max-age=31536000' });
}
