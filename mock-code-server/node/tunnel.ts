// Connection type 3 (Tunnel): after `{"type":"ok"}` the WebSocket carries raw bytes to a TCP
// port on the server's side (remoteExtensionHostAgentServer.ts _handleTunnel). This mock only
// dials loopback; any other host fails the way an unreachable one does: the socket ends.
import { connect, isIP } from 'node:net';
import type { ProtocolSocket } from './protocol-socket.ts';

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

export function openTunnel(socket: ProtocolSocket, host: string, port: number): void {
  if (!isLoopbackHost(host) || !Number.isInteger(port) || port <= 0 || port > 65535) {
    socket.end();
    return;
  }
  const held: Uint8Array[] = [];
  let connected = false;
  const target = connect({ host, port });
  socket.switchToRaw((bytes) => {
    if (connected) target.write(bytes);
    else held.push(bytes);
  });
  target.on('connect', () => {
    connected = true;
    for (const bytes of held.splice(0)) target.write(bytes);
  });
  target.on('data', (data: Buffer) => socket.sendRaw(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
  target.on('error', () => socket.end());
  target.on('close', () => socket.end());
  socket.onClose(() => target.destroy());
}
