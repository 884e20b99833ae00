import { describe, expect, it } from 'vitest';
import { decodeIPv6, encodeAddress, errorReply, ipv6Bytes, parseUdpDatagram, successReply } from '../codec.ts';
import { ByteQueue } from '../reader.ts';

describe('codec', () => {
  it('error replies are always the 10-byte IPv4 form with 0.0.0.0:0', () => {
    expect(errorReply(0x01).toString('hex')).toBe('05010001000000000000');
    expect(errorReply(0x07).toString('hex')).toBe('05070001000000000000');
  });

  it('success replies carry the bind address in its own family', () => {
    expect(successReply('127.0.0.1', 0x1234).toString('hex')).toBe('050000017f0000011234');
    expect(successReply('::ffff:127.0.0.1', 1).toString('hex')).toBe('050000017f0000010001');
    expect(successReply('::1', 80).toString('hex')).toBe('05000004' + '00'.repeat(15) + '01' + '0050');
    expect(successReply('fd7a:115c:a1e0::1', 80).length).toBe(22);
  });

  it('encodes domains with their size byte', () => {
    expect(encodeAddress('devbox', 8888).toString('hex')).toBe('0306646576626f7822b8');
  });

  it('prints IPv6 as Go does', () => {
    expect(decodeIPv6(ipv6Bytes('::1'))).toBe('::1');
    expect(decodeIPv6(ipv6Bytes('fd7a:115c:a1e0::53'))).toBe('fd7a:115c:a1e0::53');
    expect(decodeIPv6(ipv6Bytes('1:0:0:2:0:0:0:3'))).toBe('1:0:0:2::3');
    expect(decodeIPv6(ipv6Bytes('1:2:3:4:5:6:7:8'))).toBe('1:2:3:4:5:6:7:8');
    expect(decodeIPv6(ipv6Bytes('::ffff:127.0.0.1'))).toBe('127.0.0.1');
  });

  it('parses UDP datagrams and names what is wrong with bad ones', () => {
    const ok = parseUdpDatagram(Buffer.from('000000017f0000010035abcd', 'hex'));
    expect(ok).toMatchObject({ ok: true, host: '127.0.0.1', port: 53 });
    if (ok.ok) expect(ok.data.toString('hex')).toBe('abcd');
    expect(parseUdpDatagram(Buffer.from('000000', 'hex'))).toEqual({ ok: false, error: 'invalid packet length' });
    expect(parseUdpDatagram(Buffer.from('0100000100000000', 'hex'))).toEqual({ ok: false, error: 'invalid udp request header' });
    // Past the header, the same address reads and messages as a TCP request.
    expect(parseUdpDatagram(Buffer.from('000000017f00', 'hex'))).toEqual({ ok: false, error: 'could not read IPv4 address' });
    expect(parseUdpDatagram(Buffer.from('000000017f000001', 'hex'))).toEqual({ ok: false, error: 'could not read port' });
    expect(parseUdpDatagram(Buffer.from('00000003', 'hex'))).toEqual({ ok: false, error: 'could not read domain name size' });
    expect(parseUdpDatagram(Buffer.from('0000000309', 'hex'))).toEqual({ ok: false, error: 'could not read domain name' });
    expect(parseUdpDatagram(Buffer.from('00000007', 'hex'))).toEqual({ ok: false, error: 'unsupported address type' });
  });
});

describe('ByteQueue', () => {
  const message = Buffer.from('050100050100017f0000011f90', 'hex');
  it('yields the same exact-length reads whatever the chunking (split at every boundary)', () => {
    const sizes = [2, 1, 3, 1, 4, 2];
    for (let cut = 0; cut <= message.length; cut++) {
      const queue = new ByteQueue();
      queue.push(message.subarray(0, cut));
      queue.push(message.subarray(cut));
      const parts = sizes.map((n) => queue.take(n)?.toString('hex'));
      expect(parts).toEqual(['0501', '00', '050100', '01', '7f000001', '1f90']);
      expect(queue.length).toBe(0);
    }
  });

  it('consumes nothing while too few bytes are queued, and hands back the rest untouched', () => {
    const queue = new ByteQueue();
    queue.push(Buffer.from([1, 2]));
    expect(queue.take(3)).toBeUndefined();
    queue.push(Buffer.from([3, 4]));
    expect(queue.take(3)?.toString('hex')).toBe('010203');
    expect(queue.takeAll().toString('hex')).toBe('04');
  });
});
