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

  it.each([
    ['no upstream', ['--listen', '127.0.0.1:0'], /^proxy: UPSTREAM_URL \/ --upstream is required/],
    ['a port out of range', ['--upstream', tailnetUpstream, '--listen', '127.0.0.1:99999'], /^proxy: LISTEN \/ --listen: expected HOST:PORT with a port from 0 to 65535/],
    ['a legacy knob', ['--upstream', tailnetUpstream, '--profile', 'legacy'], /^proxy: unknown option --profile/],
    ['a deadline of 0', ['--upstream', tailnetUpstream, '--upgrade-timeout-ms', '0'], /^proxy: --upgrade-timeout-ms \/ UPGRADE_TIMEOUT_MS: expected a whole number from 1 to 600000/],
  ])('refuses %s in one line on stderr with exit code 2, no stack', async (_name, args, message) => {
    const { exit, stderr, stdout } = run(args, { UPSTREAM_URL: '' });
    expect(await exit).toBe(2);
    expect(stderr().trim().split('\n')).toHaveLength(1);
    expect(stderr()).toMatch(message);
    expect(stdout).toEqual([]);
  });

  it('an address already in use is one line and exit code 2', async () => {
    const first = run(['--upstream', tailnetUpstream, '--listen', '127.0.0.1:0'], { PORT: '' });
    await expect.poll(() => first.stdout.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const taken = /^listening on (127\.0\.0\.1:\d+)$/.exec(first.stdout[0] ?? '')?.[1] ?? '';
    const second = run(['--upstream', tailnetUpstream, '--listen', taken]);
    expect(await second.exit).toBe(2);
    expect(second.stderr().trim()).toMatch(/^proxy: listen EADDRINUSE/);
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
  });

  it('exits within a second of SIGTERM once idle, after serving HTTP, /readyz and a WebSocket session', async () => {
    stack = await startFixtureStack();
    const proxy = run(['--listen', '127.0.0.1:0', '--socks', stack.socks.url(), '--upstream', tailnetUpstream], { PORT: '' });
    await expect.poll(() => proxy.stdout.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const address = /^listening on (127\.0\.0\.1:\d+)$/.exec(proxy.stdout[0] ?? '')?.[1];
    expect((await fetch(`http://${address}/dev/code/headers`)).status).toBe(200);
    expect((await fetch(`http://${address}/readyz`)).status).toBe(200);
    const client = openClient(`ws://${address}/dev/code/x`);
    await client.opened;
    client.ws.close(1000);
    await client.closed;
    const signalled = performance.now();
    proxy.child.kill('SIGTERM');
    expect(await proxy.exit).toBe(0);
    const exitMs = performance.now() - signalled;
    console.log(`idle proxy: exit ${exitMs.toFixed(0)} ms after SIGTERM`);
    expect(exitMs).toBeLessThan(1000);
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
