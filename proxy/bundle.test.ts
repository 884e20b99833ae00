// The deployable contains only the product: proxy/cli.ts bundled by the Dockerfile's own build step
// (deploy/bundle.ts), with esbuild's metafile listing every file that went in. Broke: the bundle
// held socks/single-read.ts and ws/passthrough.ts, and PROXY_PROFILE=legacy (or one LEGACY_*
// variable) on Cloud Run brought back the 1006s the proxy exists to remove.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleProxy } from './deploy/bundle.ts';

const dir = mkdtempSync(join(tmpdir(), 'proxy-bundle-'));
const bundle = join(dir, 'proxy.mjs');
let inputs: string[] = [];

beforeAll(async () => {
  inputs = await bundleProxy(bundle);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) => spawnSync(process.execPath, [bundle, ...args], { encoding: 'utf8', env: { ...process.env, UPSTREAM_URL: '' }, timeout: 10_000 });

describe('the production bundle (proxy/cli.ts)', () => {
  it('holds no legacy file, nothing of the mocks or the harness, and no package', () => {
    console.log(`bundle inputs (${inputs.length}):\n${inputs.join('\n')}`);
    expect(inputs.length).toBeGreaterThan(10);
    expect(inputs.filter((file) => file.startsWith('proxy/legacy/') || /single-read|passthrough/.test(file))).toEqual([]);
    // The proxy's own files and the shared room's facts (common/: HOST:PORT, frame headers, close codes).
    expect(inputs.filter((file) => !file.startsWith('proxy/') && !file.startsWith('common/'))).toEqual([]);
    expect(inputs.filter((file) => /(^|\/)(test|soak)\/|\.test\.ts$/.test(file))).toEqual([]);
  });

  it('--help lists no legacy knob', () => {
    const help = run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: proxy /);
    expect(help.stdout).not.toMatch(/legacy|PROXY_PROFILE|--profile/i);
  });

  it('refuses a legacy flag as an unknown option, in one line with exit code 2', () => {
    const refused = run('--upstream', 'http://100.84.184.84:8888', '--legacy-pass-through-upgrade');
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim().split('\n')).toEqual(['proxy: unknown option --legacy-pass-through-upgrade (see --help)']);
  });

  it('answers a port out of range with one clear line and exit code 2, not a RangeError stack', () => {
    // Broke: `--listen 127.0.0.1:99999` reached server.listen() and died with a RangeError stack.
    const refused = run('--upstream', 'http://100.84.184.84:8888', '--listen', '127.0.0.1:99999');
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim().split('\n')).toEqual(['proxy: LISTEN / --listen: expected HOST:PORT with a port from 0 to 65535, got "127.0.0.1:99999"']);
  });
});
