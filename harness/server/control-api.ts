// The harness's HTTP control API, under /__harness/ on the page's origin: what the page's
// switches call, and what `curl` can call. JSON in, JSON out; errors carry a stable code.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { doctorOptionsForStack, renderDoctorText, runDoctor } from '../doctor/index.ts';
import { scenarios, UnknownScenarioError } from '../scenarios/index.ts';
import type { FrontFault, PeerState, Profile, ServerFault, SocksFault } from '../scenarios/index.ts';
import type { FaultChange, LogLine, StackInfo } from '../stack-info.ts';
import { joinHostPort } from '../../common/host-port.ts';

export interface StackControl {
  info(): StackInfo;
  applyScenario(scenarioId: string | null, profile: Profile): Promise<StackInfo>;
  setFaults(change: FaultChange): StackInfo;
  logs(): LogLine[];
  onLog(fn: (line: LogLine) => void): () => void;
  onChange(fn: (info: StackInfo) => void): () => void;
}

export class ControlError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400) {
    super(message);
  }
}

const maxBodyBytes = 64 * 1024;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) throw new ControlError('E_BODY_TOO_LARGE', `body over ${maxBodyBytes} bytes`, 413);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown;
  } catch {
    throw new ControlError('E_BAD_JSON', 'body is not JSON');
  }
}

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ControlError('E_BAD_BODY', 'expected a JSON object');
  return value as Record<string, unknown>;
}

function parseProfile(value: unknown): Profile {
  if (value === undefined || value === 'fixed') return 'fixed';
  if (value === 'legacy') return 'legacy';
  throw new ControlError('E_BAD_PROFILE', 'profile must be "fixed" or "legacy"');
}

type AnyFault = SocksFault & ServerFault & FrontFault;
type FaultTarget = 'socks' | 'server' | 'front';

function parseFaultList(key: string, list: unknown): AnyFault[] {
  if (!Array.isArray(list) || !list.every(isFaultSpec)) throw new ControlError('E_BAD_FAULTS', `${key} must be a list of { type, … } objects`);
  return list as AnyFault[];
}

function isFaultSpec(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { type?: unknown }).type === 'string';
}

function parsePeerState(state: unknown): PeerState {
  if (state !== 'up' && state !== 'down' && state !== 'refusing') throw new ControlError('E_BAD_PEER_STATE', 'peer state must be up, down or refusing');
  return state;
}

function parseFaultChange(body: Record<string, unknown>): FaultChange {
  const change: FaultChange = {};
  for (const key of ['socks', 'server', 'front'] as const) if (body[key] !== undefined) change[key] = parseFaultList(key, body[key]);
  if (body.peerState !== undefined) change.peerState = parsePeerState(body.peerState);
  if (body.dropPeerTunnels !== undefined) change.dropPeerTunnels = parseDrop(body.dropPeerTunnels);
  return change;
}

function parseDrop(drop: unknown): boolean {
  if (typeof drop !== 'boolean') throw new ControlError('E_BAD_DROP', 'drop must be true or false');
  return drop;
}

/** A fault's name: its `name`, else its type (mock-socks's rule, used by the switches too). */
const nameOf = (fault: { name?: string; type: string }): string => fault.name ?? fault.type;

/**
 * The seed notes' health check: a bare TCP connect to the SOCKS port. Kept to show what it
 * misses (the catalog's `port-probe-health`): it says "listening" whatever answers.
 */
export function portProbe(addresses: { host: string; port: number }[]): Promise<{ ready: boolean; probes: { address: string; open: boolean }[] }> {
  const one = ({ host, port }: { host: string; port: number }) =>
    new Promise<{ address: string; open: boolean }>((resolve) => {
      const address = joinHostPort(host, port);
      const socket = connect(port, host);
      socket.once('connect', () => {
        socket.end();
        resolve({ address, open: true });
      });
      socket.once('error', () => resolve({ address, open: false }));
    });
  return Promise.all(addresses.map(one)).then((probes) => ({ ready: probes.some((p) => p.open), probes }));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

export class ControlApi {
  private readonly streams = new Set<ServerResponse>();

  constructor(private readonly control: StackControl, private readonly socksAddresses: () => { host: string; port: number }[]) {
    control.onLog((line) => this.broadcast('log', line));
    control.onChange((info) => this.broadcast('info', info));
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    try {
      const route = `${req.method ?? 'GET'} ${path}`;
      const faultRoute = /^(POST|DELETE) \/__harness\/faults\/(socks|server|front)(?:\/([^/]+))?$/.exec(route);
      if (faultRoute) return send(res, 200, await this.changeOneFault(req, faultRoute[1] as 'POST' | 'DELETE', faultRoute[2] as FaultTarget, faultRoute[3]));
      switch (route) {
        case 'GET /__harness/info':
          return send(res, 200, this.control.info());
        case 'GET /__harness/scenarios':
          return send(res, 200, scenarios);
        case 'GET /__harness/logs':
          return send(res, 200, this.control.logs());
        case 'GET /__harness/events':
          return this.subscribe(res);
        case 'POST /__harness/apply': {
          const body = asObject(await readJson(req));
          const id = body.scenario;
          if (id !== null && typeof id !== 'string') throw new ControlError('E_BAD_SCENARIO', 'scenario must be an id or null');
          return send(res, 200, await this.control.applyScenario(id, parseProfile(body.profile)));
        }
        case 'GET /__harness/faults':
          return send(res, 200, this.faults());
        case 'POST /__harness/faults':
          this.setFaults(parseFaultChange(asObject(await readJson(req))));
          return send(res, 200, this.control.info());
        case 'POST /__harness/peer': {
          const body = asObject(await readJson(req));
          this.setFaults({ peerState: parsePeerState(body.state), ...(body.drop === undefined ? {} : { dropPeerTunnels: parseDrop(body.drop) }) });
          return send(res, 200, this.faults());
        }
        case 'POST /__harness/reset':
          this.setFaults({ socks: [], server: [], front: [], peerState: 'up' });
          return send(res, 200, this.faults());
        case 'POST /__harness/port-probe':
          return send(res, 200, await portProbe(this.socksAddresses()));
        case 'POST /__harness/doctor': {
          // The same walk `tailnet-harness doctor` does beside a real tailscaled, against the mock tailnet as it is now.
          const report = await runDoctor(doctorOptionsForStack(this.control.info()));
          return send(res, 200, { exitCode: report.exitCode, text: renderDoctorText(report), report });
        }
        default:
          throw new ControlError('E_NO_ROUTE', `no control route ${route}`, 404);
      }
    } catch (error) {
      if (error instanceof UnknownScenarioError) return send(res, 404, { code: error.code, error: error.message });
      if (error instanceof ControlError) return send(res, error.status, { code: error.code, error: error.message });
      const message = error instanceof Error ? error.message : String(error);
      return send(res, 500, { code: 'E_STACK', error: message });
    }
  }

  private faults(): FaultChange & { peerState: PeerState } {
    const info = this.control.info();
    return { ...info.faults, peerState: info.peer.state };
  }

  /** A hop refuses a fault it does not know (or a bad attribute): that is the caller's input, a 400. */
  private setFaults(change: FaultChange): void {
    try {
      this.control.setFaults(change);
    } catch (error) {
      throw new ControlError('E_BAD_FAULTS', error instanceof Error ? error.message : String(error));
    }
  }

  /** Toxiproxy-style: POST adds one fault (replacing one of the same name), DELETE …/NAME removes it. */
  private async changeOneFault(req: IncomingMessage, method: 'POST' | 'DELETE', where: FaultTarget, name: string | undefined): Promise<FaultChange> {
    const current = this.control.info().faults[where];
    if (method === 'DELETE') {
      if (name === undefined) throw new ControlError('E_NO_ROUTE', `DELETE /__harness/faults/${where}/NAME names the fault to remove`, 404);
      const wanted = decodeURIComponent(name);
      if (!current.some((f) => nameOf(f) === wanted)) throw new ControlError('E_NO_FAULT', `no ${where} fault named ${JSON.stringify(wanted)}`, 404);
      this.setFaults({ [where]: current.filter((f) => nameOf(f) !== wanted) });
    } else {
      if (name !== undefined) throw new ControlError('E_NO_ROUTE', `POST /__harness/faults/${where} takes the fault as its body`, 404);
      const [fault] = parseFaultList('the body', [asObject(await readJson(req))]);
      if (!fault) throw new ControlError('E_BAD_FAULTS', 'no fault');
      this.setFaults({ [where]: [...current.filter((f) => nameOf(f) !== nameOf(fault)), fault] });
    }
    return this.faults();
  }

  /** Server-sent events: `log` lines as they happen, `info` after every change. */
  private subscribe(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(`event: info\ndata: ${JSON.stringify(this.control.info())}\n\n`);
    for (const line of this.control.logs()) res.write(`event: log\ndata: ${JSON.stringify(line)}\n\n`);
    this.streams.add(res);
    res.on('close', () => this.streams.delete(res));
  }

  private broadcast(event: string, data: unknown): void {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of this.streams) res.write(frame);
  }

  close(): void {
    for (const res of this.streams) res.end();
    this.streams.clear();
  }
}
