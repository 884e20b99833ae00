// The npm `socks` client (the one the proxy uses), for tests that want a real client's view.
import { SocksClient } from 'socks';
import type { Socket } from 'node:net';

export async function socksConnect(proxyPort: number, host: string, port: number, timeoutMs = 2000): Promise<Socket> {
  const { socket } = await SocksClient.createConnection({
    proxy: { host: '127.0.0.1', port: proxyPort, type: 5 },
    command: 'connect',
    destination: { host, port },
    timeout: timeoutMs,
  });
  return socket;
}

/** The client's rejection message, or 'connected'. */
export async function socksOutcome(proxyPort: number, host: string, port: number, timeoutMs = 2000): Promise<string> {
  try {
    const socket = await socksConnect(proxyPort, host, port, timeoutMs);
    socket.destroy();
    return 'connected';
  } catch (error) {
    return (error as Error).message;
  }
}

/** Writes `data`, collects everything until the socket ends. */
export function exchange(socket: Socket, data: string | Buffer): Promise<{ data: Buffer; error?: string }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let error: string | undefined;
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.on('close', () => resolve({ data: Buffer.concat(chunks), error }));
    socket.write(data);
  });
}
