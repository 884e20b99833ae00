// Regression: handshake replies went to the first applicable fault with a reply hook, whatever its
// phase — a truncate-reply on the greeting listed first silently disabled one on the CONNECT reply.
// Faults compose as Toxiproxy's toxics chain: every applicable fault, in list order, each acting on
// its own phase or direction and handing the rest on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { server, type TestServer } from './fixture.ts';
import { startEcho, type Target } from './targets.ts';
import { RawClient } from './wire.ts';
import { GREETING_NO_AUTH, connectRequest } from './requests.ts';
import type { FaultSpec, MockSocksOptions } from '../index.ts';

let echo: Target;
beforeAll(async () => {
  echo = await startEcho();
});
afterAll(() => echo.close());

async function withFaults(faults: FaultSpec[], run: (s: TestServer) => Promise<void>, extra: MockSocksOptions = {}) {
  const s = await server({ faults, transcript: true, ...extra });
  try {
    await run(s);
  } finally {
    await s.close();
  }
}

/** What the server wrote, one entry per write, in hex. */
async function serverWrites(s: TestServer, id = 1): Promise<string[]> {
  const transcript = (await s.closeOf(id)).transcript ?? [];
  return transcript.filter((line) => line.startsWith('< ')).map((line) => line.slice(2));
}

const greetingInBytes: FaultSpec = { type: 'truncate-reply', name: 'greeting-in-bytes', where: 'greeting', attributes: { mode: 'chunked', chunkBytes: 1 } };
const connectCutAt2: FaultSpec = { type: 'truncate-reply', name: 'connect-cut', where: 'connect', attributes: { mode: 'close-after', bytes: 2 } };

describe('two reply faults on two phases', () => {
  for (const [label, faults] of [['greeting fault first', [greetingInBytes, connectCutAt2]], ['connect fault first', [connectCutAt2, greetingInBytes]]] as const) {
    it(`each acts on its own reply (${label})`, async () => {
      await withFaults([...faults], async (s) => {
        const client = await RawClient.open(s.port);
        client.send(GREETING_NO_AUTH + connectRequest('127.0.0.1', echo.port));
        await client.closed();
        expect(client.hex).toBe('0500' + '0500');
        expect(await serverWrites(s)).toEqual(['05', '00', '0500']);
      });
    });
  }
});

describe('two reply faults on one phase', () => {
  it('chain in list order: the CONNECT reply cut into 2-byte writes, then cut after 5 bytes', async () => {
    const chunked: FaultSpec = { type: 'truncate-reply', name: 'pairs', attributes: { mode: 'chunked', chunkBytes: 2 } };
    const cut: FaultSpec = { type: 'truncate-reply', name: 'cut', attributes: { mode: 'close-after', bytes: 5 } };
    for (const faults of [[chunked, cut], [cut, chunked]]) {
      await withFaults(faults, async (s) => {
        const client = await RawClient.open(s.port);
        client.send(GREETING_NO_AUTH + connectRequest('127.0.0.1', echo.port));
        await client.closed();
        expect(client.hex).toBe('0500' + '050000017f');
        expect(await serverWrites(s)).toEqual(['0500', '0500', '0001', '7f']);
      });
    }
  });
});

describe('three reply faults on three phases', () => {
  it('greeting, auth and CONNECT replies each shaped by their own fault', async () => {
    const faults: FaultSpec[] = [
      { type: 'truncate-reply', name: 'connect', where: 'connect', attributes: { mode: 'close-after', bytes: 3 } },
      { type: 'truncate-reply', name: 'auth', where: 'auth', attributes: { mode: 'chunked', chunkBytes: 1 } },
      { type: 'truncate-reply', name: 'greeting', where: 'greeting', attributes: { mode: 'chunked', chunkBytes: 1 } },
    ];
    await withFaults(faults, async (s) => {
      const client = await RawClient.open(s.port);
      client.send('050102' + '0101750170' + connectRequest('127.0.0.1', echo.port));
      await client.closed();
      expect(client.hex).toBe('0502' + '0100' + '050000');
      expect(await serverWrites(s)).toEqual(['05', '02', '01', '00', '050000']);
    }, { credentials: { user: 'u', pass: 'p' } });
  });
});

describe('mixed faults', () => {
  it('slow-handshake waits first, then truncate-reply shapes the same reply', async () => {
    const faults: FaultSpec[] = [
      { type: 'truncate-reply', attributes: { mode: 'close-after', bytes: 4 } },
      { type: 'slow-handshake', where: 'connect', attributes: { delayMs: 60 } },
    ];
    await withFaults(faults, async (s) => {
      const client = await RawClient.open(s.port);
      client.send(GREETING_NO_AUTH);
      await client.bytes(2);
      const asked = performance.now();
      client.send(connectRequest('127.0.0.1', echo.port));
      await client.closed();
      expect(performance.now() - asked).toBeGreaterThanOrEqual(55);
      expect(client.hex).toBe('0500' + '05000001');
    });
  });

  it('reply-code answers CONNECT and truncate-reply cuts that answer', async () => {
    const faults: FaultSpec[] = [
      { type: 'reply-code', attributes: { code: 5 } },
      { type: 'truncate-reply', attributes: { mode: 'close-after', bytes: 2 } },
    ];
    await withFaults(faults, async (s) => {
      const client = await RawClient.open(s.port);
      client.send(GREETING_NO_AUTH + connectRequest('127.0.0.1', echo.port));
      await client.closed();
      expect(client.hex).toBe('0500' + '0505');
    });
  });

  it('a phase fault that takes the connection over ends the chain: blackhole, then no reply at all', async () => {
    const faults: FaultSpec[] = [
      { type: 'truncate-reply', where: 'greeting', attributes: { mode: 'chunked', chunkBytes: 1 } },
      { type: 'blackhole', where: 'greeting' },
    ];
    await withFaults(faults, async (s) => {
      const client = await RawClient.open(s.port);
      client.send(GREETING_NO_AUTH);
      client.shutdown();
      await client.closed();
      expect(client.hex).toBe('');
    });
  });

  it('latency then reset in the relay: the held bytes reach the target late, then the client gets the RST', async () => {
    const faults: FaultSpec[] = [
      { type: 'latency', where: 'upstream', attributes: { latencyMs: 60 } },
      { type: 'reset', where: 'upstream', attributes: { afterBytes: 2 } },
    ];
    await withFaults(faults, async (s) => {
      const client = await RawClient.open(s.port);
      client.send(GREETING_NO_AUTH + connectRequest('127.0.0.1', echo.port));
      await client.bytes(12);
      const sent = performance.now();
      client.send('686921');
      await client.closed();
      expect(performance.now() - sent).toBeGreaterThanOrEqual(55);
      expect(client.ended).toBe('reset');
      expect((await s.closeOf(1)).bytesUp).toBe(2);
    });
  });

  it('latency on both directions adds up; slicer after latency slices the late chunk', async () => {
    const faults: FaultSpec[] = [
      { type: 'latency', name: 'up', where: 'upstream', attributes: { latencyMs: 40 } },
      { type: 'latency', name: 'down', where: 'downstream', attributes: { latencyMs: 40 } },
      { type: 'slicer', where: 'downstream', attributes: { averageSizeBytes: 1 } },
    ];
    await withFaults(faults, async (s) => {
      const client = await RawClient.open(s.port);
      client.send(GREETING_NO_AUTH + connectRequest('127.0.0.1', echo.port));
      await client.bytes(12);
      const sent = performance.now();
      client.send('616263');
      await client.bytes(15);
      expect(performance.now() - sent).toBeGreaterThanOrEqual(75);
      expect(client.hex.slice(24)).toBe('616263');
      client.destroy();
      expect((await serverWrites(s)).slice(2)).toEqual(['61', '62', '63']);
    });
  });
});
