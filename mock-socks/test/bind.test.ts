// Each bind mode, proven by dialling both 127.0.0.1 and ::1.
import { describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { startMockSocks, type BindMode } from '../index.ts';
import { planListen } from '../bind.ts';

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const cases: [string, BindMode, { v4: boolean; v6: boolean }, number][] = [
  ['localhost:0', 'go', { v4: true, v6: false }, 1],
  [':0', 'go', { v4: true, v6: true }, 1],
  ['[::1]:0', 'go', { v4: false, v6: true }, 1],
  ['localhost:0', 'ipv4-only', { v4: true, v6: false }, 1],
  ['localhost:0', 'ipv6-only', { v4: false, v6: true }, 1],
  ['localhost:0', 'dual', { v4: true, v6: true }, 2],
];

describe('bind modes', () => {
  for (const [listen, bind, expected, sockets] of cases) {
    it(`${bind} ${listen}: 127.0.0.1 ${expected.v4 ? 'accepts' : 'refused'}, ::1 ${expected.v6 ? 'accepts' : 'refused'}`, async () => {
      const s = await startMockSocks({ listen, bind });
      try {
        expect(s.addresses).toHaveLength(sockets);
        expect(new Set(s.addresses.map((a) => a.port))).toEqual(new Set([s.port]));
        expect({ v4: await accepts('127.0.0.1', s.port), v6: await accepts('::1', s.port) }).toEqual(expected);
      } finally {
        await s.close();
      }
    });
  }

  it('names the listen problem with a stable code', () => {
    expect(() => planListen('example.com', 'go')).toThrow(expect.objectContaining({ code: 'listen.invalid' }));
    expect(planListen('::1', 'ipv4-only')).toEqual([{ host: '127.0.0.1', ipv6Only: false }]);
  });
});
