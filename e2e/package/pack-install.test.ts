// The package as another team gets it: `npm pack`, installed into a project outside this
// repository (no network: the tarball, and npm's cache for its dependencies), then the two things
// the README promises there — `npx tailnet-harness check --proxy-cmd "node their-proxy.mjs"` on a
// proxy written with another library, and a Playwright spec importing `tailnet-harness/playwright`.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockfileFor } from './offline-install.ts';
import type { Manifest } from './offline-install.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const theirs = fileURLToPath(new URL('./their-project', import.meta.url));
/** What their project adds besides the package: the Playwright runner its spec runs in, the SOCKS client their proxy uses. */
const theirDependencies = ['@playwright/test', 'socks'];

interface Ran {
  status: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, CI: '' } }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

// Sized to the work on a loaded 2-core machine: a tsc + Vite build, then thirty-two rows in Chromium.
const BUILD_MS = 240_000;
const CHECK_MS = 300_000;
const SPEC_MS = 180_000;

/** A TypeScript user of every export, type-checked against the installed declarations. */
const typedUse = `import { expect, failedChecks, harnessLaunchOptions, test } from 'tailnet-harness/playwright';
import type { ScenarioRun, StackInfo } from 'tailnet-harness/playwright';
import { startProxy } from 'tailnet-harness/proxy';
import { startMockSocks } from 'tailnet-harness/mock-socks';
import { startMockCodeServer } from 'tailnet-harness/mock-code-server';
test('typed', async ({ runScenario, stack }) => {
  const run: ScenarioRun = await runScenario('peer-refuses', 'fixed');
  const info: StackInfo = stack.info();
  expect(run.verdict.ok, failedChecks(run) + info.pageUrl).toBe(true);
});
const launch: { executablePath: string | undefined; args: string[] } = harnessLaunchOptions();
void [launch, startProxy, startMockSocks, startMockCodeServer];
`;

let project = '';
let packedFiles: string[] = [];

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'their-proxy-'));
  const packed = await run('npm', ['pack', '--pack-destination', project, '--json'], repo, BUILD_MS);
  expect(packed.status, packed.stderr).toBe(0);
  const [summary] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  packedFiles = summary?.files.map((f) => f.path) ?? [];
  const tarball = join(project, summary?.filename ?? '');
  const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as Manifest;
  const repoLock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')) as Parameters<typeof lockfileFor>[4];
  cpSync(theirs, project, { recursive: true });
  const lock = lockfileFor('their-proxy', tarball, manifest, theirDependencies, repoLock) as { packages: { '': object } };
  writeFileSync(join(project, 'package.json'), JSON.stringify({ private: true, ...lock.packages[''] }, null, 2));
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify(lock, null, 2));
  const installed = await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], project, 120_000);
  expect(installed.status, installed.stderr).toBe(0);
}, BUILD_MS + 120_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('the packed package, installed outside the repository', () => {
  it('holds compiled JavaScript with declarations, the built page and the proxy contract; no TypeScript sources or tests', () => {
    for (const file of ['dist/harness/cli/bin.js', 'dist/harness/playwright/index.d.ts', 'dist/proxy/index.js', 'dist/mock-socks/index.d.ts', 'dist/mock-code-server/index.js', 'dist/harness/page/dist/index.html', 'docs/proxy-contract.md', 'README.md']) {
      expect(packedFiles, file).toContain(file);
    }
    expect(packedFiles.filter((f) => (f.endsWith('.ts') && !f.endsWith('.d.ts')) || /\.test\.|\/test\//.test(f))).toEqual([]);
  });

  it('check judges their proxy: the rows it fails named with the 1006 and the cause, the rows the contract leaves out as n/a, exit 1', { timeout: CHECK_MS }, async () => {
    const ran = await run('npx', ['tailnet-harness', 'check', '--proxy-cmd', 'node their-proxy.mjs', '--junit', 'report.xml'], project, CHECK_MS);
    expect(ran.status, ran.stderr).toBe(1);
    const lines = ran.stdout.split('\n');
    const row = (id: string) => lines.find((l) => new RegExp(`^(pass|fail|n/a) +${id} `).test(l)) ?? `no line for ${id}`;
    // The verdict comes first: the header, then one line per row — no proxy output before it.
    expect(lines[0]).toMatch(/^tailnet-harness check · proxy: node their-proxy\.mjs · 32 rows, 29 applicable$/);
    expect(row('ipv4-only-bind')).toMatch(/^pass /);
    expect(row('terminal')).toMatch(/^pass /);
    // It passes failed upgrades through: a bare 1006, and the cause from every hop.
    expect(row('peer-refuses')).toMatch(/^fail +peer-refuses +1006, the socket never opened/);
    const peerRefuses = lines.indexOf(row('peer-refuses'));
    expect(lines[peerRefuses + 1]).toMatch(/cause: the proxy answered the upgrade with HTTP\/1\.1 502 Bad Gateway .*; SOCKS CONNECT 100\.84\.184\.84:8888 → REP 0x01: .*refused/);
    expect(lines[peerRefuses + 2]).toMatch(/proxy: their-proxy: upgrade \/dev\/code\/stable-[0-9a-f]{8}…\?…: Socks5 proxy rejected connection/);
    // Its dial of localhost reaches 127.0.0.1 only: the [::1]-only SOCKS server never sees it.
    expect(lines[lines.indexOf(row('ipv6-only-bind')) + 1]).toMatch(/no SOCKS conversation reached mock tailscaled/);
    for (const id of ['port-probe-health', 'not-socks', 'tunnel-idle']) expect(row(id)).toMatch(/^n\/a +\S+ +needs (readiness-route|our-hooks) — /);
    expect(lines.filter((l) => /^fail /.test(l)).every((l) => !/port-probe-health|not-socks|tunnel-idle/.test(l))).toBe(true);
    expect(lines.find((l) => / passed, \d+ failed, 3 not applicable — \d+ s$/.test(l))).toBeDefined();
    const junit = readFileSync(join(project, 'report.xml'), 'utf8');
    expect(junit).toMatch(/<testsuites name="[^"]*" tests="32" failures="\d+" skipped="3"/);
    expect(junit).toMatch(/name="peer-refuses — [^"]*" time="[\d.]+">\s*<failure message="1006, the socket never opened">cause: /);
  });

  it('its type declarations serve a strict TypeScript project (each export, libraries checked too)', { timeout: SPEC_MS }, async () => {
    writeFileSync(join(project, 'uses-types.ts'), typedUse);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['esnext', 'dom'], strict: true, noEmit: true, skipLibCheck: false, types: ['node'] }, files: ['uses-types.ts'] }));
    const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
    const ran = await run(process.execPath, [tsc, '-p', project], project, SPEC_MS);
    // Playwright's own declarations have their own quirks under skipLibCheck: false; ours must have none.
    expect(ran.stdout.split('\n').filter((l) => l.trim() && !l.startsWith('node_modules/playwright'))).toEqual([]);
  });

  it('their Playwright spec imports tailnet-harness/playwright: a row passes, a row the contract leaves out is skipped, a 1006 fails its test', { timeout: SPEC_MS }, async () => {
    const ran = await run('npx', ['playwright', 'test'], project, SPEC_MS);
    expect(ran.status, ran.stdout + ran.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(project, 'results.json'), 'utf8')) as {
      stats: { expected: number; skipped: number; unexpected: number };
      suites: { specs: { title: string; tests: { results: { status: string; errors: { message?: string }[] }[] }[] }[] }[];
    };
    expect(report.stats).toMatchObject({ expected: 2, skipped: 1, unexpected: 0 });
    const failing = report.suites.flatMap((s) => s.specs).find((s) => s.title === 'a page that saw a 1006 fails the test');
    const result = failing?.tests[0]?.results[0];
    // It failed, as test.fail() expects, because the fixture saw the 1006 — not for another reason.
    expect(result?.status).toBe('failed');
    expect(result?.errors.map((e) => e.message ?? '').join('\n')).toMatch(/close with 1006/);
  });
});
