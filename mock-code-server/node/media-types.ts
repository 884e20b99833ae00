// Content types, as code-server 4.100.3 sends them. Two servers answer in one process, each with
// its own table: VS Code's (static files, vscode-remote-resource) and express.static's (_static).

/** webClientServer.ts serveFile: textMimeType first, then mime.ts getMediaMime, else text/plain (so a .ttf is text/plain). */
const VSCODE_TEXT: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};
const VSCODE_MEDIA: Record<string, string> = {
  '.bmp': 'image/bmp',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.jpe': 'image/jpg',
  '.jpeg': 'image/jpg',
  '.jpg': 'image/jpg',
  '.mp3': 'audio/mpeg',
  '.mp4': 'video/mp4',
  '.png': 'image/png',
  '.tga': 'image/x-tga',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.wav': 'audio/x-wav',
  '.webm': 'video/webm',
  '.webp': 'image/webp',
  '.woff': 'application/font-woff',
};

/** express.static → send 1.1 → mime-types 2.1 (mime-db 1.52): text types carry a charset. */
const EXPRESS_STATIC: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.ico': 'image/x-icon',
  '.js': 'application/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

function extension(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot).toLowerCase();
}

export function vscodeContentType(path: string): string {
  const ext = extension(path);
  return VSCODE_TEXT[ext] ?? VSCODE_MEDIA[ext] ?? 'text/plain';
}

export function expressStaticContentType(path: string): string {
  return EXPRESS_STATIC[extension(path)] ?? 'application/octet-stream';
}
