// Moves messages between the two WebSockets once both are open, with backpressure: a side whose
// messages are not yet written on the other side beyond the high-water mark is paused until they
// drain, so a fast sender cannot grow the proxy's memory without bound.
import { WebSocket, type RawData } from 'ws';

export interface RelayCounters {
  bytes: number;
}

/**
 * Forwards `from`'s messages to `peer()`; until the peer exists and is open they are queued, and
 * the returned function sends them once it is.
 */
export function forwardMessages(from: WebSocket, peer: () => WebSocket | undefined, highWaterMarkBytes: number, counters: RelayCounters): () => void {
  let pending = 0;
  const early: { data: RawData; isBinary: boolean }[] = [];
  const send = (data: RawData, isBinary: boolean) => {
    const to = peer();
    if (!to) return;
    const size = byteLength(data);
    counters.bytes += size;
    pending += size;
    to.send(data, { binary: isBinary }, () => {
      pending -= size;
      if (pending <= highWaterMarkBytes / 2 && from.isPaused && from.readyState === WebSocket.OPEN) from.resume();
    });
    if (pending > highWaterMarkBytes && from.readyState === WebSocket.OPEN) from.pause();
  };
  from.on('message', (data, isBinary) => {
    const state = peer()?.readyState ?? WebSocket.CONNECTING;
    if (state === WebSocket.OPEN && early.length === 0) return send(data, isBinary);
    if (state !== WebSocket.CONNECTING && state !== WebSocket.OPEN) return;
    // The browser speaks first (the workbench's auth message) while the upstream is still dialling.
    early.push({ data, isBinary });
    pending += byteLength(data);
    if (pending > highWaterMarkBytes) from.pause();
  });
  return () => {
    for (const message of early.splice(0)) {
      pending -= byteLength(message.data);
      send(message.data, message.isBinary);
    }
    if (from.isPaused && pending <= highWaterMarkBytes / 2) from.resume();
  };
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

/** Close codes a peer may put in a close frame (RFC 6455 §7.4): 1005, 1006 and 1015 are reserved. */
export function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}
