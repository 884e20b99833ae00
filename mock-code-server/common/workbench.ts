// connectWorkbench: what a VS Code workbench does on load, over any WebSocket implementation —
// the management connection, then the extension host connection, each kept alive across drops.
import { systemClock, type Clock } from './clock.ts';
import { clientTimings, type ClientTimings } from './client-timings.ts';
import type { ProtocolError } from './errors.ts';
import { ExtensionHostClient } from './extension-host-client.ts';
import { ConnectionType, NO_CONNECTION_TOKEN } from './handshake.ts';
import { ManagementClient } from './management-client.ts';
import { PersistentConnection } from './persistent-connection.ts';
import { PermanentFailures } from './reconnect-policy.ts';
import type { ConnectionName, TimelineEvent, TimelineListener } from './timeline.ts';
import type { WebSocketConstructor } from './websocket.ts';

export interface WorkbenchOptions {
  /**
   * Where the workbench page was served from, e.g. 'http://127.0.0.1:8080/' or
   * 'https://proxy/dev/code/'; in a browser it may be relative to the page ('./', '/dev/code/').
   */
  baseUrl: string;
  /** The browser's WebSocket, or `ws`'s in Node. */
  WebSocket: WebSocketConstructor;
  /** The server's commit (from the page: see commitFromWorkbenchPage). A mismatch is refused. */
  commit: string;
  /** Multiplies every protocol timer, handshake deadline and reconnection delay; default 1. */
  timeScale?: number;
  /** VS Code's waits (client-timings.ts), overridden in VS Code's units before timeScale applies. */
  timings?: Partial<ClientTimings>;
  onTimeline?: TimelineListener;
  /** Default '00000000000000000000': code-server runs without a connection token. */
  connectionToken?: string;
  /** Sent in the management context; default the host of baseUrl. */
  remoteAuthority?: string;
  /** Open the extension host connection too; default true. */
  extensionHost?: boolean;
  clock?: Clock;
}

export interface Workbench {
  management: ManagementClient;
  /** Undefined when opened with extensionHost: false. */
  extensionHost: ExtensionHostClient | undefined;
  timeline: TimelineEvent[];
  /** Connection tokens in use (the reconnectionToken query parameter). */
  tokens(): Record<ConnectionName, string | undefined>;
  /** Graceful end: Disconnect, then close; no reconnection. */
  close(): void;
}

/** The WebSocket URL a workbench opens: `<base>/stable-<commit>?reconnectionToken=…&reconnection=…&skipWebSocketFrames=false`. */
export function workbenchSocketUrl(baseUrl: string, commit: string, token: string, reconnection: boolean): string {
  const url = resolveBase(baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.pathname += `stable-${commit}`;
  url.search = `?reconnectionToken=${encodeURIComponent(token)}&reconnection=${reconnection}&skipWebSocketFrames=false`;
  url.hash = '';
  return url.toString();
}

/** An absolute base, or one relative to the page (in a browser), e.g. './' or '/dev/code/'. */
function resolveBase(baseUrl: string): URL {
  return new URL(baseUrl, typeof location === 'undefined' ? undefined : location.href);
}

/** The commit as a code-server page names it in its asset paths (`./stable-<commit>/static/…`). */
export function commitFromWorkbenchPage(html: string): string | undefined {
  return /stable-([0-9a-f]{40})\//.exec(html)?.[1];
}

export async function connectWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  const clock = options.clock ?? systemClock;
  const timeScale = options.timeScale ?? 1;
  const startedAt = clock.now();
  const timeline: TimelineEvent[] = [];
  const emitter = (connection: ConnectionName) => (event: Omit<TimelineEvent, 't' | 'connection'>) => {
    const full: TimelineEvent = { t: clock.now() - startedAt, connection, ...event };
    timeline.push(full);
    options.onTimeline?.(full);
  };
  const common = {
    WebSocket: options.WebSocket,
    url: (token: string, reconnection: boolean) => workbenchSocketUrl(options.baseUrl, options.commit, token, reconnection),
    commit: options.commit,
    connectionToken: options.connectionToken ?? NO_CONNECTION_TOKEN,
    clock,
    timings: clientTimings(timeScale, options.timings),
    failures: new PermanentFailures(),
  };

  const emitManagement = emitter('management');
  const managementConnection = new PersistentConnection({
    ...common,
    name: 'management',
    desiredConnectionType: ConnectionType.Management,
    fatal: true,
    emit: emitManagement,
    onMessage: (data) => management.acceptMessage(data),
    onFailed: (error: ProtocolError) => management.fail(error),
  });
  const management = new ManagementClient(
    (data) => managementConnection.send(data),
    () => emitManagement({ kind: 'message', reason: 'initialize' }),
  );
  await managementConnection.start();
  management.start({ remoteAuthority: options.remoteAuthority ?? resolveBase(options.baseUrl).host, clientId: 'renderer' });

  let extensionHost: ExtensionHostClient | undefined;
  let extensionConnection: PersistentConnection | undefined;
  if (options.extensionHost !== false) {
    const emitExtension = emitter('extensionHost');
    extensionConnection = new PersistentConnection({
      ...common,
      name: 'extensionHost',
      desiredConnectionType: ConnectionType.ExtensionHost,
      fatal: false,
      args: { language: 'en', break: false, port: null, env: {} },
      emit: emitExtension,
      onMessage: (data) => extensionHost?.acceptMessage(data),
      onFailed: (error: ProtocolError) => extensionHost?.fail(error),
    });
    extensionHost = new ExtensionHostClient(
      (data) => extensionConnection?.send(data),
      () => emitExtension({ kind: 'message', reason: 'extension host ready' }),
    );
    // Its fifth failed attempt fails the management connection too (triggerPermanentFailure).
    await extensionConnection.start();
  }

  return {
    management,
    extensionHost,
    timeline,
    tokens: () => ({ management: managementConnection.token, extensionHost: extensionConnection?.token }),
    close() {
      managementConnection.close();
      extensionConnection?.close();
    },
  };
}
