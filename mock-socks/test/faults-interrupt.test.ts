// Every wait a fault makes ends with its connection: a client that leaves mid-wait frees the
// server's side at once, not when the wait would have run out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { server } from './fixture.ts';
import { startEcho, type Target } from './targets.ts';
import { RawClient } from './wire.ts';
import { GREETING_NO_AUTH, connectRequest } from './requests.ts';
import type { FaultSpec } from '../index.ts';

let echo: Target;
beforeAll(async () => {
  echo = await startEcho();
});
afterAll(() => echo.close());

/** Far longer than the test may run: if the wait were not interrupted the close would never come in time. */
const LONG_MS = 60_000;

const waits: [string, FaultSpec, boolean][] = [
  ['slow-handshake', { type: 'slow-handshake', attributes: { delayMs: LONG_MS } }, false],
  ['reply-code delay', { type: 'reply-code', attributes: { code: 1, delayMs: LONG_MS } }, false],
  ['truncate-reply chunk delay', { type: 'truncate-reply', attributes: { chunkBytes: 1, delayMs: LONG_MS } }, false],
  ['tailnet-not-ready dial wait', { type: 'tailnet-not-ready', attributes: { attempts: 1 } }, false],
  ['throttled-between-requests stall', { type: 'throttled-between-requests', attributes: { stallMs: LONG_MS } }, false],
  ['latency', { type: 'latency', where: 'upstream', attributes: { latencyMs: LONG_MS } }, true],
  ['bandwidth', { type: 'bandwidth', where: 'upstream', attributes: { rateKBps: 0.001 } }, true],
  ['slicer delay', { type: 'slicer', where: 'upstream', attributes: { averageSizeBytes: 1, delayUs: LONG_MS * 1000 } }, true],
];

describe('fault waits end with the connection', () => {
  for (const [name, fault, inRelay] of waits) {
    it(name, async () => {
      const s = await server({ faults: [fault], dialTimeoutMs: LONG_MS, peers: [{ address: '100.64.0.1', ports: { 80: `127.0.0.1:${echo.port}` } }] });
      const client = await RawClient.open(s.port);
      const tailnet = fault.type === 'tailnet-not-ready' || fault.type === 'throttled-between-requests';
      client.send(GREETING_NO_AUTH + connectRequest(tailnet ? '100.64.0.1' : '127.0.0.1', tailnet ? 80 : echo.port));
      if (inRelay) {
        await client.bytes(12);
        client.send('6869');
      }
      await s.accepted(1);
      client.destroy();
      const record = await s.closeOf(1);
      expect(record.event).toBe('close');
      expect(s.connections()).toEqual([]);
      await s.close();
    });
  }
});
