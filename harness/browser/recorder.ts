// Playwright's WebSocket events carry no close code, so the
// page records its own: an init script wraps window.WebSocket before any page script runs.
import { CloseCode } from '../../common/close-codes.ts';

/** One WebSocket the page opened, as the page itself saw it. Times are epoch ms. */
export interface SocketRecord {
  id: number;
  url: string;
  createdAt: number;
  openedAt?: number;
  closedAt?: number;
  code?: number;
  reason?: string;
  wasClean?: boolean;
  /** The socket fired `error` (Chromium does for a failed upgrade, not for a vanished open socket). */
  errored: boolean;
  /**
   * The page itself closed the socket before it opened — a client giving up an attempt (VS Code's
   * window-wide permanent failure disposes a reconnection still connecting). The browser reports
   * that as 1006 too (WHATWG WebSockets, close(): "fail the WebSocket connection"), but no hop
   * could have sent a close frame for it.
   */
  abortedByPage?: boolean;
}

export const RECORDS_GLOBAL = '__harnessSockets';
export const RECORD_BINDING = '__harnessSocketEvent';

/**
 * Plain JavaScript on purpose: a TypeScript function handed to addInitScript is serialised
 * after transpilation, and tsx's keepNames helpers (`__name`) do not exist in the page.
 * Each change is also pushed to the RECORD_BINDING binding when the test exposes one, so the
 * records survive a navigation or a closed page.
 */
export const webSocketRecorderScript = `(() => {
  if (window.${RECORDS_GLOBAL}) return;
  const records = [];
  Object.defineProperty(window, '${RECORDS_GLOBAL}', { value: records, enumerable: false });
  const Native = window.WebSocket;
  let next = 0;
  const report = (record) => {
    const bound = window.${RECORD_BINDING};
    if (typeof bound === 'function') bound(Object.assign({}, record)).catch(() => {});
  };
  class RecordedWebSocket extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      const record = { id: ++next, url: String(this.url), createdAt: Date.now(), errored: false };
      records.push(record);
      report(record);
      this.addEventListener('open', () => { record.openedAt = Date.now(); report(record); });
      this.addEventListener('error', () => { record.errored = true; });
      this.__record = record;
      this.addEventListener('close', (event) => {
        record.closedAt = Date.now();
        record.code = event.code;
        record.reason = event.reason;
        record.wasClean = event.wasClean;
        report(record);
      });
    }
    close(code, reason) {
      if (this.readyState === Native.CONNECTING) this.__record.abortedByPage = true;
      return code === undefined ? super.close() : super.close(code, reason);
    }
  }
  window.WebSocket = RecordedWebSocket;
})();`;

/** Sockets that ended without a close frame on the path: a page's abort of its own connecting socket is not one. */
export function abnormalCloses(records: readonly SocketRecord[]): SocketRecord[] {
  return records.filter((record) => record.code === CloseCode.abnormal && !record.abortedByPage);
}

export class AbnormalCloseError extends Error {
  readonly code = 'E_WEBSOCKET_1006';
  constructor(readonly sockets: SocketRecord[]) {
    super(
      `the page saw ${sockets.length} WebSocket(s) close with 1006 (no close frame):\n` +
        sockets.map((s) => `  #${s.id} ${s.url}${s.openedAt ? ' (had opened)' : ' (never opened)'}`).join('\n'),
    );
    this.name = 'AbnormalCloseError';
  }
}

export function assertNoAbnormalClose(records: readonly SocketRecord[]): void {
  const bad = abnormalCloses(records);
  if (bad.length > 0) throw new AbnormalCloseError(bad);
}

/** Merges snapshots of the same sockets (by page + id), keeping the most advanced state of each. */
export class SocketLog {
  private readonly byKey = new Map<string, SocketRecord>();

  add(pageKey: string, record: SocketRecord): void {
    const key = `${pageKey}#${record.id}`;
    const known = this.byKey.get(key);
    if (!known || (record.closedAt ?? 0) >= (known.closedAt ?? 0)) this.byKey.set(key, { ...known, ...record });
  }

  all(): SocketRecord[] {
    return [...this.byKey.values()].sort((a, b) => a.createdAt - b.createdAt);
  }
}
