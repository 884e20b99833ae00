// The doctor against mock-socks in every state the catalog knows — each fault type, each peer
// state, each bind mode, a port held by an HTTP server, a closed port: the first step that does
// not pass, its verdict, and the scenario its diagnosis names. With no fault, every step passes.
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockCodeServer, type MockCodeServerHandle } from '../../mock-code-server/index.ts';
import { faultTypeNames, startMockSocks, type BindMode, type ConnectionRecord, type FaultSpec, type PeerState } from '../../mock-socks/index.ts';
import { freePort } from '../free-port.ts';
import { scenarioById } from '../scenarios/index.ts';
import { devbox } from '../tailnet.ts';
import { runDoctor, type Deadlines, type DoctorReport, type StepId } from './index.ts';

/** tailscaled's 5 s dial budget and the proxy's deadlines, scaled down in the same order. */
const deadlines: Deadlines = { tcpMs: 500, greetingMs: 250, connectReplyMs: 600, httpMs: 800, dialBudgetMs: 300 };

interface Row {
  name: string;
  fault?: FaultSpec;
  peerState?: PeerState;
  bind?: BindMode;
  /** mock-socks's listen address (default 127.0.0.1:0) and the host in the doctor's socks5h URL (default 127.0.0.1). */
  listen?: string;
  socksHost?: string;
  /** Instead of mock-socks: an HTTP server on the port, or nothing at all. */
  port?: 'http-server' | 'closed';
  /** The first step that does not pass; none: every step passes. */
  expect: { step: StepId; verdict: 'warn' | 'fail'; scenario: string } | 'all-ok';
}

const faultRows: Row[] = [
  // Late, not silent: after the 250 ms deadline, well within the 500 ms the doctor keeps listening.
  { name: 'slow-handshake: greeting reply after the deadline', fault: { type: 'slow-handshake', where: 'greeting', attributes: { delayMs: 400 } }, expect: { step: 'greeting', verdict: 'fail', scenario: 'slow-handshake' } },
  { name: 'slow-handshake: CONNECT reply after the deadline', fault: { type: 'slow-handshake', where: 'connect', attributes: { delayMs: 900 } }, expect: { step: 'connect', verdict: 'fail', scenario: 'slow-handshake' } },
  { name: 'truncate-reply chunked: replies a byte at a time', fault: { type: 'truncate-reply', where: 'connect', attributes: { mode: 'chunked', chunkBytes: 1, delayMs: 5 } }, expect: { step: 'connect', verdict: 'warn', scenario: 'truncated-reply-split' } },
  { name: 'truncate-reply close-after: 4 bytes of the reply, then close', fault: { type: 'truncate-reply', where: 'connect', attributes: { mode: 'close-after', bytes: 4 } }, expect: { step: 'connect', verdict: 'fail', scenario: 'truncated-reply-close' } },
  { name: 'blackhole: never answers the greeting', fault: { type: 'blackhole' }, expect: { step: 'greeting', verdict: 'fail', scenario: 'blackhole' } },
  { name: 'blackhole: never answers the CONNECT', fault: { type: 'blackhole', where: 'connect' }, expect: { step: 'connect', verdict: 'fail', scenario: 'blackhole' } },
  { name: 'reply-code 01 at once', fault: { type: 'reply-code', attributes: { code: 1 } }, expect: { step: 'connect', verdict: 'fail', scenario: 'peer-refuses' } },
  { name: 'reply-code 05, which tailscaled never sends', fault: { type: 'reply-code', attributes: { code: 5 } }, expect: { step: 'connect', verdict: 'fail', scenario: 'not-socks' } },
  { name: 'not-socks: an HTTP 400 answers the greeting', fault: { type: 'not-socks' }, expect: { step: 'greeting', verdict: 'fail', scenario: 'not-socks' } },
  { name: 'reset at the greeting', fault: { type: 'reset', where: 'greeting' }, expect: { step: 'greeting', verdict: 'fail', scenario: 'socks-reset' } },
  { name: 'reset in the tunnel, once the request went through', fault: { type: 'reset', where: 'upstream', attributes: { afterBytes: 10 } }, expect: { step: 'http-root', verdict: 'fail', scenario: 'socks-reset' } },
  { name: 'latency past the HTTP deadline', fault: { type: 'latency', where: 'downstream', attributes: { latencyMs: 1500 } }, expect: { step: 'http-root', verdict: 'fail', scenario: 'tunnel-idle' } },
  { name: 'latency of 20 ms: slower, still working', fault: { type: 'latency', where: 'downstream', attributes: { latencyMs: 20 } }, expect: 'all-ok' },
  { name: 'bandwidth of 100 B/s: the answer cannot arrive in time', fault: { type: 'bandwidth', where: 'downstream', attributes: { rateKBps: 0.1 } }, expect: { step: 'http-root', verdict: 'fail', scenario: 'tunnel-idle' } },
  { name: 'slicer: answers in 16-byte slices, still working', fault: { type: 'slicer', where: 'downstream', attributes: { averageSizeBytes: 16 } }, expect: 'all-ok' },
  { name: 'limit-data: the tunnel ends after 40 bytes', fault: { type: 'limit-data', where: 'downstream', attributes: { bytes: 40 } }, expect: { step: 'http-root', verdict: 'fail', scenario: 'upstream-drops' } },
  { name: 'slow-close: teardown delayed, still working', fault: { type: 'slow-close', where: 'downstream', attributes: { delayMs: 100 } }, expect: 'all-ok' },
  { name: 'timeout: data dropped in the tunnel', fault: { type: 'timeout', where: 'downstream', attributes: { timeoutMs: 0 } }, expect: { step: 'http-root', verdict: 'fail', scenario: 'tunnel-idle' } },
  { name: 'tailnet-not-ready: the first CONNECT fails, the retry works', fault: { type: 'tailnet-not-ready', attributes: { attempts: 1 } }, expect: { step: 'connect', verdict: 'warn', scenario: 'tailnet-not-ready' } },
];

const peerRows: Row[] = [
  { name: 'peer up', peerState: 'up', expect: 'all-ok' },
  { name: 'peer down: 05 01 after the dial budget', peerState: 'down', expect: { step: 'connect', verdict: 'fail', scenario: 'peer-down' } },
  { name: 'peer refusing: 05 01 at once', peerState: 'refusing', expect: { step: 'connect', verdict: 'fail', scenario: 'peer-refuses' } },
];

const bindRows: Row[] = [
  { name: 'bind go, localhost (tailscaled: 127.0.0.1 only)', bind: 'go', listen: 'localhost:0', socksHost: 'localhost', expect: { step: 'tcp', verdict: 'warn', scenario: 'ipv4-only-bind' } },
  { name: 'bind ipv4-only, localhost', bind: 'ipv4-only', listen: 'localhost:0', socksHost: 'localhost', expect: { step: 'tcp', verdict: 'warn', scenario: 'ipv4-only-bind' } },
  { name: 'bind ipv6-only, localhost', bind: 'ipv6-only', listen: 'localhost:0', socksHost: 'localhost', expect: { step: 'tcp', verdict: 'warn', scenario: 'ipv6-only-bind' } },
  { name: 'bind dual, localhost: every address answers', bind: 'dual', listen: 'localhost:0', socksHost: 'localhost', expect: 'all-ok' },
  { name: 'bind ipv6-only, client configured 127.0.0.1', bind: 'ipv6-only', listen: 'localhost:0', socksHost: '127.0.0.1', expect: { step: 'tcp', verdict: 'fail', scenario: 'ipv6-only-bind' } },
  { name: 'bind ipv4-only, client configured [::1]', bind: 'ipv4-only', listen: 'localhost:0', socksHost: '[::1]', expect: { step: 'tcp', verdict: 'fail', scenario: 'ipv4-only-bind' } },
];

const portRows: Row[] = [
  { name: 'the port is held by an HTTP server', port: 'http-server', expect: { step: 'greeting', verdict: 'fail', scenario: 'not-socks' } },
  { name: 'the port is closed', port: 'closed', expect: { step: 'tcp', verdict: 'fail', scenario: 'not-socks' } },
];

const rows = [...faultRows, ...peerRows, ...bindRows, ...portRows];

let codeServer: MockCodeServerHandle;
const timings: { name: string; ms: number; steps: number; first: string }[] = [];

beforeAll(async () => {
  codeServer = await startMockCodeServer({ timeScale: 0.1 });
});
afterAll(async () => {
  await codeServer.close();
  console.log(timings.map((t) => `${String(t.ms).padStart(5)} ms  ${String(t.steps).padStart(2)} steps  ${t.first.padEnd(40)} ${t.name}`).join('\n'));
});

async function doctorAgainst(row: Row): Promise<{ report: DoctorReport; records: ConnectionRecord[]; logs: string[] }> {
  const upstream = `http://${devbox.address}:${devbox.codePort}`;
  const terminal = `ws://${devbox.address}:${devbox.terminalPort}/terminal`;
  if (row.port) {
    let server: Server | undefined;
    let port: number;
    if (row.port === 'http-server') {
      server = createServer((_req, res) => res.end('not a SOCKS server'));
      await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    } else port = await freePort();
    try {
      return { report: await runDoctor({ socks: `socks5h://127.0.0.1:${port}`, upstream, deadlines }), records: [], logs: [] };
    } finally {
      await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    }
  }
  const socks = await startMockSocks({
    listen: row.listen ?? '127.0.0.1:0',
    bind: row.bind ?? 'go',
    dialTimeoutMs: deadlines.dialBudgetMs,
    transcript: true,
    peers: [{
      address: devbox.address,
      names: [...devbox.names],
      ports: { [devbox.codePort]: `127.0.0.1:${codeServer.port}`, [devbox.terminalPort]: `127.0.0.1:${codeServer.port}` },
      state: row.peerState ?? 'up',
    }],
    faults: row.fault ? [row.fault] : [],
  });
  const records: ConnectionRecord[] = [];
  socks.on('connection', (record) => record.event === 'close' && records.push(record));
  try {
    const report = await runDoctor({ socks: `socks5h://${row.socksHost ?? '127.0.0.1'}:${socks.port}`, upstream, terminal, deadlines });
    return { report, records, logs: socks.logs() };
  } finally {
    await socks.close();
  }
}

describe('doctor against mock-socks', () => {
  it('has a row for every fault type mock-socks registers', () => {
    const covered = new Set(faultRows.map((row) => row.fault?.type));
    expect(faultTypeNames().filter((type) => !covered.has(type))).toEqual([]);
  });

  it('the bare-probe check below can fail: a TCP connect and close leaves no client byte and tailscaled\'s line', async () => {
    const socks = await startMockSocks({ listen: '127.0.0.1:0', transcript: true });
    try {
      const closed = new Promise<ConnectionRecord>((resolve) => socks.on('connection', (r) => r.event === 'close' && resolve(r)));
      const probe = connect(socks.port, '127.0.0.1');
      await new Promise((resolve) => probe.once('connect', resolve));
      probe.end();
      const record = await closed;
      expect(record.transcript?.some((line) => line.startsWith('> '))).toBe(false);
      expect(socks.logs()).toEqual(['socks5: client connection failed: could not read packet header']);
    } finally {
      await socks.close();
    }
  });

  it('names only scenarios of the catalog', () => {
    for (const row of rows) if (row.expect !== 'all-ok') expect(() => scenarioById((row.expect as { scenario: string }).scenario)).not.toThrow();
  });

  it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const { report, records, logs } = await doctorAgainst(row);
    const first = report.steps.find((step) => step.verdict !== 'ok');
    timings.push({ name: row.name, ms: report.ms, steps: report.steps.length, first: first ? `${first.verdict} ${first.id} → ${first.diagnosis?.scenario}` : 'all ok' });
    if (row.expect === 'all-ok') {
      expect(first, JSON.stringify(first, null, 2)).toBeUndefined();
      expect(report.exitCode).toBe(0);
      expect(report.steps.map((s) => s.id)).toEqual(expect.arrayContaining(['resolve', 'tcp', 'greeting', 'connect', 'http-root', 'http-workbench', 'http-vsda', 'ws-upgrade', 'vscode-handshake', 'terminal-upgrade']));
      // A whole conversation on every connection: a healthy tailscaled logs nothing at all.
      expect(logs).toEqual([]);
    } else {
      expect(first && { step: first.id, verdict: first.verdict, scenario: first.diagnosis?.scenario }).toEqual(row.expect);
      expect(report.exitCode).toBe(row.expect.verdict === 'fail' ? 1 : 0);
      expect(report.diagnosis?.scenario).toBe(row.expect.scenario);
      expect(report.diagnosis?.fix).toBeTruthy();
      expect(report.diagnosis?.browser).toContain(scenarioById(row.expect.scenario).expect.fixed.says);
    }
    // Never a bare port probe: every connection the SOCKS server saw carried the client's bytes.
    for (const record of records) expect(record.transcript?.some((line) => line.startsWith('> ')), JSON.stringify(record)).toBe(true);
    expect(logs.filter((line) => line.includes('could not read packet header'))).toEqual([]);
  });
});

describe('RFC 1929 credentials (tsnet\'s loopback proxy; tailscaled never sets them)', () => {
  const withCredentials = async (socksUrl: (port: number) => string): Promise<DoctorReport> => {
    const socks = await startMockSocks({
      listen: '127.0.0.1:0',
      credentials: { user: 'u', pass: 'secret' },
      peers: [{ address: devbox.address, ports: { [devbox.codePort]: `127.0.0.1:${codeServer.port}` } }],
    });
    try {
      return await runDoctor({ socks: socksUrl(socks.port), upstream: `http://${devbox.address}:${devbox.codePort}`, deadlines });
    } finally {
      await socks.close();
    }
  };

  it('authenticates, and never prints the password', async () => {
    const report = await withCredentials((port) => `socks5h://u:secret@127.0.0.1:${port}`);
    expect(report.exitCode).toBe(0);
    const auth = report.steps.find((s) => s.id === 'auth');
    expect(auth).toMatchObject({ verdict: 'ok' });
    expect(auth?.wire?.[0]).toEqual({ dir: '>', hex: '01 01 75 06 ** ** ** ** ** **', text: 'auth: user "u", password (6 bytes)' });
    expect(report.target.socks).toBe(`socks5h://u:***@127.0.0.1:${report.target.socks?.split(':').at(-1)}`);
    expect(JSON.stringify(report)).not.toContain('secret');
  });

  it('without credentials: the greeting is refused (05 ff), and the fix says to add them', async () => {
    const report = await withCredentials((port) => `socks5h://127.0.0.1:${port}`);
    const greeting = report.steps.find((s) => s.id === 'greeting');
    expect(greeting).toMatchObject({ verdict: 'fail' });
    expect(greeting?.diagnosis?.fix).toContain('user:pass@');
  });

  it('a wrong password: the auth step fails', async () => {
    const report = await withCredentials((port) => `socks5h://u:wrong@127.0.0.1:${port}`);
    expect(report.steps.find((s) => s.verdict !== 'ok')).toMatchObject({ id: 'auth', verdict: 'fail', detail: expect.stringContaining('refused (01)') });
  });
});
