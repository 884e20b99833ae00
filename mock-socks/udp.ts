// UDP ASSOCIATE, as tailscaled: a UDP socket on the address the client reached us on, one outgoing
// socket per target, replies wrapped in the header the client wrote and sent to the latest sender.
// The association lives exactly as long as the TCP control connection.
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { isIP } from 'node:net';
import { joinHostPort, splitHostPort } from '../common/host-port.ts';
import { REPLY_GENERAL_FAILURE, REPLY_SUCCEEDED, errorReply, parseUdpDatagram, successReply } from './codec.ts';
import type { Connection } from './connection.ts';
import { isLoopback } from './dial.ts';
import { LOG_PREFIX } from './log.ts';
import type { TailnetMap } from './tailnet.ts';

/** The format string tailscaled logs bad datagrams with; the rate limiter keys on it. */
const UDP_FAILURE_FORMAT = LOG_PREFIX + 'udp transfer: handle udp request fail: %v';

export interface UdpEnvironment {
  tailnet: TailnetMap;
  allowNonLoopback: boolean;
}

type UdpRoute =
  | { send: true; host: string; port: number }
  /** Sent into the tailnet where nothing answers: a UDP "dial" succeeds and the datagram vanishes. */
  | { send: false }
  /** The mock's refusal to leave loopback, worded as the Go dial error tailscaled would log. */
  | { send: false; dialError: string };

/** Where a datagram for host:port really goes. Never off loopback unless opted in. */
function udpRoute(host: string, port: number, env: UdpEnvironment): UdpRoute {
  const target = env.tailnet.resolve(host);
  if (target.kind === 'tailnet') {
    const local = target.peer?.state === 'up' ? target.peer.ports.get(port) : undefined;
    const endpoint = local === undefined ? undefined : splitHostPort(local);
    if (!endpoint) return { send: false };
    return isLoopback(endpoint.host) || env.allowNonLoopback ? { send: true, host: endpoint.host, port: endpoint.port } : { send: false };
  }
  if (host.toLowerCase() === 'localhost' || host === '') return { send: true, host: '127.0.0.1', port };
  if (!isIP(host)) return { send: false, dialError: `dial udp: lookup ${host}: no such host` };
  if (isLoopback(host) || env.allowNonLoopback) return { send: true, host, port };
  return { send: false, dialError: `dial udp ${joinHostPort(host, port)}: connect: network is unreachable` };
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
  const logUdpFailure = (message: string) => conn.deps.logger.emit(UDP_FAILURE_FORMAT, `${LOG_PREFIX}udp transfer: handle udp request fail: ${message}`);
  let latestSender: RemoteInfo | undefined;

  relay.on('message', (packet, from) => {
    latestSender = from;
    const parsed = parseUdpDatagram(packet);
    if (!parsed.ok) return logUdpFailure(`parse udp request: ${parsed.error}`);
    const target = udpRoute(parsed.host, parsed.port, env);
    if (!target.send) {
      if ('dialError' in target) logUdpFailure(`dial target ${joinHostPort(parsed.host, parsed.port)} fail: ${target.dialError}`);
      return;
    }
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
