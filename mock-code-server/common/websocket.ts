// The slice of the WebSocket API the client needs. The browser's WebSocket and the `ws` package's
// both provide it; the constructor is typed loosely because their event types differ.
export type WebSocketConstructor = new (url: string) => unknown;

export interface WebSocketLike {
  binaryType: string;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

export function openWebSocket(WebSocket: WebSocketConstructor, url: string): WebSocketLike {
  const socket = new WebSocket(url) as WebSocketLike;
  socket.binaryType = 'arraybuffer';
  return socket;
}

/** Message data as bytes: ArrayBuffer from both implementations with binaryType 'arraybuffer'. */
export function messageBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}
