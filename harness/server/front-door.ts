// The hop in front of the proxy, as Cloud Run's front end is — and, with faults, as the reverse
// proxies, ingresses and load balancers users put there are: the page and the proxy share this
// origin (the workbench opens its WebSockets on the page's origin), HTTP is streamed through and
// an upgrade is relayed as raw bytes (./upgrade-relay.ts), so whatever the proxy does — a close
// frame, or a socket that just ends — reaches the browser unchanged. It carries the platform's
// deadlines, and the faults of ./front/, each of which names its cause when it acts.
import { Agent, request } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { browserAcceptResponse } from '../../proxy/ws/handshake.ts';
import type { FrontFault } from '../scenarios/types.ts';
import type { Admission, HopFault, Link, Upgrade, UpgradeRequest } from './front/fault.ts';
import { FrontFaultSet } from './front/fault-set.ts';
import { UpgradeRelay } from './upgrade-relay.ts';
import type { RelaySettings, Target, UpgradeAnswer } from './upgrade-relay.ts';

export type { Target, UpgradeAnswer } from './upgrade-relay.ts';

export interface FrontDoorOptions extends RelaySettings {
  /** Seed of the faults' toxicity draws. */
  seed?: number;
}

export class FrontDoor {
  private target: Target | null = null;
  /** Called once per upgrade with the proxy's answer (or the hop's own). */
  onUpgradeAnswer: (answer: UpgradeAnswer) => void = () => undefined;
  /** Called when a fault acts, with its cause in the symptom's words. */
  onCause: (cause: string) => void = () => undefined;
  private readonly open = new Set<Duplex>();
  private readonly links = new Set<Link>();
  private readonly agent = new Agent({ keepAlive: false });
  private readonly faults: FrontFaultSet;

  constructor(private options: FrontDoorOptions) {
    this.faults = new FrontFaultSet({ links: () => this.links, name: (cause) => this.onCause(cause) }, options.seed);
  }

  setTarget(target: Target | null): void {
    this.target = target;
  }

  setOptions(options: Partial<RelaySettings>): void {
    this.options = { ...this.options, ...options };
  }

  /** Replaces the faults in force; a bad spec throws (fault.invalid) and changes nothing. */
  setFaults(specs: readonly FrontFault[]): void {
    this.faults.set(specs);
  }

  /** Throws what setFaults() would throw, and changes nothing. */
  checkFaults(specs: readonly FrontFault[]): void {
    this.faults.check(specs);
  }

  faultSpecs(): FrontFault[] {
    return this.faults.specs();
  }

  /** Sockets relayed right now (browser side). */
  get connections(): number {
    return this.open.size;
  }

  forwardRequest(req: IncomingMessage, res: ServerResponse): void {
    const target = this.target;
    if (!target) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('front door: no proxy running\n');
      return;
    }
    const upstream = request({ ...target, agent: this.agent, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(res);
    });
    const { requestTimeoutMs } = this.options;
    const cut = requestTimeoutMs > 0 ? setTimeout(() => upstream.destroy(new Error('platform request timeout')), requestTimeoutMs) : undefined;
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end(`front door: proxy unreachable: ${err.message}\n`);
      else res.destroy();
    });
    res.on('close', () => {
      clearTimeout(cut);
      upstream.destroy();
    });
    req.pipe(upstream);
  }

  forwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const target = this.target;
    if (!target) return void socket.destroy();
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
    const { number, faults } = this.faults.forNextUpgrade();
    const upgrade = arriving(number, req, socket, (cause) => this.onCause(cause));
    const path = upgrade.request.target.split('?')[0] ?? '/';
    admit(upgrade, faults).then(
      (admission) => {
        if (socket.destroyed) return;
        if (admission.kind === 'answer') {
          this.onUpgradeAnswer({ path, status: Number(admission.response.slice(9, 12)), line: `${admission.response.split('\r\n')[0]} (the front end's own answer)`, own: true });
          return void socket.end(admission.response);
        }
        if (admission.kind === 'hollow') return this.hollow(req, socket, path, admission.closeAfterMs);
        const hooks = {
          answered: (answer: UpgradeAnswer) => this.onUpgradeAnswer(answer),
          linked: (link: Link) => this.links.add(link),
          unlinked: (link: Link) => this.links.delete(link),
          name: (cause: string) => this.onCause(cause),
        };
        new UpgradeRelay(number, socket, upgrade.request, head, target, faults, this.options, hooks);
      },
      () => socket.destroy(),
    );
  }

  /** Ends every relayed socket at once (a stopping stack). */
  closeAll(): void {
    for (const socket of this.open) socket.destroy();
    this.open.clear();
    this.agent.destroy();
  }

  /** Stops for good: the faults' timers go too. */
  close(): void {
    this.closeAll();
    this.faults.dispose();
  }

  /** The hop completes the handshake itself; nothing is behind it, so what the browser sends is read and dropped. */
  private hollow(req: IncomingMessage, socket: Duplex, path: string, closeAfterMs: number): void {
    let response: string;
    try {
      response = browserAcceptResponse(req);
    } catch {
      return void socket.destroy();
    }
    socket.write(response);
    this.onUpgradeAnswer({ path, status: 101, line: "HTTP/1.1 101 Switching Protocols (the front end's own answer: nothing behind it)", own: true });
    socket.resume();
    if (closeAfterMs > 0) {
      const timer = setTimeout(() => socket.destroy(), closeAfterMs);
      socket.once('close', () => clearTimeout(timer));
    }
  }
}

/** The upgrade as the faults see it: the request as it will be forwarded, and the browser's socket's end. */
function arriving(number: number, req: IncomingMessage, socket: Duplex, name: (cause: string) => void): Upgrade {
  const headers: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i] ?? '', req.rawHeaders[i + 1] ?? '']);
  const request: UpgradeRequest = { method: req.method ?? 'GET', target: req.url ?? '/', version: req.httpVersion, headers };
  const closed = (): boolean => socket.destroyed;
  return {
    number,
    request,
    wait: (ms) =>
      new Promise((resolve) => {
        if (closed()) return resolve(false);
        const onClose = (): void => {
          clearTimeout(timer);
          resolve(false);
        };
        const timer = setTimeout(() => {
          socket.off('close', onClose);
          resolve(true);
        }, ms);
        socket.once('close', onClose);
      }),
    onEnd: (fn) => (closed() ? fn() : void socket.once('close', fn)),
    name,
  };
}

/** Every applicable fault decides in list order; the first that answers the upgrade itself wins. */
async function admit(upgrade: Upgrade, faults: readonly HopFault[]): Promise<Admission> {
  for (const fault of faults) {
    const admission = await fault.admit?.(upgrade);
    if (admission && admission.kind !== 'forward') return admission;
  }
  return { kind: 'forward' };
}
