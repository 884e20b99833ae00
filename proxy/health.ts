// /healthz says the process is alive. /readyz does what a port probe cannot: a real SOCKS greeting
// and CONNECT to the upstream, then an HTTP request through that tunnel — so a port that is open
// but not SOCKS, a tailnet that is not up, or a peer that is down all show as not ready, with the
// step that failed. A healthy check leaves no line in tailscaled's log (a bare TCP probe leaves
// `could not read packet header` each time: specs/scenarios.md `port-probe-health`).
import { request } from 'node:http';
import { asProxyError, ProxyError } from './errors.ts';
import { SocksDialError, type Dialer, type DialStep } from './socks/dial.ts';

export interface ReadinessReport {
  ok: boolean;
  socks: string;
  upstream: string;
  steps: (DialStep | { step: 'http_probe'; ok: boolean; ms: number; detail?: string })[];
  cause?: string;
}

export interface ReadinessOptions {
  dialer: Dialer;
  upstream: URL;
  /** Path requested through the tunnel, e.g. `/healthz`. */
  probePath: string;
  /** Deadline for the probe's response headers, ms. */
  probeTimeoutMs: number;
}

export async function readiness(options: ReadinessOptions): Promise<ReadinessReport> {
  const report: ReadinessReport = { ok: false, socks: options.dialer.serverName, upstream: options.upstream.host, steps: [] };
  let tunnel;
  try {
    tunnel = await options.dialer.dial({ host: options.upstream.hostname, port: Number(options.upstream.port || 80) });
    report.steps.push(...tunnel.steps);
  } catch (error) {
    if (error instanceof SocksDialError) report.steps.push(...error.steps);
    report.cause = asProxyError(error).message;
    return report;
  }
  const started = performance.now();
  const socket = tunnel.socket;
  try {
    const status = await new Promise<number>((resolve, reject) => {
      const probe = request({
        host: options.upstream.hostname,
        port: Number(options.upstream.port || 80),
        path: options.probePath,
        headers: { connection: 'close' },
        createConnection: () => socket,
      });
      const timer = setTimeout(() => probe.destroy(new ProxyError('upstream.timeout.response', `probe ${options.probePath}: no answer after ${options.probeTimeoutMs} ms`)), options.probeTimeoutMs);
      probe.once('response', (res) => {
        clearTimeout(timer);
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      probe.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      probe.end();
    });
    const ok = status >= 200 && status < 400;
    report.steps.push({ step: 'http_probe', ok, ms: Math.round(performance.now() - started), detail: `GET ${options.probePath} → ${status}` });
    report.ok = ok;
    if (!ok) report.cause = `upstream.probe_status ${status}`;
  } catch (error) {
    const cause = asProxyError(error, 'upstream.error');
    report.steps.push({ step: 'http_probe', ok: false, ms: Math.round(performance.now() - started), detail: cause.message });
    report.cause = cause.message;
  } finally {
    socket.destroy();
  }
  return report;
}
