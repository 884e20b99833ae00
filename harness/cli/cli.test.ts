// The bin as a user runs it: a real process, its exit status and its first lines. Usage and
// setup errors are exit 2 with one readable line (no stack); the server is the process, so
// SIGTERM reaches it.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../free-port.ts';

const bin = fileURLToPath(new URL('./bin.ts', import.meta.url));

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

// Each case starts Node with tsx (about a second each on a quiet machine; several under load).
describe('tailnet-harness', { timeout: 60_000 }, () => {
  it('lists its subcommands, and answers a missing or unknown one with exit 2', async () => {
    const help = await run(['--help']);
    expect(help.status).toBe(0);
    for (const name of ['start', 'check', 'repro', 'proxy', 'mock-socks', 'mock-code-server', 'doctor', 'tap']) expect(help.stdout).toContain(`  ${name} `);
    expect(await run([])).toMatchObject({ status: 2, stderr: expect.stringContaining('usage: tailnet-harness <command>') as unknown as string });
    expect(await run(['nope'])).toMatchObject({ status: 2, stderr: 'tailnet-harness: unknown command "nope" (one of: start, check, repro, proxy, mock-socks, mock-code-server, doctor, tap)\n' });
  });

  it('answers usage errors with one line and exit 2, an unknown scenario included', async () => {
    const cases: [string[], RegExp][] = [
      [['repro', 'nope'], /^tailnet-harness repro: unknown scenario "nope"; `tailnet-harness repro --list` lists them\n$/],
      [['repro', 'blackhole', '--profile', 'medium'], /^tailnet-harness repro: --profile must be fixed, legacy or both\n$/],
      [['check', '--only', 'ipv6-only-bind,nope'], /^tailnet-harness check: unknown scenario "nope"/],
      [['check', '--readyz'], /^tailnet-harness check: --readyz describes a --proxy-cmd/],
      [['start', '--port', '99999'], /^tailnet-harness start: --port: expected a port 0–65535, got "99999"\n$/],
      [['start', '--listen', '127.0.0.1:1', '--port', '2'], /give one\n$/],
    ];
    const ran = await Promise.all(cases.map(([args]) => run(args)));
    cases.forEach(([args, stderr], i) => {
      expect(ran[i], args.join(' ')).toMatchObject({ status: 2, stdout: '' });
      expect(ran[i]?.stderr, args.join(' ')).toMatch(stderr);
    });
  });

  it('check: a proxy that never listened is a setup error (2), shown with its output', async () => {
    const ran = await run(['check', '--proxy-cmd', 'echo "ImportError: no module named fastapi" >&2; exit 3']);
    expect(ran.status).toBe(2);
    expect(ran.stderr).toMatch(/^tailnet-harness check: setup error: the proxy never listened: .* exited \(3\)/);
    expect(ran.stderr).toContain('err| ImportError: no module named fastapi');
    expect(ran.stderr).not.toMatch(/\n\s+at /);
  });

  it('check --json: our proxy passes the rows it is given, and the JSON says so row by row', async () => {
    const ran = await run(['check', '--only', 'peer-refuses,tunnel-idle', '--json']);
    expect(ran.status, ran.stderr).toBe(0);
    const verdict = JSON.parse(ran.stdout) as { rows: { id: string; status: string; ms: number }[]; summary: { passed: number; failed: number }; status: number };
    expect(verdict.rows.map((r) => [r.id, r.status])).toEqual([['peer-refuses', 'pass'], ['tunnel-idle', 'pass']]);
    expect(verdict).toMatchObject({ summary: { passed: 2, failed: 0 }, status: 0 });
  });

  it('start --port keeps the URL, says where it listens first, and stops on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', bin, 'start', '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const [first] = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next().then((r) => [r.value as string]);
    expect(first).toBe(`listening on 127.0.0.1:${port}`);
    expect((await fetch(`http://127.0.0.1:${port}/__harness/info`)).status).toBe(200);
    // A second harness on the same port: a setup error, not a stack.
    const second = await run(['start', '--port', String(port)]);
    expect(second.status).toBe(2);
    expect(second.stderr).toMatch(/^tailnet-harness start: setup error: listen EADDRINUSE/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
