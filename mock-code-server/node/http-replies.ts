// The ways code-server answers, by who answers: VS Code's serveError (plain text, no charset),
// express's res.json, and code-server's errorHandler (routes/errors.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A body with exactly this Content-Type; none at all when `type` is undefined (res.end(buffer) in express). */
export function send(res: ServerResponse, status: number, body: string | Uint8Array, type: string | undefined, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...(type === undefined ? {} : { 'Content-Type': type }), 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** webClientServer.ts serveError: `text/plain`, the message as the body. */
export function serveError(res: ServerResponse, status: number, message: string): void {
  send(res, status, message, 'text/plain');
}

/** express res.json. */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8');
}

export function redirect(res: ServerResponse, location: string, headers: Record<string, string> = {}): void {
  res.writeHead(302, { Location: location, 'Content-Length': 0, ...headers });
  res.end();
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * routes/errors.ts errorHandler: a request that accepts text/html (a person browsing) gets the
 * error page, anything else `{"error": message}`.
 */
export function sendHttpError(req: IncomingMessage, res: ServerResponse, status: number, message: string): void {
  if ((req.headers.accept ?? '').includes('text/html')) {
    const page = `<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8" /><title>${status} - code-server</title></head>\n<body><div class="error-display"><h2 class="header">${status}</h2><div class="body">${escapeHtml(message)}</div></div></body>\n</html>\n`;
    return send(res, status, page, 'text/html; charset=utf-8');
  }
  sendJson(res, status, { error: message });
}
