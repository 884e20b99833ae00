// The deployable: proxy/cli.ts bundled by esbuild into one ESM file with no package in it. The one
// place the build is defined — the Dockerfile runs this file, proxy/bundle.test.ts checks what goes
// in, and `npm run bench` measures the file it writes, so all three mean the same artefact.
//
//   npx tsx proxy/deploy/bundle.ts dist/proxy.mjs
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));

export const proxyBundleOptions = {
  absWorkingDir: root,
  entryPoints: ['proxy/cli.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'silent',
} satisfies BuildOptions;

/** Writes the bundle to `outfile`; resolves with the source files that went in, relative to the repository. */
export async function bundleProxy(outfile: string): Promise<string[]> {
  const result = await build({ ...proxyBundleOptions, outfile: resolve(outfile), metafile: true });
  return Object.keys(result.metafile.inputs).sort();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outfile = process.argv[2];
  if (!outfile || process.argv.length > 3) {
    console.error('usage: tsx proxy/deploy/bundle.ts OUTFILE');
    process.exit(2);
  }
  const inputs = await bundleProxy(outfile);
  console.log(`${outfile}: ${inputs.length} source files`);
}
