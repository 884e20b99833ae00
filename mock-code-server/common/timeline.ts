// What the client reports as it goes: the harness page and the tests read this, not logs.
export type ConnectionName = 'management' | 'extensionHost';

export interface TimelineEvent {
  /** ms since connectWorkbench was called (on the client's clock). */
  t: number;
  connection: ConnectionName;
  /**
   * open: the WebSocket opened · handshake: the server accepted (reason 'ok' or 'reconnected…') ·
   * close: a WebSocket ended (code + reason as the WebSocket API reported them; lost = un-acked
   * messages given up, only when the connection is over for good) · reconnect: an attempt is
   * scheduled · message: a protocol milestone (Initialize, extension host ready) · error: a
   * handshake refusal, timeout or dead socket (reason says which).
   */
  kind: 'open' | 'handshake' | 'close' | 'reconnect' | 'message' | 'error';
  code?: number;
  reason?: string;
  lost?: number;
  /** Reconnection attempt number (1-based), on reconnect events. */
  attempt?: number;
}

export type TimelineListener = (event: TimelineEvent) => void;
