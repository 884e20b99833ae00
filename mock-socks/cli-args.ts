// Command-line flags → MockSocksOptions. Pure, so the CLI's parsing is tested without spawning.
import { parseArgs } from 'node:util';
import type { BindMode, FaultSpec, MockSocksOptions, PeerSpec } from './types.ts';
import { isTailnetAddress } from './tailnet.ts';
import { splitHostPort } from '../common/host-port.ts';
import { faultTypeNames } from './faults/index.ts';

/** A comma list broken before 100 columns, continuation lines indented to `indent`. */
function wrapList(items: string[], indent: number): string {
  const lines = [''];
  for (const [i, item] of items.entries()) {
    const piece = item + (i < items.length - 1 ? ',' : '');
    const line = lines[lines.length - 1] as string;
    if (line !== '' && indent + line.length + 1 + piece.length > 100) lines.push(piece);
    else lines[lines.length - 1] = line === '' ? piece : `${line} ${piece}`;
  }
  return lines.join('\n' + ' '.repeat(indent));
}

/** The --help text; the fault types come from the registry, so the list cannot go stale. */
export function usage(): string {
  return `usage: mock-socks --listen HOST:PORT [options]
       (npm run mock-socks -- … in this repository; tailnet-harness mock-socks … from the package)

A SOCKS5 server that behaves like tailscaled's (--socks5-server), in front of a mock tailnet.

  --listen HOST:PORT        where to listen (default localhost:1055; port 0 picks a free port)
  --bind MODE               go (default: Go's net.Listen rule) | ipv4-only | ipv6-only | dual
  --user U --pass P         require RFC 1929 username/password (tsnet style)
  --peer T:P=LOCAL:PORT     tailnet host T (100.64.0.0/10 address or MagicDNS name), port P,
                            served by LOCAL:PORT on this machine; repeatable
  --fault JSON              a fault, e.g. '{"type":"latency","attributes":{"latencyMs":200}}'; repeatable
                            types: ${wrapList(faultTypeNames(), 28 + 'types: '.length)}
  --dial-timeout MS         CONNECT dial budget (default 5000, tailscaled's)
  --self-address IP         this node's tailnet address, BND of tailnet replies (default 100.100.100.100)
  --seed N                  seed of the toxicity / jitter generator (default 1)
  --rate-limit              tailscaled's log rate limiter (5 lines, then 1 per 5 s per format)
  --transcript DIR          write a hex transcript of each conversation to DIR/conn-ID.hex
  --control HOST:PORT       HTTP control API on loopback (faults, peers, connections, transcripts)
  --allow-non-loopback      let host targets off loopback be dialled (default: refused)
  --help                    this text

Prints 'listening on HOST:PORT' per bound address first (then 'control API on URL'); logs go to
stderr; SIGTERM/SIGINT close everything and exit 0; bad flags or configuration exit 2.`;
}

export class UsageError extends Error {
  readonly code = 'ERR_USAGE';
}

export interface CliConfig {
  options: MockSocksOptions;
  transcriptDir: string | undefined;
  /** Where the HTTP control API listens, if anywhere. */
  control: string | undefined;
  help: boolean;
}

function integer(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} must be a non-negative integer, got '${value}'`);
  return n;
}

function normalize(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** Builds peers from --peer flags. A name joins the peer that already serves the same port from the same
 * local target (so an address flag and a name flag describe one machine); otherwise it gets its own address. */
export function peersFromFlags(flags: string[]): PeerSpec[] {
  const peers: PeerSpec[] = [];
  let synthetic = 0;
  for (const flag of flags) {
    const [tailnetPart, localPart] = flag.split('=');
    if (!tailnetPart || !localPart) throw new UsageError(`--peer must be TAILNET_HOST:PORT=LOCAL_HOST:PORT, got '${flag}'`);
    const tailnet = splitHostPort(tailnetPart);
    if (!tailnet || !splitHostPort(localPart)) throw new UsageError(`--peer must be TAILNET_HOST:PORT=LOCAL_HOST:PORT, got '${flag}'`);
    const { host, port } = tailnet;
    if (isTailnetAddress(host)) {
      const peer = peers.find((p) => p.address === host);
      if (peer) peer.ports[port] = localPart;
      else peers.push({ address: host, names: [], ports: { [port]: localPart } });
      continue;
    }
    const names = [normalize(host)];
    // MagicDNS answers the short name too.
    if (/\.ts\.net$/.test(names[0] as string)) names.push((names[0] as string).split('.')[0] as string);
    const same = peers.find((p) => p.ports[port] === localPart || p.names?.some((n) => names.includes(n)));
    if (same) {
      same.names = [...new Set([...(same.names ?? []), ...names])];
      same.ports[port] ??= localPart;
    } else {
      synthetic += 1;
      peers.push({ address: `100.64.0.${synthetic}`, names, ports: { [port]: localPart } });
    }
  }
  return peers;
}

/** Every flag the command takes (the --help text is checked against this list). */
export const FLAGS = {
  listen: { type: 'string', default: 'localhost:1055' },
  bind: { type: 'string', default: 'go' },
  user: { type: 'string' },
  pass: { type: 'string' },
  peer: { type: 'string', multiple: true, default: [] as string[] },
  fault: { type: 'string', multiple: true, default: [] as string[] },
  'dial-timeout': { type: 'string' },
  'self-address': { type: 'string' },
  seed: { type: 'string' },
  'rate-limit': { type: 'boolean', default: false },
  transcript: { type: 'string' },
  control: { type: 'string' },
  'allow-non-loopback': { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

export function parseCli(argv: string[]): CliConfig {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: FLAGS,
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  if (!['go', 'ipv4-only', 'ipv6-only', 'dual'].includes(v.bind)) throw new UsageError(`--bind must be go, ipv4-only, ipv6-only or dual`);
  if ((v.user === undefined) !== (v.pass === undefined)) throw new UsageError('--user and --pass go together');
  const faults = v.fault.map((json) => {
    try {
      return JSON.parse(json) as FaultSpec;
    } catch {
      throw new UsageError(`--fault must be JSON, got '${json}'`);
    }
  });
  return {
    help: v.help,
    transcriptDir: v.transcript,
    control: v.control,
    options: {
      listen: v.listen,
      bind: v.bind as BindMode,
      credentials: v.user !== undefined && v.pass !== undefined ? { user: v.user, pass: v.pass } : undefined,
      peers: peersFromFlags(v.peer),
      faults,
      dialTimeoutMs: integer('--dial-timeout', v['dial-timeout']),
      selfAddress: v['self-address'],
      seed: integer('--seed', v.seed),
      rateLimit: v['rate-limit'],
      allowNonLoopback: v['allow-non-loopback'],
      // The control API serves the transcripts of recent conversations.
      transcript: v.transcript !== undefined || v.control !== undefined,
    },
  };
}
