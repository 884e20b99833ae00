// Forwards one HTTP request to the upstream through a SOCKS tunnel, streaming both bodies (nothing
// is buffered: a 100 MiB upload or download costs the proxy a few pipe buffers), and answers 502 /
// 504 with a body naming the hop and the cause when the upstream cannot be reached.
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import { asProxyError, ProxyError } from '../errors.ts';
import { recordDialSteps, type AccessRecord } from '../log.ts';
import { SocksDialError } from '../socks/dial.ts';
import type { SocksAgent } from './agent.ts';
import { withoutHopByHop, type UpstreamHeaders } from './headers.ts';
import { rewriteLocation } from './location.ts';

export interface HttpForwardOptions {
  upstream: URL;
  /** Prefix the browser used (for Location rewriting), e.g. `/dev/code/`. */
  prefix: string;
  agent: SocksAgent;
  /** Deadline for the upstream's response headers, ms. */
  responseTimeoutMs: number;
  upstreamHeaders: UpstreamHeaders;
}

/** `path` is the upstream request target: the browser's, minus the prefix, query kept. */
export function forwardHttp(req: IncomingMessage, res: ServerResponse, path: string, options: HttpForwardOptions, record: AccessRecord, done: () => void): void {
  const started = performance.now();
  const upstreamReq = request({
    host: options.upstream.hostname,
    port: Number(options.upstream.port || 80),
    method: req.method,
    path,
    headers: options.upstreamHeaders(req, options.upstream.host),
    agent: options.agent,
  });
  const timer = setTimeout(() => upstreamReq.destroy(new ProxyError('upstream.timeout.response', `no response headers after ${options.responseTimeoutMs} ms`)), options.responseTimeoutMs);

  const fail = (error: unknown) => {
    clearTimeout(timer);
    const cause = upstreamFailure(error);
    if (cause instanceof SocksDialError) recordDialSteps(record, cause.steps);
    record.cause ??= cause.message;
    if (!res.headersSent) {
      record.status = cause.status;
      res.writeHead(cause.status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(`${cause.status} ${cause.status === 504 ? 'Gateway Timeout' : 'Bad Gateway'}\nhop: ${cause.hop}\ncause: ${cause.message}\n`);
    } else {
      res.destroy();
    }
  };

  req.on('data', (chunk: Buffer) => (record.bytesUp += chunk.length));
  pipeline(req, upstreamReq, (error) => {
    if (error && !res.writableEnded) upstreamReq.destroy();
  });
  upstreamReq.on('error', fail);
  upstreamReq.once('socket', (socket) => {
    const tunnel = options.agent.takeFreshTunnel(socket);
    if (tunnel) {
      recordDialSteps(record, tunnel.steps);
      record.socks = tunnel.server;
    } else record.hops['socks.reused'] = 0;
  });
  upstreamReq.on('response', (upstreamRes) => {
    clearTimeout(timer);
    record.hops['upstream.response'] = Math.round(performance.now() - started);
    record.status = upstreamRes.statusCode ?? 502;
    const headers = withoutHopByHop(upstreamRes.headers);
    if (typeof headers.location === 'string') headers.location = rewriteLocation(headers.location, options.prefix, options.upstream, req.headers.host);
    res.writeHead(record.status, headers);
    upstreamRes.on('data', (chunk: Buffer) => (record.bytesDown += chunk.length));
    pipeline(upstreamRes, res, (error) => {
      if (error) record.cause ??= asProxyError(error, 'upstream.reset').message;
    });
  });
  res.on('close', () => {
    clearTimeout(timer);
    if (!res.writableFinished) upstreamReq.destroy();
    done();
  });
}

function upstreamFailure(error: unknown): ProxyError {
  if (error instanceof ProxyError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNRESET' || code === 'EPIPE') return new ProxyError('upstream.reset', (error as Error).message);
  return new ProxyError('upstream.error', error instanceof Error ? error.message : String(error));
}
