// Builds the page when its sources are newer than the last build: `start`, `repro`, `check` and
// the e2e global setup all call this, so nobody has to remember a build step. An installed
// package ships the built page and no sources: nothing to build, and Vite is not needed.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
export const pageDist = join(here, 'page', 'dist');
const sources = [join(here, 'page'), join(here, '..', 'mock-code-server', 'common'), join(here, 'scenarios'), join(here, 'stack-info.ts')];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const name of readdirSync(path)) {
    if (name === 'dist' || name === 'node_modules') continue;
    latest = Math.max(latest, newest(join(path, name)));
  }
  return latest;
}

export function pageIsFresh(): boolean {
  const built = join(pageDist, 'index.html');
  if (!existsSync(join(here, 'page', 'index.html'))) return existsSync(built);
  return existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources.map(newest));
}

export async function buildPage(options: { force?: boolean } = {}): Promise<void> {
  if (!options.force && pageIsFresh()) return;
  const { build } = await import('vite');
  await build({ configFile: join(here, 'vite.config.ts') });
}
