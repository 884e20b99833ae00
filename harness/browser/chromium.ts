import { existsSync } from 'node:fs';

// These flags work in the containers this runs in (no sandbox, no GPU, no background traffic);
// --disable-quic keeps every connection on the TCP path the harness observes.
export const chromiumArgs: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * Which Chromium to launch: `CHROMIUM_PATH`, then Debian's `/usr/bin/chromium`, then
 * `undefined` — Playwright's own download (`npx playwright install chromium`).
 */
export function chromiumExecutable(env: Record<string, string | undefined> = process.env): string | undefined {
  if (env.CHROMIUM_PATH) return env.CHROMIUM_PATH;
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}
