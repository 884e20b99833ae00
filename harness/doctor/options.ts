// DoctorOptions (URLs as a user types them) into what each hop needs, or a usage error that says
// which option is wrong and why.
import { UsageError } from '../../common/cli-args.ts';
import { redactUrl } from '../../proxy/index.ts';
import type { ProxyPlan } from './proxy-hop.ts';
import { portOf } from './route.ts';
import type { SocksPlan } from './socks-hop.ts';
import { defaultDeadlines, type Deadlines, type DoctorOptions, type DoctorReport } from './types.ts';

export interface DoctorPlan {
  socks?: SocksPlan;
  upstream?: URL;
  terminal?: URL;
  proxy?: ProxyPlan;
  deadlines: Deadlines;
  target: DoctorReport['target'];
}

function parseUrl(value: string, option: string, protocols: string[]): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--${option}: not a URL: ${JSON.stringify(redactUrl(value))}`);
  }
  if (!protocols.includes(url.protocol)) throw new UsageError(`--${option}: expected ${protocols.map((p) => `${p}//`).join(' or ')}, got ${url.protocol}//`);
  return url;
}

export function planFrom(options: DoctorOptions): DoctorPlan {
  if (!options.socks && !options.proxy) throw new UsageError('give --socks URL --upstream URL (the hops beside tailscaled), --proxy URL (a deployed proxy), or both');
  if (options.socks && !options.upstream) throw new UsageError('--socks needs --upstream (code-server on the tailnet, e.g. http://100.84.184.84:8888)');
  if (options.upstream && !options.socks) throw new UsageError('--upstream needs --socks (e.g. socks5h://localhost:1055)');
  if (options.terminal && !options.socks) throw new UsageError('--terminal is checked through --socks; with --proxy use --terminal-path');
  const scale = options.timeScale ?? 1;
  if (!(scale > 0)) throw new UsageError(`--time-scale: expected a number above 0, got ${scale}`);
  const deadlines = { ...defaultDeadlines } as Deadlines;
  for (const key of Object.keys(deadlines) as (keyof Deadlines)[]) {
    const given = options.deadlines?.[key];
    if (given !== undefined && !(given > 0)) throw new UsageError(`${key}: expected a number of ms above 0, got ${given}`);
    deadlines[key] = given ?? Math.max(1, Math.round(defaultDeadlines[key] * scale));
  }
  const plan: DoctorPlan = { deadlines, target: {} };
  if (options.socks && options.upstream) {
    const socks = parseUrl(options.socks, 'socks', ['socks5:', 'socks5h:']);
    if (!socks.port) throw new UsageError('--socks: give the port, e.g. socks5h://localhost:1055');
    const upstream = parseUrl(options.upstream, 'upstream', ['http:', 'https:']);
    plan.socks = {
      host: socks.hostname.replace(/^\[|\]$/g, ''),
      port: Number(socks.port),
      ...(socks.username || socks.password ? { user: decodeURIComponent(socks.username), pass: decodeURIComponent(socks.password) } : {}),
      remoteDns: socks.protocol === 'socks5h:',
      target: { host: upstream.hostname.replace(/^\[|\]$/g, ''), port: portOf(upstream) },
    };
    plan.upstream = upstream;
    plan.target.socks = redactUrl(options.socks);
    plan.target.upstream = upstream.href;
    if (options.terminal) {
      plan.terminal = parseUrl(options.terminal, 'terminal', ['ws:', 'wss:']);
      plan.target.terminal = plan.terminal.href;
    }
  }
  if (options.proxy) {
    const proxy = parseUrl(options.proxy, 'proxy', ['http:', 'https:']);
    const codePrefix = options.codePrefix ?? '/dev/code/';
    if (!codePrefix.startsWith('/')) throw new UsageError(`--code-prefix: expected a path starting with /, got ${JSON.stringify(codePrefix)}`);
    if (options.terminalPath !== undefined && !options.terminalPath.startsWith('/')) throw new UsageError(`--terminal-path: expected a path starting with /, got ${JSON.stringify(options.terminalPath)}`);
    plan.proxy = { proxy, codePrefix, ...(options.terminalPath ? { terminalPath: options.terminalPath } : {}) };
    plan.target.proxy = redactUrl(proxy.href);
  }
  return plan;
}
