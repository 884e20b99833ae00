// The CLI as Cloud Run runs it: a child process, `listening on HOST:PORT` first, logs on stderr,
// and SIGTERM → open WebSockets closed with 1001 → exit code 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { optionSpecs } from './config.ts';
import { startFixtureStack, tailnetUpstream, type FixtureStack } from './test/stack.ts';
import { openClient } from './test/ws-client.ts';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
const children: ChildProcess[] = [];
let stack: FixtureStack | undefined;

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await stack?.close();
  stack = undefined;
});

function run(args: string[], env: Record<string, string> = {}): { child: ChildProcess; stdout: string[]; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const stdout: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += String(chunk)));
  createInterface({ input: child.stdout! }).on('line', (line) => stdout.push(line));
  return { child, stdout, stderr: () => stderr, exit: once(child, 'exit').then(([code]) => code as number | null) };
}

describe('proxy CLI', () => {
  it('--help lists every option with its environment variable and default', async () => {
    const { stdout, exit } = run(['--help']);
    expect(await exit).toBe(0);
    const text = stdout.join('\n');
    for (const spec of optionSpecs) expect(text).toContain(spec.env);
  });

  it('refuses to start without an upstream, saying which variable is missing', async () => {
    const { exit, stderr } = run(['--listen', '127.0.0.1:0'], { UPSTREAM_URL: '' });
    expect(await exit).toBe(2);
    expect(stderr()).toMatch(/UPSTREAM_URL/);
  });

  it('prints `listening on` first, keeps credentials out of its logs, and on SIGTERM closes WebSockets with 1001 then exits 0', async () => {
    stack = await startFixtureStack();
    const socksUrl = `socks5h://alice:hunter2@127.0.0.1:${stack.socks.port}`;
    const proxy = run(['--listen', '127.0.0.1:0', '--socks', socksUrl, '--upstream', tailnetUpstream], { PORT: '' });
    await expect.poll(() => proxy.stdout.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const address = /^listening on (127\.0\.0\.1:\d+)$/.exec(proxy.stdout[0] ?? '')?.[1];
    expect(address).toBeDefined();
    const client = openClient(`ws://${address}/dev/code/x`);
    await client.opened; // the tiny SOCKS server has no credentials: any user/pass is ignored by its relay
    client.ws.send('ping');
    expect((await client.next()).toString()).toBe('ping');
    proxy.child.kill('SIGTERM');
    expect(await client.closed).toEqual({ code: 1001, reason: 'proxy.shutdown the proxy is shutting down' });
    expect(await proxy.exit).toBe(0);
    expect(proxy.stderr()).toContain('alice:***@');
    expect(proxy.stderr()).not.toContain('hunter2');
  });
});
