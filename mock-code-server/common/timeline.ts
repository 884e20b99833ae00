// What the client reports as it goes: the harness page and the tests read this, not logs.
export type ConnectionName = 'management' | 'extensionHost';

export interface TimelineEvent {
  /** ms since connectWorkbench was called (on the client's clock). */
  t: number;
  connection: ConnectionName;
  /**
   * attempt: a socket is being created (reason 'initial' or 'reconnection') · open: the WebSocket
   * opened · handshake: the server accepted (reason 'ok' or 'reconnected…') · close: a WebSocket
   * ended (code + reason as the WebSocket API reported them; lost = un-acked messages given up,
   * only when the connection is over for good) · reconnect: the wait before an attempt starts ·
   * message: a protocol milestone (Initialize, extension host ready) · error: an attempt failed,
   * or a dead socket (reason says why: `Time limit reached`, `Connection error: …`).
   */
  kind: 'attempt' | 'open' | 'handshake' | 'close' | 'reconnect' | 'message' | 'error';
  code?: number;
  reason?: string;
  lost?: number;
  /** Attempt number (1-based): initial attempts 1–5, then each reconnection loop's own count. */
  attempt?: number;
}

export type TimelineListener = (event: TimelineEvent) => void;
