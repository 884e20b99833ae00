import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';

const CLI = new URL('../cli.ts', import.meta.url).pathname;

function run(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const firstLine = new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  return { child, exit, firstLine };
}

describe('mock-code-server CLI', () => {
  it('prints "listening on HOST:PORT" first, serves, and exits 0 on SIGTERM', async () => {
    const { child, exit, firstLine } = run(['--listen', '127.0.0.1:0', '--time-scale', '0.5', '--fault', '{"type":"drop-token"}']);
    const line = await firstLine;
    const match = /^listening on 127\.0\.0\.1:(\d+)$/.exec(line);
    expect(match).not.toBeNull();
    const health = await fetch(`http://127.0.0.1:${match![1]}/healthz`);
    expect(health.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });

  it('--help prints usage and exits 0; a bad fault exits 2', async () => {
    const help = run(['--help']);
    expect(await help.firstLine).toMatch(/^usage: npm run mock-code-server/);
    expect(await help.exit).toBe(0);
    const bad = run(['--fault', '{"type":"bogus"}']);
    expect(await bad.exit).toBe(2);
  });
});
