import { existsSync } from 'node:fs';

// These flags work in the containers this runs in (no sandbox, no GPU, no background traffic);
// --disable-quic keeps every connection on the TCP path the harness observes. Chromium was seen
// looking up Google's hosts during tests even so: every name but localhost resolves to nothing,
// so no packet of the browser's leaves loopback (IP literals are not looked up).
export const chromiumArgs: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
];

/**
 * Which Chromium to launch: `CHROMIUM_PATH`, then Debian's `/usr/bin/chromium`, then
 * `undefined` — Playwright's own download (`npx playwright install chromium`).
 */
export function chromiumExecutable(env: Record<string, string | undefined> = process.env): string | undefined {
  if (env.CHROMIUM_PATH) return env.CHROMIUM_PATH;
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}
