import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { controlJson, handshake, openRaw, wsUrl } from './raw-client.ts';

const CLI = new URL('../cli.ts', import.meta.url).pathname;

function run(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  // 'close', not 'exit': 'exit' may come before the last of stderr has been read.
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const firstLine = new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  const stderr = { text: '' };
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr.text += chunk));
  return { child, exit, firstLine, stderr };
}

describe('mock-code-server CLI', () => {
  it('prints "listening on HOST:PORT" first, serves, and exits 0 on SIGTERM', async () => {
    const { child, exit, firstLine, stderr } = run(['--listen', '127.0.0.1:0', '--time-scale', '0.5', '--fault', '{"type":"upgrade-refuse","attributes":{"status":502},"which":{"nth":2}}']);
    const line = await firstLine;
    const match = /^listening on 127\.0\.0\.1:(\d+)$/.exec(line);
    expect(match, `stdout line ${line}; stderr: ${stderr.text}`).not.toBeNull();
    const url = `http://127.0.0.1:${match![1]}`;
    const health = await fetch(`${url}/healthz`);
    expect(health.status, stderr.text).toBe(200);
    const client = await openRaw(wsUrl(url, { reconnectionToken: 'cli-token', reconnection: 'false' }));
    expect(controlJson(await handshake(client, 1)), stderr.text).toEqual({ type: 'ok' });
    client.ws.terminate();
    const refused = await openRaw(wsUrl(url, { reconnectionToken: 'cli-2' })).catch((error: Error) => error.message);
    expect(refused, stderr.text).toBe('Unexpected server response: 502');
    // One stderr line per upgrade, handshake and socket end. The child's stderr reaches us through a
    // pipe, behind the responses the client has already seen: each line is awaited, not assumed.
    await expect.poll(() => stderr.text, { timeout: 10_000 }).toMatch(/socket #1 handshake ok: management token=cli-token\n[^]*socket #1 closed/);
    await expect.poll(() => stderr.text, { timeout: 10_000 }).toMatch(/socket #2 upgrade \/stable-\w+\?reconnectionToken=cli-2 refused 502/);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });

  it('--help prints usage and exits 0', async () => {
    const help = run(['--help']);
    expect(await help.firstLine).toMatch(/^usage: npm run mock-code-server/);
    expect(await help.exit).toBe(0);
  });

  it.each([
    [['--fault', '{"type":"bogus"}'], /^mock-code-server: unknown fault type "bogus" \(known: .*\)\n$/],
    [['--no-such-flag'], /^mock-code-server: unknown option --no-such-flag \(see --help\)\n$/],
    [['--listen', 'nowhere'], /^mock-code-server: --listen wants HOST:PORT, got "nowhere".*\n$/],
    [['--time-scale', '0'], /^mock-code-server: --time-scale wants a positive number.*\n$/],
  ])('%j: one stderr line, no stack, exit 2', async (args, line) => {
    const bad = run(args);
    expect(await bad.exit).toBe(2);
    expect(bad.stderr.text).toMatch(line);
  });
});
