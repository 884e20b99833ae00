// A smaller run of the same fuzzer as `npm run fuzz`, in every test run.
import { describe, expect, it } from 'vitest';
import { runFuzz, watchDestinations } from '../fuzz/fuzzer.ts';
import { connect } from 'node:net';
import { createSocket } from 'node:dgram';
import { confineDestination, udpDatagrams, type FuzzTargets } from '../fuzz/conversations.ts';
import { parseUdpDatagram } from '../codec.ts';
import { mulberry32 } from '../../common/prng.ts';
import { GREETING_NO_AUTH, connectRequest } from './requests.ts';

const targets: FuzzTargets = {
  echoPorts: [7], closedPort: 9, udpEchoPort: 11, peerAddress: '100.84.184.84', peerNames: ['devbox'], unknownTailnetAddress: '100.101.102.103',
  credentials: { user: 'u', pass: 'p' },
};

describe('fuzz', () => {
  it('3,000 random and mutated conversations: no crash, no unhandled rejection, nothing off loopback, every socket closed', async () => {
    const report = await runFuzz({ count: 3000, seed: 7, concurrency: 32 });
    expect(report.unhandled).toEqual([]);
    expect(report.nonLoopbackDials).toEqual([]);
    expect(report.stuck).toBe(0);
    expect(report.serverConnectionsAfter).toBe(0);
    expect(report.handlesAfter).toBeLessThanOrEqual(report.handlesBefore);
    // The UDP relay was exercised, not just the TCP paths.
    expect(report.udpDatagramsRelayed).toBeGreaterThan(0);
  }, 60_000);

  it('the destination watch sees every TCP connect and UDP send of the process', async () => {
    const seen: string[] = [];
    const unwatch = watchDestinations((host) => seen.push(host));
    try {
      const socket = connect({ host: '127.0.0.2', port: 9 });
      socket.on('error', () => {});
      socket.destroy();
      const udp = createSocket('udp6');
      await new Promise<void>((resolve) => udp.send(Buffer.from('x'), 9, '::1', () => resolve()));
      udp.close();
    } finally {
      unwatch();
    }
    // dgram's send re-enters itself after the address lookup, so a send may be seen twice.
    expect([...new Set(seen)]).toEqual(['127.0.0.2', '::1']);
  });

  it('rewrites any CONNECT destination the server would read to a safe target', () => {
    const random = mulberry32(3);
    for (let i = 0; i < 200; i++) {
      const out = confineDestination(Buffer.from(GREETING_NO_AUTH + connectRequest('8.8.8.8', 53), 'hex'), random, targets, false);
      const host = out.subarray(7, 11).join('.');
      expect(['127.0.0.1', '100.84.184.84', '100.101.102.103']).toContain(host);
      expect([7, 9, 80, 81]).toContain(out.readUInt16BE(11));
    }
  });

  it('every datagram the server would parse names the UDP echo target or the tailnet', () => {
    const random = mulberry32(5);
    const allowed = new Set(['127.0.0.1', '::1', 'localhost', '', 'devbox', '100.84.184.84', '100.101.102.103']);
    let parsed = 0;
    for (let i = 0; i < 500; i++) {
      for (const datagram of udpDatagrams(random, targets)) {
        const result = parseUdpDatagram(datagram);
        if (!result.ok) continue;
        parsed += 1;
        expect(allowed).toContain(result.host);
      }
    }
    expect(parsed).toBeGreaterThan(100);
  });

  it('leaves a request the server would never read alone, and keeps a truncated one truncated', () => {
    const random = mulberry32(4);
    const unread = Buffer.from('0401' + connectRequest('8.8.8.8', 53), 'hex');
    expect(confineDestination(unread, random, targets, false)).toEqual(unread);
    const truncated = Buffer.from(GREETING_NO_AUTH + connectRequest('8.8.8.8', 53), 'hex').subarray(0, 9);
    expect(confineDestination(truncated, random, targets, false).length).toBe(9);
  });
});
