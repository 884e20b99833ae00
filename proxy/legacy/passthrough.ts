// Legacy knob `passThroughUpgrade`: the upgrade is relayed as bytes, the way a generic HTTP proxy
// (and the seed notes' first service) does it. The browser's handshake only completes if the
// upstream's does, so a SOCKS failure, a refused upgrade or an upstream that ends its TCP
// connection all reach the browser as 1006. It exists so the harness can show that. It takes the
// product's place as the WebSocket bridge and uses the product's dialer and header policy.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { asProxyError } from '../errors.ts';
import type { UpstreamHeaders } from '../http/headers.ts';
import { recordDialSteps, type AccessRecord } from '../log.ts';
import { SocksDialError, type Dialer } from '../socks/dial.ts';
import type { UpgradeTarget, WebSocketBridge } from '../ws/bridge.ts';
import { requestHead } from '../ws/handshake.ts';

export class PassThroughBridge implements WebSocketBridge {
  private readonly sockets = new Set<Duplex>();
  private readonly dialer: Dialer;
  private readonly upstreamHeaders: UpstreamHeaders;

  constructor(parts: { dialer: Dialer; upstreamHeaders: UpstreamHeaders }) {
    this.dialer = parts.dialer;
    this.upstreamHeaders = parts.upstreamHeaders;
  }

  get size(): number {
    return this.sockets.size;
  }

  accept(req: IncomingMessage, socket: Duplex, head: Buffer, to: UpgradeTarget, record: AccessRecord, ended: (record: AccessRecord) => void): void {
    if (!to.upstream) {
      // A generic proxy with nowhere to send it: the connection just ends (1006).
      socket.destroy();
      return ended(record);
    }
    this.sockets.add(socket);
    void this.relay(req, socket, head, to.upstream, to.target, record, () => {
      this.sockets.delete(socket);
      ended(record);
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
  }

  private async relay(req: IncomingMessage, socket: Duplex, head: Buffer, upstream: URL, target: string, record: AccessRecord, done: () => void): Promise<void> {
    const started = performance.now();
    socket.on('error', (error) => (record.cause ??= `browser.error ${error.message}`));
    // The server's sockets allow half-open: a browser that gives up while the dial hangs only sends FIN.
    socket.once('end', () => socket.destroy());
    socket.once('close', () => {
      record.ms = Math.round(performance.now() - started);
      done();
    });
    let tunnel: Duplex;
    try {
      const dialled = await this.dialer.dial({ host: upstream.hostname, port: Number(upstream.port || 80) });
      recordDialSteps(record, dialled.steps);
      record.socks = dialled.server;
      tunnel = dialled.socket;
      if (socket.destroyed) return void tunnel.destroy(); // the browser gave up while we dialled
    } catch (error) {
      if (error instanceof SocksDialError) recordDialSteps(record, error.steps);
      record.cause = asProxyError(error).message;
      record.closeBrowser = 1006;
      socket.destroy();
      return;
    }
    const headers = this.upstreamHeaders(req, upstream.host);
    headers.connection = 'Upgrade';
    headers.upgrade = req.headers.upgrade ?? 'websocket';
    tunnel.write(requestHead(req.method ?? 'GET', target, headers));
    if (head.length) tunnel.write(head);
    tunnel.on('error', (error) => (record.cause ??= `upstream.error ${error.message}`));
    tunnel.on('data', (chunk: Buffer) => (record.bytesDown += chunk.length));
    socket.on('data', (chunk: Buffer) => (record.bytesUp += chunk.length));
    tunnel.pipe(socket);
    socket.pipe(tunnel);
    tunnel.once('close', () => socket.destroy());
    socket.once('close', () => tunnel.destroy());
  }
}
