// Forwards one HTTP request to the upstream through a SOCKS tunnel, streaming both bodies (nothing
// is buffered: a 100 MiB upload or download costs the proxy a few pipe buffers), and answers 502 /
// 504 with a body naming the hop and the cause when the upstream cannot be reached.
import { request, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import { asProxyError, ProxyError } from '../errors.ts';
import { recordDialSteps, type AccessRecord } from '../log.ts';
import { RetryAbortedError, withinRetryWindow, type AttemptBudget, type RetryWindow } from '../retry-window.ts';
import { SocksDialError, type DialLimits } from '../socks/dial.ts';
import { tunnelLimits, type SocksAgent } from './agent.ts';
import { withoutHopByHop, type UpstreamHeaders } from './headers.ts';
import { rewriteLocation } from './location.ts';

export interface HttpForwardOptions {
  upstream: URL;
  /** Prefix the browser used (for Location rewriting), e.g. `/dev/code/`. */
  prefix: string;
  agent: SocksAgent;
  /** Deadline for the upstream's response headers once the request has its tunnel, ms. */
  responseTimeoutMs: number;
  upstreamHeaders: UpstreamHeaders;
  /** A request safe to repeat whose tunnel could not be opened is attempted again within this window (../retry-window.ts). */
  retry: RetryWindow;
}

/** `path` is the upstream request target: the browser's, minus the prefix, query kept. */
export function forwardHttp(req: IncomingMessage, res: ServerResponse, path: string, options: HttpForwardOptions, record: AccessRecord, done: () => void): void {
  const started = performance.now();
  const leaving = new AbortController();
  let current: ClientRequest | undefined;
  let timer: NodeJS.Timeout | undefined;

  const fail = (error: unknown) => {
    clearTimeout(timer);
    const cause = upstreamFailure(error);
    record.cause ??= cause.message;
    if (!res.headersSent) {
      record.status = cause.status;
      res.writeHead(cause.status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(`${cause.status} ${cause.status === 504 ? 'Gateway Timeout' : 'Bad Gateway'}\nhop: ${cause.hop}\ncause: ${cause.message}\n`);
    } else {
      res.destroy();
    }
  };

  const respond = (upstreamRes: IncomingMessage) => {
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
  };

  // One attempt: settles when the request has a tunnel (what follows is the request's own), or
  // when none could be opened — the only failure a request safe to repeat is repeated for.
  const repeatable = safeToRepeat(req);
  const attempt = ({ attempt: number, remainingMs, signal }: AttemptBudget) =>
    new Promise<void>((resolve, reject) => {
      if (number > 1) record.attempts = number;
      const dial: DialLimits = { budgetMs: remainingMs, signal };
      const upstreamReq = request({
        host: options.upstream.hostname,
        port: Number(options.upstream.port || 80),
        method: req.method,
        path,
        headers: options.upstreamHeaders(req, options.upstream.host),
        agent: options.agent,
        ...tunnelLimits(dial),
      });
      current = upstreamReq;
      let tunnelled = false;
      upstreamReq.on('error', (error) => {
        if (tunnelled) return fail(error);
        if (error instanceof SocksDialError) recordDialSteps(record, error.steps);
        reject(upstreamFailure(error));
      });
      upstreamReq.once('socket', (socket) => {
        tunnelled = true;
        const tunnel = options.agent.takeFreshTunnel(socket);
        if (tunnel) {
          recordDialSteps(record, tunnel.steps);
          record.socks = tunnel.server;
        } else record.hops['socks.reused'] = 0;
        timer = setTimeout(() => upstreamReq.destroy(new ProxyError('upstream.timeout.response', `no response headers after ${options.responseTimeoutMs} ms`)), options.responseTimeoutMs);
        resolve();
      });
      upstreamReq.on('response', respond);
      if (repeatable) upstreamReq.end();
      else {
        pipeline(req, upstreamReq, (error) => {
          if (error && !res.writableEnded) upstreamReq.destroy();
        });
      }
    });

  req.on('data', (chunk: Buffer) => (record.bytesUp += chunk.length));
  const window = repeatable ? options.retry : { ...options.retry, windowMs: 0 };
  withinRetryWindow(window, leaving.signal, attempt).catch((error: unknown) => {
    if (!(error instanceof RetryAbortedError)) fail(error);
  });
  res.on('close', () => {
    clearTimeout(timer);
    leaving.abort();
    if (!res.writableFinished) current?.destroy();
    done();
  });
}

/**
 * Safe to send again after its tunnel failed: a method with no effect of its own (RFC 9110 §9.2.1)
 * and no body to replay, since bodies are streamed and never kept.
 */
function safeToRepeat(req: IncomingMessage): boolean {
  const method = req.method ?? '';
  const noBody = req.headers['transfer-encoding'] === undefined && (req.headers['content-length'] ?? '0') === '0';
  return noBody && (method === 'GET' || method === 'HEAD' || method === 'OPTIONS');
}

function upstreamFailure(error: unknown): ProxyError {
  if (error instanceof ProxyError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNRESET' || code === 'EPIPE') return new ProxyError('upstream.reset', (error as Error).message);
  return new ProxyError('upstream.error', error instanceof Error ? error.message : String(error));
}
