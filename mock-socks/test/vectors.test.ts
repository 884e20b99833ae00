// Replays every conversation recorded against tailscale's net/socks5 server (fixtures/) against
// mock-socks with no fault set: the same bytes, the same end, the same log lines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { faultTypeNames, startMockSocks, type FaultSpec } from '../index.ts';
import { closedPort, startEcho, startUdpEcho, type Target } from './targets.ts';
import { RawClient, delay } from './wire.ts';

interface Step { send?: string; wait?: number; shutdown?: boolean; udp?: string }
interface Vector {
  name: string;
  server: 'noauth' | 'auth';
  steps: Step[];
  expect: { reply: string; end: 'closed' | 'open'; log: string[]; udp?: string };
}

const vectors = (JSON.parse(readFileSync(new URL('../fixtures/tailscale-socks5-vectors.json', import.meta.url), 'utf8')) as { vectors: Vector[] }).vectors;
/** The recordings' waits (50–100 ms) only separate segments; a fifth of them keeps that and saves time. */
const WAIT_SCALE = 0.2;
/** 'open' means still open this long after the last byte (400 ms in the recordings, scaled). */
const OPEN_GRACE_MS = 80;

const port2 = (port: number) => port.toString(16).padStart(4, '0');

/** Every fault type, each set so that it would change these conversations — at toxicity 0. */
const EVERY_FAULT_AT_TOXICITY_0: FaultSpec[] = [
  { type: 'slow-handshake', attributes: { delayMs: 1000 } },
  { type: 'truncate-reply', where: 'greeting', attributes: { mode: 'close-after', bytes: 1 } },
  { type: 'blackhole', where: 'accept' },
  { type: 'reply-code', attributes: { code: 5 } },
  { type: 'not-socks' },
  { type: 'reset', where: 'greeting' },
  { type: 'latency', attributes: { latencyMs: 1000 } },
  { type: 'bandwidth', attributes: { rateKBps: 0.001 } },
  { type: 'slicer', attributes: { averageSizeBytes: 1, delayUs: 100_000 } },
  { type: 'limit-data', attributes: { bytes: 0 } },
  { type: 'slow-close', attributes: { delayMs: 1000 } },
  { type: 'timeout', attributes: { timeoutMs: 0 } },
  { type: 'tailnet-not-ready', attributes: { attempts: 100 } },
  { type: 'throttled-between-requests', attributes: { stallMs: 1000, failConnects: 1 } },
].map((fault) => ({ ...fault, toxicity: 0 }));

it('the toxicity-0 replay covers every registered fault type', () => {
  expect(EVERY_FAULT_AT_TOXICITY_0.map((f) => f.type).sort()).toEqual(faultTypeNames());
});

const replays: [string, FaultSpec[]][] = [['no fault set', []], ['every fault at toxicity 0 (a provable no-op)', EVERY_FAULT_AT_TOXICITY_0]];
for (const [label, faults] of replays) {
  describe(`conformance vectors (tailscale net/socks5 recordings), ${label}`, () => {
    let echo: Target, echo6: Target, delayed: Target, udpEcho: Target;
    let placeholders: Record<string, string>;

    beforeAll(async () => {
      [echo, echo6, delayed, udpEcho] = await Promise.all([startEcho(), startEcho('::1'), startEcho('127.0.0.1', 200), startUdpEcho()]);
      placeholders = {
        ECHO_PORT: port2(echo.port),
        ECHO6_PORT: port2(echo6.port),
        CLOSED_PORT: port2(await closedPort()),
        DELAY_PORT: port2(delayed.port),
        UDP_ECHO_PORT: port2(udpEcho.port),
      };
    });
    afterAll(async () => {
      await Promise.all([echo.close(), echo6.close(), delayed.close(), udpEcho.close()]);
    });

    const fill = (hex: string) => hex.replace(/\{(\w+)\}/g, (_, key: string) => placeholders[key] ?? '');

    it('covers every recorded conversation', () => {
      expect(vectors.length).toBe(24);
    });

    for (const vector of vectors) {
      it(vector.name, async () => {
        const server = await startMockSocks({ faults, ...(vector.server === 'auth' ? { credentials: { user: 'u', pass: 'p' } } : {}) });
        const closedOnServer = new Promise<void>((resolve) => server.on('connection', (r) => r.event === 'close' && resolve()));
        const client = await RawClient.open(server.port);
        const udp = createSocket('udp4');
        const firstUdpReply = new Promise<Buffer>((resolve) => udp.once('message', resolve));
        try {
          for (const step of vector.steps) {
            if (step.send) client.send(fill(step.send));
            if (step.wait) await delay(step.wait * WAIT_SCALE);
            if (step.shutdown) client.shutdown();
            if (step.udp) {
              await client.bytes(12);
              const relayPort = client.received.readUInt16BE(10);
              udp.send(Buffer.from(fill(step.udp), 'hex'), relayPort, '127.0.0.1');
            }
          }
          const expectedReply = new RegExp('^' + fill(vector.expect.reply).replace(/pppp/g, '[0-9a-f]{4}') + '$');
          if (vector.expect.end === 'closed') {
            await client.closed();
            expect(client.ended).toBe('closed');
          } else {
            await client.until(() => expectedReply.test(client.hex));
            await delay(OPEN_GRACE_MS);
            expect(client.ended).toBeUndefined();
          }
          expect(client.hex).toMatch(expectedReply);
          if (vector.expect.udp) {
            expect((await firstUdpReply).toString('hex')).toBe(fill(vector.expect.udp));
          }
          client.destroy();
          await closedOnServer;
          const expectedLog = vector.expect.log.map((line) => new RegExp('^' + line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:PORT/g, ':\\d+') + '$'));
          const logs = server.logs();
          expect(logs).toHaveLength(expectedLog.length);
          logs.forEach((line, i) => expect(line).toMatch(expectedLog[i] as RegExp));
        } finally {
          client.destroy();
          udp.close();
          await server.close();
        }
      });
    }
  });
}
