// The tap between real SOCKS clients (curl --socks5 / --socks5-hostname, the npm socks client,
// Chromium) and mock-socks: every conversation's bytes, each direction, equal mock-socks's own hex
// transcript of it; the client still gets its page; a TCP port probe is flagged as one, and the
// tap's predicted tailscaled line is the line mock-socks logged.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { chromium } from '@playwright/test';
import { SocksClient } from 'socks';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../cli/tap.ts';
import { startMockCodeServer, type MockCodeServerHandle } from '../../mock-code-server/index.ts';
import { startMockSocks, type ConnectionRecord, type MockSocksHandle } from '../../mock-socks/index.ts';
import { chromiumArgs, chromiumExecutable } from '../browser/chromium.ts';
import { devbox } from '../tailnet.ts';
import type { Transcript } from './conversation.ts';
import { startTap, type TapHandle } from './tap.ts';

const PAGE_PATH = '/?folder=/home/coder/project';
let codeServer: MockCodeServerHandle;
let socks: MockSocksHandle;
const records = new Map<string, ConnectionRecord>();
const comparisons: string[] = [];

beforeAll(async () => {
  codeServer = await startMockCodeServer({ timeScale: 0.1 });
  socks = await startMockSocks({
    listen: '127.0.0.1:0',
    transcript: true,
    dialTimeoutMs: 300,
    peers: [{ address: devbox.address, names: [...devbox.names], ports: { [devbox.codePort]: `127.0.0.1:${codeServer.port}` } }],
  });
  socks.on('connection', (record) => record.event === 'close' && records.set(record.remote, record));
});
afterAll(async () => {
  await socks.close();
  await codeServer.close();
  console.log(comparisons.join('\n'));
});

let tap: TapHandle;
afterEach(async () => {
  await tap?.close();
});

async function newTap(): Promise<TapHandle> {
  tap = await startTap({ listen: { host: '127.0.0.1', port: 0 }, socks: { host: '127.0.0.1', port: socks.port } });
  return tap;
}

/** Resolves once `count` conversations ended at the tap and mock-socks closed each of them. */
function ended(t: TapHandle, count: number): Promise<Transcript[]> {
  return new Promise((resolve) => {
    const check = () => {
      const done = t.transcripts();
      if (done.length < count || !done.every((c) => records.has(c.via))) return;
      t.off('conversation', check);
      socks.off('connection', check);
      resolve(done);
    };
    t.on('conversation', check);
    socks.on('connection', check);
    check();
  });
}

/** Each direction's bytes through the tap, against mock-socks's transcript of the same conversation. */
function expectSameBytes(client: string, conversation: Transcript): void {
  const record = records.get(conversation.via);
  const mock = record?.transcript ?? [];
  const stream = (prefix: string) => mock.filter((l) => l.startsWith(prefix)).map((l) => l.slice(2)).join('');
  const tapped = (from: 'client' | 'server') => Buffer.concat(conversation.chunks.filter((c) => c.from === from).map((c) => c.bytes)).toString('hex');
  expect(conversation.truncated).toBe(false);
  expect(tapped('client')).toBe(stream('> '));
  expect(tapped('server')).toBe(stream('< '));
  // The line the bytes decide is predicted exactly; a dial's own error (`dial tcp: lookup …`) is not the bytes'.
  if (conversation.tailscaledLogs !== undefined || record?.error === undefined) expect(conversation.tailscaledLogs).toBe(record?.error);
  else expect(record.error).toMatch(/^(dial tcp|connect tcp|context deadline exceeded)/);
  comparisons.push(`${client.padEnd(22)} #${conversation.id} ${conversation.handshake.destination ?? '-'}: client→server ${conversation.total.client} B, server→client ${conversation.total.server} B — equal to mock-socks's transcript (${mock.length} lines)`);
}

function curl(args: string[]): Promise<{ code: number; stdout: string }> {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (/_proxy$/i.test(key)) delete env[key];
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/curl', ['-sS', '--noproxy', '', '--max-time', '10', ...args], { env });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout }));
  });
}

describe('tap between real clients and mock-socks', () => {
  it.each([
    ['curl --socks5', '--socks5', devbox.address, '01'],
    ['curl --socks5-hostname', '--socks5-hostname', devbox.names[1], '03'],
  ])('%s: the page arrives, the bytes equal mock-socks\'s', async (label, flag, host, atyp) => {
    const t = await newTap();
    const result = await curl([flag, `127.0.0.1:${t.port}`, `http://${host}:${devbox.codePort}${PAGE_PATH}`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`stable-${codeServer.commit}`);
    const [conversation] = await ended(t, 1);
    expect(conversation?.handshake.messages.find((m) => m.kind === 'request')?.bytes[3]).toBe(Number.parseInt(atyp, 16));
    expect(conversation?.handshake.state).toBe('relay');
    if (conversation) expectSameBytes(label, conversation);
  });

  it('the npm socks client: the page arrives, the bytes equal mock-socks\'s', async () => {
    const t = await newTap();
    const { socket } = await SocksClient.createConnection({
      proxy: { host: '127.0.0.1', port: t.port, type: 5 },
      command: 'connect',
      destination: { host: devbox.names[0], port: devbox.codePort },
      timeout: 5000,
    });
    socket.write(`GET ${PAGE_PATH} HTTP/1.1\r\nHost: ${devbox.names[0]}:${devbox.codePort}\r\nConnection: close\r\n\r\n`);
    let body = '';
    for await (const chunk of socket) body += (chunk as Buffer).toString();
    expect(body).toContain(`stable-${codeServer.commit}`);
    const [conversation] = await ended(t, 1);
    if (conversation) expectSameBytes('npm socks', conversation);
  });

  it('Chromium with --proxy-server=socks5://: the workbench page loads, every conversation equals mock-socks\'s', async () => {
    const t = await newTap();
    const browser = await chromium.launch({
      executablePath: chromiumExecutable(),
      // No name is resolved on this machine: socks5 hands names to the SOCKS server.
      args: [...chromiumArgs, `--proxy-server=socks5://127.0.0.1:${t.port}`, '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
    });
    try {
      const page = await browser.newPage();
      const response = await page.goto(`http://${devbox.names[1]}:${devbox.codePort}${PAGE_PATH}`);
      expect(response?.status()).toBe(200);
      expect(await page.content()).toContain(`stable-${codeServer.commit}`);
    } finally {
      await browser.close();
    }
    await new Promise<void>((resolve) => {
      const check = () => t.open() === 0 && resolve();
      t.on('conversation', check);
      check();
    });
    const conversations = await ended(t, t.transcripts().length);
    expect(conversations.length).toBeGreaterThanOrEqual(1);
    const page = conversations.filter((c) => c.handshake.destination === `${devbox.names[1]}:${devbox.codePort}`);
    expect(page.length).toBeGreaterThanOrEqual(1);
    for (const conversation of conversations) {
      expectSameBytes('chromium', conversation);
      if (page.includes(conversation)) continue;
      // Chromium's own background requests (update.googleapis.com:443) reach the SOCKS server too:
      // it refuses a name outside the tailnet without resolving it, so nothing leaves loopback.
      expect(conversation.handshake.state).toBe('refused');
      expect(records.get(conversation.via)?.error).toMatch(/^dial tcp: lookup .+: no such host$/);
    }
  }, 60_000);

  it('flags a TCP port probe, and predicts the line mock-socks logs for it', async () => {
    const t = await newTap();
    const probe = connect(t.port, '127.0.0.1');
    await new Promise((resolve) => probe.once('connect', resolve));
    probe.end();
    const [conversation] = await ended(t, 1);
    expect(conversation?.flags.map((f) => f.id)).toEqual(['port-probe']);
    expect(conversation?.flags[0]?.scenario).toBe('port-probe-health');
    expect(conversation?.tailscaledLogs).toBe('could not read packet header');
    if (conversation) expectSameBytes('port probe', conversation);
    expect(records.get(conversation?.via ?? '')?.error).toBe('could not read packet header');
  });

  it('flags HTTP bytes on the SOCKS port', async () => {
    const t = await newTap();
    const result = await curl(['--proxy', `http://127.0.0.1:${t.port}`, `http://${devbox.address}:${devbox.codePort}/`]);
    expect(result.code).not.toBe(0);
    const [conversation] = await ended(t, 1);
    expect(conversation?.flags.map((f) => f.id)).toContain('foreign-client');
    if (conversation) expectSameBytes('curl --proxy http://', conversation);
  });
});

describe('patterns tailscaled logs, from raw clients', () => {
  it.each([
    ['one byte, then FIN', '05', 'client-gave-up', 'could not read packet header'],
    ['a greeting cut short', '050300', 'client-gave-up', 'could not read methods'],
    ['an IPv4 address cut short', '050100' + '050100017f00', 'client-gave-up', 'could not read IPv4 address'],
    ['a SOCKS4 request', '040100507f00000100', 'foreign-client', 'incompatible SOCKS version'],
    ['a BIND request', '050100' + '050200017f0000010050', 'refused', 'unsupported command 2'],
  ])('%s: flagged, and the predicted line is the one mock-socks logs', async (_name, hex, flag, line) => {
    const t = await newTap();
    const client = connect(t.port, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    client.resume();
    client.end(Buffer.from(hex, 'hex'));
    const [conversation] = await ended(t, 1);
    expect(conversation?.flags.map((f) => f.id)).toContain(flag);
    expect(conversation?.tailscaledLogs).toBe(line);
    if (conversation) expectSameBytes(`raw ${hex.slice(0, 12)}`, conversation);
  });

  it('a reply that arrives a byte at a time is flagged; a client that reads by length still connects', async () => {
    const split = await startMockSocks({
      listen: '127.0.0.1:0',
      transcript: true,
      peers: [{ address: devbox.address, ports: { [devbox.codePort]: `127.0.0.1:${codeServer.port}` } }],
      faults: [{ type: 'truncate-reply', where: 'connect', attributes: { mode: 'chunked', chunkBytes: 1, delayMs: 5 } }],
    });
    const splitTap = await startTap({ listen: { host: '127.0.0.1', port: 0 }, socks: { host: '127.0.0.1', port: split.port } });
    try {
      const result = await curl(['--socks5', `127.0.0.1:${splitTap.port}`, `http://${devbox.address}:${devbox.codePort}${PAGE_PATH}`]);
      expect(result.stdout).toContain(`stable-${codeServer.commit}`);
      const [conversation] = await new Promise<Transcript[]>((resolve) => {
        const check = () => splitTap.transcripts().length > 0 && resolve(splitTap.transcripts());
        splitTap.on('conversation', check);
        check();
      });
      const flag = conversation?.flags.find((f) => f.id === 'reply-in-pieces');
      expect(flag).toMatchObject({ scenario: 'truncated-reply-split', says: expect.stringMatching(/^the CONNECT reply arrived in ([2-9]|10) reads/) });
    } finally {
      await splitTap.close();
      await split.close();
    }
  });
});

describe('tap CLI', () => {
  async function runCli(args: string[], drive: (port: number) => Promise<void>): Promise<string> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'harness/cli/bin.ts', 'tap', ...args], { cwd: new URL('../..', import.meta.url).pathname });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', () => {
        const match = /^listening on 127\.0\.0\.1:(\d+)$/m.exec(stdout);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`tap exited ${code}: ${stdout}`)));
    });
    try {
      expect(stdout.split('\n')[0]).toBe(`listening on 127.0.0.1:${port}`);
      await drive(port);
    } finally {
      const code = await new Promise<number | null>((resolve) => {
        child.once('close', resolve); // 'close': stdout read to its end
        child.kill('SIGTERM');
      });
      expect(code).toBe(0);
    }
    return stdout;
  }

  it('--json: one JSON line per conversation, its transcript in mock-socks\'s line format', async () => {
    const before = new Set(records.keys());
    const stdout = await runCli(['--listen', '127.0.0.1:0', '--socks', `127.0.0.1:${socks.port}`, '--json'], async (port) => {
      expect((await curl(['--socks5-hostname', `127.0.0.1:${port}`, `http://${devbox.names[1]}:${devbox.codePort}/`])).code).toBe(0);
      // The CLI prints a conversation once both sides closed; curl's process is gone by now.
      await new Promise<void>((resolve) => {
        const check = () => [...records.keys()].some((k) => !before.has(k)) && resolve();
        socks.on('connection', check);
        check();
      });
    });
    const lines = stdout.trim().split('\n').slice(1).map((line) => JSON.parse(line) as { via: string; transcript: string[]; destination: string; flags: unknown[] });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.destination).toBe(`${devbox.names[1]}:${devbox.codePort}`);
    expect(lines[0]?.flags).toEqual([]);
    const mock = records.get(lines[0]?.via ?? '')?.transcript ?? [];
    const joined = (lines: string[], prefix: string) => lines.filter((l) => l.startsWith(prefix)).map((l) => l.slice(2)).join('');
    expect(joined(lines[0]?.transcript ?? [], '> ')).toBe(joined(mock, '> '));
    expect(joined(lines[0]?.transcript ?? [], '< ')).toBe(joined(mock, '< '));
  }, 30_000);

  it('text: the handshake in hex with its meaning, and a port probe flagged', async () => {
    const stdout = await runCli(['--listen', '127.0.0.1:0', '--socks', `127.0.0.1:${socks.port}`], async (port) => {
      const probe = connect(port, '127.0.0.1');
      await new Promise((resolve) => probe.once('connect', resolve));
      probe.end();
      probe.resume();
      await new Promise((resolve) => probe.once('close', resolve));
    });
    expect(stdout).toMatch(/< 05 ff +method: VER 5, method ff no acceptable methods/);
    expect(stdout).toContain('tailscaled logs "socks5: client connection failed: could not read packet header"');
    expect(stdout).toContain('! port-probe: TCP port probe');
  }, 30_000);

  it('usage errors: one line on stderr, exit 2, nothing listens', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const before = process.exitCode;
    try {
      await main(['--socks', 'nope']);
      expect(process.exitCode).toBe(2);
      expect(errors.mock.calls).toEqual([['tap: --socks: expected HOST:PORT, got "nope"']]);
    } finally {
      process.exitCode = before;
      errors.mockRestore();
    }
  });
});
