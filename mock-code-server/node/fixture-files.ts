// The files the mock serves for real (mock-code-server/fixtures/): small stand-ins for the
// builtin extensions the workbench loads through vscode-remote-resource, and code-server's own
// media under /_static. Nothing outside that folder is ever read.
import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vscodeContentType } from './media-types.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface FixtureFile {
  path: string;
  stat: Stats;
}

/** `relative` inside fixtures/`folder`, if it stays there and is a file. */
export async function fixtureFile(folder: '_static' | 'extensions', relative: string): Promise<FixtureFile | undefined> {
  const inside = posix.normalize(`/${relative}`);
  if (inside.includes('\0')) return undefined;
  const path = `${FIXTURES}${folder}${inside}`;
  try {
    const found = await stat(path);
    return found.isFile() ? { path, stat: found } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * webClientServer.ts serveFile with CacheControl.ETAG: a weak validator from inode, size and
 * mtime; a matching If-None-Match gets 304; the type from VS Code's table; the body streamed.
 */
export function serveFileWithEtag(req: IncomingMessage, res: ServerResponse, file: FixtureFile, headers: Record<string, string>): void {
  const etag = `W/"${[file.stat.ino, file.stat.size, file.stat.mtime.getTime()].join('-')}"`;
  const all = { ...headers, Etag: etag };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, all);
    res.end();
    return;
  }
  res.writeHead(200, { ...all, 'Content-Type': vscodeContentType(file.path) });
  createReadStream(file.path)
    .on('error', () => res.destroy())
    .pipe(res);
}
