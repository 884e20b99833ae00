// What the benches run in child processes, built once per `npm run bench` into a temporary folder: the
// proxy's production bundle (proxy/deploy/bundle.ts, what the Dockerfile ships), and the bench's
// own child processes bundled the same way — so no path runs under tsx's loader and each pays only
// for its own code. The usual stack's packages are bundled in, as a deployment of it would be.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundleProxy, proxyBundleOptions } from '../proxy/deploy/bundle.ts';

export interface BenchBuild {
  /** proxy/cli.ts as the Dockerfile bundles it. */
  proxy: string;
  /** http-proxy-3 + socks-proxy-agent (./roles/usual-stack.ts). */
  usualStack: string;
  /** The echo upstream + mock-socks (./roles/tailnet.ts). */
  tailnet: string;
  /** mock-socks alone (./roles/mock-socks.ts). */
  mockSocks: string;
  /** ./probe.ts, preloaded into every measured child. */
  probe: string;
}

const here = fileURLToPath(new URL('.', import.meta.url));
let built: Promise<BenchBuild> | undefined;

export function benchBuild(): Promise<BenchBuild> {
  return (built ??= buildAll());
}

async function buildAll(): Promise<BenchBuild> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const bundle = async (entry: string, name: string) => {
    const outfile = join(dir, name);
    // CommonJS packages in an ESM bundle reach Node's built-ins through require().
    await build({ ...proxyBundleOptions, absWorkingDir: here, entryPoints: [entry], outfile, banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } });
    return outfile;
  };
  const [proxy, usualStack, tailnet, mockSocks, probe] = await Promise.all([
    bundleProxy(join(dir, 'proxy.mjs')).then(() => join(dir, 'proxy.mjs')),
    bundle('roles/usual-stack.ts', 'usual-stack.mjs'),
    bundle('roles/tailnet.ts', 'tailnet.mjs'),
    bundle('roles/mock-socks.ts', 'mock-socks.mjs'),
    bundle('probe.ts', 'probe.mjs'),
  ]);
  return { proxy, usualStack, tailnet, mockSocks, probe };
}
