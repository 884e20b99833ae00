// The CLI as a process (tsx, port 0), and its flag parsing.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { FLAGS, parseCli, peersFromFlags, usage } from '../cli-args.ts';
import { faultTypeNames } from '../index.ts';
import { startEcho } from './targets.ts';
import { socksOutcome } from './socks-client.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

function startCli(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'mock-socks/cli.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout });
  const stdout: string[] = [];
  // 'close', not 'exit': 'exit' may come before the last of stderr has been read.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const firstLines = (n: number) => new Promise<string[]>((resolve, reject) => {
    lines.on('line', (line) => {
      stdout.push(line);
      if (stdout.length === n) resolve(stdout.slice());
    });
    void exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  return { child, firstLines, exited, stderr: () => stderr };
}

describe('cli', () => {
  it('prints listening lines first, serves a peer, logs Go-prefixed lines on stderr, exits 0 on SIGTERM', async () => {
    const echo = await startEcho();
    const dir = mkdtempSync(join(tmpdir(), 'mock-socks-'));
    const cli = startCli(['--listen', 'localhost:0', '--bind', 'dual', '--peer', `devbox.tail1234.ts.net:80=127.0.0.1:${echo.port}`, '--transcript', dir]);
    const lines = await cli.firstLines(2);
    expect(lines[0]).toMatch(/^listening on 127\.0\.0\.1:\d+$/);
    expect(lines[1]).toMatch(/^listening on \[::1\]:\d+$/);
    const port = Number(lines[0]?.split(':').pop());
    expect(await socksOutcome(port, 'devbox', 80)).toBe('connected');
    expect(await socksOutcome(port, 'devbox', 81)).toBe('Socks5 proxy rejected connection - Failure');
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.stderr()).toMatch(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d socks5: client connection failed: connect tcp 100\.64\.0\.1:81: connection was refused$/m);
    expect(readdirSync(dir).sort()).toEqual(['conn-1.hex', 'conn-2.hex']);
    expect(readFileSync(join(dir, 'conn-1.hex'), 'utf8')).toMatch(/^> 050100\n< 0500\n/);
    await echo.close();
  });

  it('--help prints usage and exits 0; a bad flag, a bad fault or a bad control address is one stderr line and exit 2', async () => {
    const help = startCli(['--help']);
    expect((await help.firstLines(1))[0]).toMatch(/^usage: mock-socks --listen HOST:PORT/);
    expect(await help.exited).toBe(0);
    const refusals = [
      [['--bind', 'sideways'], '--bind must be'],
      [['--nope'], 'unknown option --nope (see --help)'],
      [['--listen', '127.0.0.1:0', '--fault', '{"type":"latency","attributes":{"latencyMs":-5}}'], "latency: 'latencyMs' must be a number >= 0"],
      [['--listen', '127.0.0.1:99999'], '--listen must be HOST:PORT'],
      [['--listen', '127.0.0.1:0', '--control', '0.0.0.0:0'], '--control must be a loopback HOST:PORT'],
    ] as const;
    // A port in use is not the caller's mistake: exit 1, still one line.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const inUse = ['--listen', `127.0.0.1:${(taken.address() as AddressInfo).port}`];
    // Started together: each is a process start, and the test should not pay for them one by one.
    const runs = [...refusals.map(([args, message]) => ({ run: startCli([...args]), message, code: 2 })), { run: startCli(inUse), message: 'EADDRINUSE', code: 1 }];
    for (const { run, message, code } of runs) {
      expect(await run.exited).toBe(code);
      expect(run.stderr()).toContain(message);
      expect(run.stderr().trimEnd().split('\n')).toHaveLength(1);
    }
    taken.close();
  });

  it('--control prints its URL after the listening line and serves the API', async () => {
    const cli = startCli(['--listen', '127.0.0.1:0', '--control', 'localhost:0']);
    const [listening, control] = await cli.firstLines(2);
    expect(listening).toMatch(/^listening on 127\.0\.0\.1:\d+$/);
    expect(control).toMatch(/^control API on http:\/\/127\.0\.0\.1:\d+$/);
    const url = (control as string).replace('control API on ', '');
    const set = await fetch(`${url}/faults`, { method: 'POST', body: JSON.stringify({ type: 'blackhole' }) });
    expect(set.status).toBe(201);
    expect(await (await fetch(`${url}/faults`)).json()).toEqual([{ type: 'blackhole' }]);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });
});

describe('cli flags', () => {
  it('an address flag and a name flag for the same local target are one peer; FQDNs also answer to the short name', () => {
    expect(peersFromFlags(['100.84.184.84:8888=127.0.0.1:41234', 'devbox.tail1234.ts.net:8888=127.0.0.1:41234'])).toEqual([
      { address: '100.84.184.84', names: ['devbox.tail1234.ts.net', 'devbox'], ports: { 8888: '127.0.0.1:41234' } },
    ]);
  });

  it('parses every option', () => {
    const { options, transcriptDir } = parseCli([
      '--listen', '[::1]:0', '--bind', 'ipv6-only', '--user', 'u', '--pass', 'p', '--fault', '{"type":"blackhole"}',
      '--dial-timeout', '250', '--seed', '9', '--rate-limit', '--transcript', '/tmp/t', '--allow-non-loopback', '--self-address', '100.64.9.9',
    ]);
    expect(options).toMatchObject({
      listen: '[::1]:0', bind: 'ipv6-only', credentials: { user: 'u', pass: 'p' }, faults: [{ type: 'blackhole' }],
      dialTimeoutMs: 250, seed: 9, rateLimit: true, transcript: true, allowNonLoopback: true, selfAddress: '100.64.9.9',
    });
    expect(transcriptDir).toBe('/tmp/t');
  });

  it('--help names every flag and every fault type', () => {
    for (const flag of Object.keys(FLAGS)) expect(usage()).toContain(`--${flag}`);
    for (const type of faultTypeNames()) expect(usage()).toContain(type);
  });

  it('rejects bad values with a usage error', () => {
    for (const args of [['--peer', 'nonsense'], ['--fault', '{nope'], ['--user', 'u'], ['--seed', '-1']]) {
      expect(() => parseCli(args)).toThrow(expect.objectContaining({ code: 'cli.usage' }));
    }
  });
});
