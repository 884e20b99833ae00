import { createServer } from 'node:net';

/**
 * A port the OS just handed out on 127.0.0.1, for a process that must be told its port up front
 * (a bring-your-own proxy reads PORT, as on Cloud Run). Another process could take it between
 * close and reuse; the window is one event-loop turn.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
