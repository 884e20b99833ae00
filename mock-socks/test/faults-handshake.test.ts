// Handshake faults on the wire (raw bytes) and as the npm socks client sees them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { server } from './fixture.ts';
import { startEcho, type Target } from './targets.ts';
import { RawClient } from './wire.ts';
import { GENERAL_FAILURE, GREETING_NO_AUTH, connectRequest } from './requests.ts';
import { socksOutcome } from './socks-client.ts';
import type { FaultSpec } from '../index.ts';

let echo: Target;
beforeAll(async () => {
  echo = await startEcho();
});
afterAll(() => echo.close());

async function withFault(fault: FaultSpec, run: (s: Awaited<ReturnType<typeof server>>) => Promise<void>, extra = {}) {
  const s = await server({ faults: [fault], transcript: true, ...extra });
  try {
    await run(s);
  } finally {
    await s.close();
  }
}

describe('slow-handshake', () => {
  it('holds the chosen reply for delayMs; a client with a shorter timeout gives up', async () => {
    await withFault({ type: 'slow-handshake', where: 'connect', attributes: { delayMs: 300 } }, async (s) => {
      const client = await RawClient.open(s.port);
      client.send(GREETING_NO_AUTH + connectRequest('127.0.0.1', echo.port));
      await client.bytes(2);
      await new Promise((r) => setTimeout(r, 100));
      expect(client.hex).toBe('0500');
      await client.bytes(12);
      expect(client.hex).toMatch(/^0500050000017f000001/);
      client.destroy();
      expect(await socksOutcome(s.port, '127.0.0.1', echo.port, 100)).toBe('Proxy connection timed out');
    });
  });
});

describe('slow-handshake without where', () => {
  it('delays every reply: greeting and CONNECT each wait delayMs', async () => {
    await withFault({ type: 'slow-handshake', attributes: { delayMs: 60 } }, async (s) => {
      const client = await RawClient.open(s.port);
      const started = performance.now();
      client.send(GREETING_NO_AUTH + connectRequest('127.0.0.1', echo.port));
      await client.bytes(2);
      const greetingAt = performance.now() - started;
      await client.bytes(12);
      const connectAt = performance.now() - started;
      expect(greetingAt).toBeGreaterThanOrEqual(55);
      expect(connectAt - greetingAt).toBeGreaterThanOrEqual(55);
      client.destroy();
    });
  });
});

describe('truncate-reply', () => {
  it('chunked: the CONNECT reply leaves in 3-byte writes, and the client still connects', async () => {
    await withFault({ type: 'truncate-reply', attributes: { mode: 'chunked', chunkBytes: 3, delayMs: 5 } }, async (s) => {
      expect(await socksOutcome(s.port, '127.0.0.1', echo.port)).toBe('connected');
      const transcript = (await s.closeOf(1)).transcript ?? [];
      const writes = transcript.filter((l) => l.startsWith('< ')).map((l) => l.slice(2));
      expect(writes[0]).toBe('0500');
      expect(writes.slice(1, 5).map((w) => w.length / 2)).toEqual([3, 3, 3, 1]);
    });
  });

  it('close-after: only the first 4 bytes, then a close; the client sees “Socket closed”', async () => {
    await withFault({ type: 'truncate-reply', attributes: { mode: 'close-after', bytes: 4 } }, async (s) => {
      const client = await RawClient.open(s.port);
      client.send(GREETING_NO_AUTH + connectRequest('127.0.0.1', echo.port));
      await client.closed();
      expect(client.hex).toBe('0500' + '05000001');
      expect(await socksOutcome(s.port, '127.0.0.1', echo.port)).toBe('Socket closed');
    });
  });
});

describe('blackhole', () => {
  it('reads the greeting and never answers; the client times out', async () => {
    await withFault({ type: 'blackhole' }, async (s) => {
      expect(await socksOutcome(s.port, '127.0.0.1', echo.port, 150)).toBe('Proxy connection timed out');
      const client = await RawClient.open(s.port);
      client.send(GREETING_NO_AUTH + '0102030405');
      await new Promise((r) => setTimeout(r, 50));
      expect(client.hex).toBe('');
      expect(client.ended).toBeUndefined();
      client.shutdown();
      await client.closed();
      expect(s.logs()).toEqual([]);
    });
  });
});

describe('reply-code', () => {
  const names: Record<number, string> = {
    1: 'Failure', 2: 'NotAllowed', 3: 'NetworkUnreachable', 4: 'HostUnreachable', 5: 'ConnectionRefused', 6: 'TTLExpired', 7: 'CommandNotSupported', 8: 'AddressNotSupported',
  };
  for (const code of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`answers 05 0${code} without dialling; the client reports ${names[code]}`, async () => {
      await withFault({ type: 'reply-code', attributes: { code } }, async (s) => {
        const client = await RawClient.open(s.port);
        client.send(GREETING_NO_AUTH + connectRequest('127.0.0.1', echo.port));
        await client.closed();
        expect(client.hex).toBe(`0500050${code}0001000000000000`);
        expect((await s.closeOf(1)).dialled).toBeUndefined();
        expect(await socksOutcome(s.port, '127.0.0.1', echo.port)).toBe(`Socks5 proxy rejected connection - ${names[code]}`);
      });
    });
  }
});

describe('reply-code after a delay', () => {
  it('holds the reply delayMs, then answers', async () => {
    await withFault({ type: 'reply-code', attributes: { code: 4, delayMs: 200 } }, async (s) => {
      const client = await RawClient.open(s.port);
      client.send(GREETING_NO_AUTH + connectRequest('127.0.0.1', echo.port));
      await client.bytes(2);
      await new Promise((r) => setTimeout(r, 80));
      expect(client.hex).toBe('0500');
      await client.closed();
      expect(client.hex).toBe('0500' + '05040001000000000000');
    });
  });
});

describe('not-socks', () => {
  it('answers the greeting with an HTTP response, as a port held by a web server would', async () => {
    const text = 'HTTP/1.1 400 Bad Request\r\n\r\n';
    await withFault({ type: 'not-socks', attributes: { text } }, async (s) => {
      const client = await RawClient.open(s.port);
      client.send(GREETING_NO_AUTH);
      await client.closed();
      expect(client.received.toString()).toBe(text);
      expect(await socksOutcome(s.port, '127.0.0.1', echo.port)).toBe('Received invalid Socks5 initial handshake (invalid socks version)');
    });
  });

  it('takes hex bytes too', async () => {
    await withFault({ type: 'not-socks', attributes: { hex: '0400' } }, async (s) => {
      const client = await RawClient.open(s.port);
      client.send(GREETING_NO_AUTH);
      await client.closed();
      expect(client.hex).toBe('0400');
    });
  });
});

describe('reset', () => {
  it('sends a TCP RST at accept, before a byte is read; the client sees ECONNRESET', async () => {
    await withFault({ type: 'reset', where: 'accept' }, async (s) => {
      // The RST can beat Node's connect callback: both are the client seeing a reset.
      const opened = await RawClient.open(s.port).catch((error: NodeJS.ErrnoException) => String(error.code));
      if (typeof opened !== 'string') {
        await opened.closed();
        expect(opened.ended).toBe('reset');
      } else expect(opened).toBe('ECONNRESET');
      expect(await socksOutcome(s.port, '127.0.0.1', echo.port)).toMatch(/ECONNRESET|Socket closed/);
    });
  });

  for (const where of ['greeting', 'connect'] as const) {
    it(`sends a TCP RST at ${where}; the client sees ECONNRESET`, async () => {
      await withFault({ type: 'reset', where }, async (s) => {
        const client = await RawClient.open(s.port);
        client.send(GREETING_NO_AUTH + connectRequest('127.0.0.1', echo.port));
        await client.closed();
        expect(client.ended).toBe('reset');
        expect(client.hex).toBe(where === 'connect' ? '0500' : '');
        expect(await socksOutcome(s.port, '127.0.0.1', echo.port)).toMatch(/ECONNRESET|Socket closed/);
      });
    });
  }
});

describe('tailnet-not-ready', () => {
  const peers = [{ address: '100.84.184.84', names: ['devbox'], ports: { 80: `127.0.0.1:${0}` } }];
  it('fails the first N tailnet CONNECTs like a node not logged in; host targets still work', async () => {
    peers[0]!.ports = { 80: `127.0.0.1:${echo.port}` };
    await withFault({ type: 'tailnet-not-ready', attributes: { attempts: 2 } }, async (s) => {
      expect(await socksOutcome(s.port, '127.0.0.1', echo.port)).toBe('connected');
      expect(await socksOutcome(s.port, 'devbox', 80)).toBe('Socks5 proxy rejected connection - Failure');
      expect(await socksOutcome(s.port, '100.84.184.84', 80)).toBe('Socks5 proxy rejected connection - Failure');
      expect(await socksOutcome(s.port, 'devbox', 80)).toBe('connected');
      expect(s.logs()).toEqual(Array(2).fill('socks5: client connection failed: context deadline exceeded'));
    }, { peers, dialTimeoutMs: 50 });
  });

  it('or for the first forMs after it is set', async () => {
    await withFault({ type: 'tailnet-not-ready', attributes: { forMs: 10_000 } }, async (s) => {
      const client = await RawClient.open(s.port);
      client.send(GREETING_NO_AUTH + connectRequest('100.84.184.84', 80));
      await client.closed();
      expect(client.hex).toBe('0500' + GENERAL_FAILURE);
      s.setFaults([{ type: 'tailnet-not-ready', attributes: { forMs: 0 } }]);
      expect(await socksOutcome(s.port, 'devbox', 80)).toBe('connected');
    }, { peers, dialTimeoutMs: 50 });
  });
});
