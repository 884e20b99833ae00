// The browser's side in tests: a `ws` client whose close code and reason are what a browser's
// onclose would report (1006 when the connection ended without a close frame or the upgrade failed).
import { WebSocket, type ClientOptions } from 'ws';

export interface Closed {
  code: number;
  reason: string;
}

export interface TestClient {
  ws: WebSocket;
  /** Resolves on open, rejects with the upgrade failure. */
  opened: Promise<void>;
  closed: Promise<Closed>;
  /** The next message as a Buffer. */
  next(): Promise<Buffer>;
}

export function openClient(url: string, options: ClientOptions = {}): TestClient {
  const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024, ...options });
  ws.on('error', () => {}); // reported through `closed` (1006), as a browser does
  const queue: Buffer[] = [];
  const waiters: ((b: Buffer) => void)[] = [];
  ws.on('message', (data: Buffer) => {
    const waiter = waiters.shift();
    if (waiter) waiter(data);
    else queue.push(data);
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', (code) => reject(new Error(`closed before open: ${code}`)));
  });
  opened.catch(() => {}); // a test expecting a refusal awaits `closed` only
  return {
    ws,
    opened,
    closed: new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))),
    next: () => {
      const queued = queue.shift();
      return queued ? Promise.resolve(queued) : new Promise((resolve) => waiters.push(resolve));
    },
  };
}
