// Which connections a fault hits: selectors, seeded toxicity, live changes, bad JSON.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { server } from './fixture.ts';
import { startEcho, type Target } from './targets.ts';
import { socksOutcome } from './socks-client.ts';
import { streamFor } from '../../common/prng.ts';
import type { FaultSpec } from '../index.ts';

let echo: Target;
beforeAll(async () => {
  echo = await startEcho();
});
afterAll(() => echo.close());

const REJECTED = 'Socks5 proxy rejected connection - ConnectionRefused';
const refuse = (extra: Partial<FaultSpec>): FaultSpec => ({ type: 'reply-code', attributes: { code: 5 }, ...extra });

/** Outcomes of `count` sequential CONNECTs (connection ids 1..count). */
async function outcomes(faults: FaultSpec[], count: number, seed?: number, host = '127.0.0.1'): Promise<boolean[]> {
  const s = await server({ faults, seed, peers: [{ address: '100.84.184.84', names: ['devbox'], ports: { 80: `127.0.0.1:${echo.port}` } }] });
  const hit: boolean[] = [];
  for (let i = 0; i < count; i++) hit.push((await socksOutcome(s.port, host, host === '127.0.0.1' ? echo.port : 80)) === REJECTED);
  await s.close();
  return hit;
}

describe('connection selectors', () => {
  it('nth hits only that connection', async () => {
    expect(await outcomes([refuse({ which: { nth: 2 } })], 3)).toEqual([false, true, false]);
  });

  it('first n hits the first n', async () => {
    expect(await outcomes([refuse({ which: { first: 2 } })], 3)).toEqual([true, true, false]);
  });

  it('destination matches the name as written, the peer address and host:port', async () => {
    for (const destination of ['devbox', '100.84.184.84', 'DEVBOX:80']) {
      expect(await outcomes([refuse({ which: { destination } })], 1, undefined, 'devbox')).toEqual([true]);
    }
    expect(await outcomes([refuse({ which: { destination: 'devbox:81' } })], 1, undefined, 'devbox')).toEqual([false]);
    expect(await outcomes([refuse({ which: { destination: 'devbox' } })], 1)).toEqual([false]);
  });
});

describe('seeded toxicity', () => {
  it('the same seed gives the same hits; another seed, other hits; about half at 0.5', async () => {
    const a = await outcomes([refuse({ toxicity: 0.5 })], 24, 42);
    const b = await outcomes([refuse({ toxicity: 0.5 })], 24, 42);
    const c = await outcomes([refuse({ toxicity: 0.5 })], 24, 43);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    const hits = a.filter(Boolean).length;
    expect(hits).toBeGreaterThan(4);
    expect(hits).toBeLessThan(20);
  });

  it('each (seed, fault, connection) has its own stream, so interleaving does not change draws', () => {
    const first = streamFor(7, 'latency', 3);
    const again = streamFor(7, 'latency', 3);
    const other = streamFor(7, 'latency', 4);
    const draws = [first(), first(), first()];
    expect([again(), again(), again()]).toEqual(draws);
    expect(other()).not.toBe(draws[0]);
  });

  it('toxicity 0 never hits, 1 always does', async () => {
    expect(await outcomes([refuse({ toxicity: 0 })], 4)).toEqual([false, false, false, false]);
    expect(await outcomes([refuse({ toxicity: 1 })], 2)).toEqual([true, true]);
  });
});

describe('setting faults', () => {
  it('setFaults / clearFaults take effect for the next connection', async () => {
    const s = await server();
    expect(await socksOutcome(s.port, '127.0.0.1', echo.port)).toBe('connected');
    s.setFaults([refuse({})]);
    expect(await socksOutcome(s.port, '127.0.0.1', echo.port)).toBe(REJECTED);
    s.clearFaults();
    expect(await socksOutcome(s.port, '127.0.0.1', echo.port)).toBe('connected');
    await s.close();
  });

  it('bad JSON is rejected with ERR_FAULT_CONFIG and leaves the running faults alone', async () => {
    const s = await server({ faults: [refuse({})] });
    const bad: FaultSpec[][] = [
      [{ type: 'no-such-fault' }],
      [{ type: 'latency', attributes: { latencyMs: -1 } }],
      [{ type: 'latency', attributes: { latencyMs: 1 }, where: 'sideways' }],
      [{ type: 'reply-code', attributes: { code: 9 } }],
      [{ type: 'reply-code', toxicity: 2 }],
      [{ type: 'blackhole' }, { type: 'blackhole' }],
      [{ type: 'tailnet-not-ready' }],
      [{ type: 'reply-code', where: 'greeting' }],
      [{ type: 'latency', attributes: { latencyMs: 1, jitterms: 5 } }],
    ];
    for (const faults of bad) expect(() => s.setFaults(faults)).toThrow(expect.objectContaining({ code: 'ERR_FAULT_CONFIG' }));
    expect(await socksOutcome(s.port, '127.0.0.1', echo.port)).toBe(REJECTED);
    await s.close();
  });
});
