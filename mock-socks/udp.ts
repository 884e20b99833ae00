// UDP ASSOCIATE, as tailscaled: a UDP socket on the address the client reached us on, one outgoing
// socket per target, replies wrapped in the header the client wrote and sent to the latest sender.
// The association lives exactly as long as the TCP control connection.
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { isIP } from 'node:net';
import { REPLY_GENERAL_FAILURE, REPLY_SUCCEEDED, errorReply, parseUdpDatagram, successReply } from './codec.ts';
import type { Connection } from './connection.ts';
import { isLoopback, splitHostPort } from './dial.ts';
import { LOG_PREFIX } from './log.ts';
import type { TailnetMap } from './tailnet.ts';

export interface UdpEnvironment {
  tailnet: TailnetMap;
  allowNonLoopback: boolean;
}

/** Where a datagram for host:port really goes, or undefined to drop it (never off loopback by default). */
function udpTarget(host: string, port: number, env: UdpEnvironment): { host: string; port: number } | undefined {
  const target = env.tailnet.resolve(host);
  if (target.kind === 'tailnet') {
    const local = target.peer?.state === 'up' ? target.peer.ports.get(port) : undefined;
    if (!local) return undefined;
    const [localHost, localPort] = splitHostPort(local);
    return isLoopback(localHost) || env.allowNonLoopback ? { host: localHost, port: localPort } : undefined;
  }
  if (host.toLowerCase() === 'localhost' || host === '') return { host: '127.0.0.1', port };
  if (!isIP(host)) return undefined;
  return isLoopback(host) || env.allowNonLoopback ? { host, port } : undefined;
}

function closeQuietly(socket: UdpSocket): void {
  try {
    socket.close();
  } catch {
    // Already closed: the control connection and the server can both end an association.
  }
}

function bindUdp(type: 'udp4' | 'udp6', address: string): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(type);
    socket.once('error', reject);
    socket.bind(0, address, () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      resolve(socket);
    });
  });
}

export async function udpAssociate(conn: Connection, env: UdpEnvironment): Promise<void> {
  conn.phase = 'udp';
  const localAddress = (conn.socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/i, '');
  const family = isIP(localAddress) === 6 ? 'udp6' : 'udp4';
  let relay: UdpSocket;
  try {
    relay = await bindUdp(family, localAddress);
  } catch (error) {
    conn.replyCode = REPLY_GENERAL_FAILURE;
    return conn.fail('connect', errorReply(REPLY_GENERAL_FAILURE), `udp listen: ${(error as Error).message}`);
  }
  conn.addCompanion({ destroy: () => closeQuietly(relay) });
  const outgoing = new Map<string, UdpSocket>();
  let latestSender: RemoteInfo | undefined;

  relay.on('message', (packet, from) => {
    latestSender = from;
    const parsed = parseUdpDatagram(packet);
    if (!parsed.ok) {
      conn.deps.logger.emit(LOG_PREFIX + 'udp transfer: %v', `${LOG_PREFIX}udp transfer: handle udp request fail: parse udp request: ${parsed.error}`);
      return;
    }
    const target = udpTarget(parsed.host, parsed.port, env);
    if (!target) return;
    const key = parsed.header.subarray(3).toString('hex');
    let socket = outgoing.get(key);
    if (!socket) {
      const created = createSocket(isIP(target.host) === 6 ? 'udp6' : 'udp4');
      created.on('error', () => {});
      // RSV and FRAG go back as zero; ATYP, address and port exactly as the client wrote them.
      const header = Buffer.concat([Buffer.alloc(3), parsed.header.subarray(3)]);
      created.on('message', (reply) => {
        if (!latestSender) return;
        conn.bytesDown += reply.length;
        relay.send(Buffer.concat([header, reply]), latestSender.port, latestSender.address);
      });
      conn.addCompanion({ destroy: () => closeQuietly(created) });
      outgoing.set(key, created);
      socket = created;
    }
    conn.bytesUp += parsed.data.length;
    socket.send(parsed.data, target.port, target.host);
  });

  conn.replyCode = REPLY_SUCCEEDED;
  const bound = relay.address();
  if ((await conn.reply('connect', successReply(bound.address, bound.port))) === 'stop') return;
  await conn.reader.discardUntilEnd();
  conn.close();
}
