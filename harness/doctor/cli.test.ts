// `doctor` as a command: text by default, --json for machines; exit 0 when every hop works, 1
// when one fails, 2 (one line on stderr, no stack) on a usage error.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../cli/doctor.ts';
import { startMockCodeServer, type MockCodeServerHandle } from '../../mock-code-server/index.ts';
import { startMockSocks, type MockSocksHandle } from '../../mock-socks/index.ts';
import { devbox, upstreamUrl } from '../tailnet.ts';
import type { DoctorReport } from './index.ts';

let codeServer: MockCodeServerHandle;
let socks: MockSocksHandle;
beforeAll(async () => {
  codeServer = await startMockCodeServer({ timeScale: 0.1 });
  socks = await startMockSocks({ listen: '127.0.0.1:0', dialTimeoutMs: 300, peers: [{ address: devbox.address, names: [...devbox.names], ports: { [devbox.codePort]: `127.0.0.1:${codeServer.port}` } }] });
});
afterAll(async () => {
  await socks.close();
  await codeServer.close();
});

function doctor(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'harness/cli/bin.ts', 'doctor', ...args], { cwd: new URL('../..', import.meta.url).pathname });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** Deadlines at a tenth of the defaults (greeting 200 ms, CONNECT reply 800 ms above the mock's 300 ms dial budget). */
const scaled = ['--time-scale', '0.1'];

describe('doctor CLI', () => {
  it('a healthy path: one line per step, exit 0', async () => {
    const result = await doctor(['--socks', `socks5h://127.0.0.1:${socks.port}`, '--upstream', upstreamUrl, ...scaled]);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(`doctor: socks5h://127.0.0.1:${socks.port} → ${upstreamUrl}/`);
    expect(result.stdout).toMatch(/^ok +[\d.]+ ms +greeting 127\.0\.0\.1:\d+ +method 00 no authentication$/m);
    expect(result.stdout).toMatch(/^ +> 05 01 00 +greeting: VER 5, 1 method: 00 no authentication$/m);
    expect(result.stdout).toMatch(/^result: every hop works — 10 ok, 0 warnings, 0 failed, \d+ ms; exit 0$/m);
  }, 30_000);

  it('--json, a peer that refuses: the report names peer-refuses, exit 1', async () => {
    socks.setPeerState(devbox.address, 'refusing');
    try {
      const result = await doctor(['--socks', `socks5h://127.0.0.1:${socks.port}`, '--upstream', upstreamUrl, '--json', ...scaled]);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout) as DoctorReport;
      expect(report.exitCode).toBe(1);
      expect(report.diagnosis).toMatchObject({ scenario: 'peer-refuses', step: `connect 127.0.0.1:${socks.port}` });
      expect(report.steps.find((s) => s.id === 'connect')?.wire?.at(-1)).toEqual({ dir: '<', hex: '05 01 00 01 00 00 00 00 00 00', text: 'reply: REP 01 general SOCKS server failure, BND 0.0.0.0:0' });
    } finally {
      socks.setPeerState(devbox.address, 'up');
    }
  }, 30_000);

  // In-process (the spawned runner only adds process.exitCode): a usage error never reaches runDoctor.
  it.each([
    [[], 'doctor: give --socks URL --upstream URL (the hops beside tailscaled), --proxy URL (a deployed proxy), or both'],
    [['--socks', 'socks5h://localhost:1055'], 'doctor: --socks needs --upstream (code-server on the tailnet, e.g. http://100.84.184.84:8888)'],
    [['--socks', 'http://localhost:1055', '--upstream', upstreamUrl], 'doctor: --socks: expected socks5:// or socks5h://, got http://'],
    [['--socks', 'socks5h://localhost', '--upstream', upstreamUrl], 'doctor: --socks: give the port, e.g. socks5h://localhost:1055'],
    [['--proxy', 'nope'], 'doctor: --proxy: not a URL: "nope"'],
    [['--proxy', 'http://127.0.0.1:1', '--time-scale', '0'], 'doctor: --time-scale: expected a number above 0, got "0"'],
    [['--frobnicate'], 'doctor: unknown option --frobnicate (see --help)'],
  ])('usage error %j: one line on stderr, exit 2', async (args, line) => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const logs = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const before = process.exitCode;
    try {
      await main(args);
      expect(process.exitCode).toBe(2);
      expect(errors.mock.calls).toEqual([[line]]);
      expect(logs).not.toHaveBeenCalled();
    } finally {
      process.exitCode = before;
      errors.mockRestore();
      logs.mockRestore();
    }
  });
});
