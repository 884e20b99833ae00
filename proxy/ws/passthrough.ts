// Legacy profile, knob `passThroughUpgrade`: the upgrade is relayed as bytes, the way a generic
// HTTP proxy (and the seed notes' first service) does it. The browser's handshake only completes
// if the upstream's does, so a SOCKS failure, a refused upgrade or an upstream that ends its TCP
// connection all reach the browser as 1006. It exists so the harness can show that.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { asProxyError } from '../errors.ts';
import { recordDialSteps, type AccessRecord } from '../log.ts';
import { SocksDialError, type SocksDialer } from '../socks/dial.ts';
import { upstreamRequestHeaders } from '../http/headers.ts';
import { requestHead } from './handshake.ts';

export interface PassThroughOptions {
  dialer: SocksDialer;
  upstream: URL;
  upstreamTarget: string;
  hostRewrite: boolean;
}

export async function passThroughUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, options: PassThroughOptions, record: AccessRecord, done: () => void): Promise<void> {
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
    const dialled = await options.dialer.dial({ host: options.upstream.hostname, port: Number(options.upstream.port || 80) });
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
  const headers = upstreamRequestHeaders(req, { upstreamHost: options.upstream.host, hostRewrite: options.hostRewrite });
  headers.connection = 'Upgrade';
  headers.upgrade = req.headers.upgrade ?? 'websocket';
  tunnel.write(requestHead(req.method ?? 'GET', options.upstreamTarget, headers));
  if (head.length) tunnel.write(head);
  tunnel.on('error', (error) => (record.cause ??= `upstream.error ${error.message}`));
  tunnel.on('data', (chunk: Buffer) => (record.bytesDown += chunk.length));
  socket.on('data', (chunk: Buffer) => (record.bytesUp += chunk.length));
  tunnel.pipe(socket);
  socket.pipe(tunnel);
  tunnel.once('close', () => socket.destroy());
  socket.once('close', () => tunnel.destroy());
}
