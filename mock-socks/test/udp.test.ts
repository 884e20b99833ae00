// UDP ASSOCIATE beyond the recorded echo: bad datagrams are dropped and logged, the association
// ends with its TCP control connection, non-loopback targets are dropped.
import { describe, expect, it } from 'vitest';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { server } from './fixture.ts';
import { startUdpEcho } from './targets.ts';
import { RawClient } from './wire.ts';
import { GREETING_NO_AUTH } from './requests.ts';

const UDP_REQUEST = '05030001000000000000';

function nextMessage(socket: UdpSocket): Promise<Buffer> {
  return new Promise((resolve) => socket.once('message', resolve));
}

describe('UDP ASSOCIATE', () => {
  it('logs and drops bad datagrams, relays good ones, ends with the control connection', async () => {
    const echo = await startUdpEcho();
    const s = await server();
    const client = await RawClient.open(s.port);
    client.send(GREETING_NO_AUTH + UDP_REQUEST);
    await client.bytes(12);
    expect(client.hex).toMatch(/^0500050000017f000001[0-9a-f]{4}$/);
    const relayPort = client.received.readUInt16BE(10);
    const udp = createSocket('udp4');
    udp.send(Buffer.from('0000', 'hex'), relayPort, '127.0.0.1');
    udp.send(Buffer.from('0100000100000000', 'hex'), relayPort, '127.0.0.1');
    await s.logged(2);
    const header = '000000017f000001' + echo.port.toString(16).padStart(4, '0');
    const reply = nextMessage(udp);
    udp.send(Buffer.from(header + '6869', 'hex'), relayPort, '127.0.0.1');
    expect((await reply).toString('hex')).toBe(header + '6869');
    expect(s.logs()).toEqual([
      'socks5: udp transfer: handle udp request fail: parse udp request: invalid packet length',
      'socks5: udp transfer: handle udp request fail: parse udp request: invalid udp request header',
    ]);
    client.shutdown();
    await client.closed();
    const record = await s.closeOf(1);
    expect(record.bytesUp).toBe(2);
    udp.close();
    await s.close();
    await echo.close();
  });

  it('never sends off loopback: a datagram for 192.0.2.1 is dropped and logged as a dial failure', async () => {
    const s = await server();
    const client = await RawClient.open(s.port);
    client.send(GREETING_NO_AUTH + UDP_REQUEST);
    await client.bytes(12);
    const udp = createSocket('udp4');
    udp.send(Buffer.from('00000001c00002010035' + '00', 'hex'), client.received.readUInt16BE(10), '127.0.0.1');
    expect(await s.logged(1)).toEqual([
      'socks5: udp transfer: handle udp request fail: dial target 192.0.2.1:53 fail: dial udp 192.0.2.1:53: connect: network is unreachable',
    ]);
    client.destroy();
    expect((await s.closeOf(1)).bytesUp).toBe(0);
    udp.close();
    await s.close();
  });

  it('binds the relay on the address the client reached: ::1 gives an ATYP 04 reply and a udp6 relay', async () => {
    const echo = await startUdpEcho();
    const s = await server({ listen: '[::1]:0' });
    const client = await RawClient.open(s.port, '::1');
    client.send(GREETING_NO_AUTH + UDP_REQUEST);
    await client.bytes(2 + 22);
    expect(client.hex).toMatch(/^05000500000400000000000000000000000000000001[0-9a-f]{4}$/);
    const udp = createSocket('udp6');
    const header = '000000017f000001' + echo.port.toString(16).padStart(4, '0');
    const reply = nextMessage(udp);
    udp.send(Buffer.from(header + '6f6b', 'hex'), client.received.readUInt16BE(22), '::1');
    expect((await reply).toString('hex')).toBe(header + '6f6b');
    client.destroy();
    udp.close();
    await s.close();
    await echo.close();
  });
});
