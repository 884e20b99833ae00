// Why a row failed, in one line, from what each hop saw: the browser's close, how the proxy
// answered the upgrade (the front door sees that; the browser cannot), and what mock tailscaled
// saw of the proxy's SOCKS conversations and of the tunnel to code-server behind them. Pure.
import type { ConnectionInfo, ConnectionRecord } from '../../mock-socks/index.ts';
import type { ScenarioRun } from '../browser/run-scenario.ts';
import { firstClose } from '../scenarios/judge.ts';
import type { Check, ObservedSocket } from '../scenarios/judge.ts';
import type { UpgradeAnswer } from '../server/front-door.ts';

export type SocksConversation = ConnectionInfo & Partial<Pick<ConnectionRecord, 'event' | 'replyCode' | 'error'>>;

export interface Evidence {
  /** The socket the failure is about: the first 1006, else the first close. */
  socket: ObservedSocket | undefined;
  upgrades: readonly UpgradeAnswer[];
  socks: readonly SocksConversation[];
  /** Where mock tailscaled listens, and what the proxy was told (for "never reached it"). */
  socksAddresses: readonly string[];
  socksUrl: string;
  failedChecks: readonly Check[];
  /** Causes named in words (namedCauses), first in the line. */
  named?: readonly string[];
}

export function browserSaw(socket: ObservedSocket | undefined): string {
  if (!socket || socket.code === undefined) return 'no socket closed';
  const reason = socket.reason ? ` "${socket.reason}"` : '';
  if (socket.code !== 1006) return `${socket.code}${reason}`;
  return socket.openedAt === undefined ? '1006, the socket never opened' : '1006 after the upgrade';
}

const hex = (code: number): string => `0x${code.toString(16).padStart(2, '0')}`;

/** What mock tailscaled saw: the first conversation that failed or hung, else the tunnel. */
export function socksSaw(socks: readonly SocksConversation[], socksAddresses: readonly string[], socksUrl: string): string {
  if (socks.length === 0) return `no SOCKS conversation reached mock tailscaled (listening on ${socksAddresses.join(', ') || 'nothing'}; SOCKS5_PROXY=${socksUrl})`;
  const failed = socks.find((c) => c.error !== undefined || (c.replyCode !== undefined && c.replyCode !== 0));
  if (failed) {
    const reply = failed.replyCode !== undefined && failed.replyCode !== 0 ? ` → REP ${hex(failed.replyCode)}` : '';
    return `SOCKS ${failed.destination ? `CONNECT ${failed.destination}` : `in ${failed.phase}`}${reply}: ${failed.error ?? 'failed'}`;
  }
  const stuck = socks.find((c) => c.event !== 'close' && c.phase !== 'relay');
  if (stuck) return `a SOCKS conversation is still waiting in its ${stuck.phase} phase (the server has not answered)`;
  const tunnels = socks.filter((c) => c.destination !== undefined);
  const quiet = tunnels.find((c) => c.bytesDown === 0);
  if (quiet) return `SOCKS tunnel to ${quiet.destination} up, code-server sent nothing back (${quiet.bytesUp} bytes sent to it)`;
  return tunnels.length > 0 ? `SOCKS tunnel to ${tunnels[0]?.destination} up, code-server answered` : 'SOCKS conversations without a CONNECT';
}

/**
 * How the proxy answered the upgrade the failure is about. With a cause named in front of it
 * (`inFront`), the proxy only answered what reached it, and is not blamed for the 1006.
 */
export function proxySaid(upgrades: readonly UpgradeAnswer[], socket: ObservedSocket | undefined, inFront = false): string | undefined {
  if (socket?.code !== 1006) return undefined;
  const own = upgrades.find((u) => u.own);
  if (own) return `the front end answered the upgrade itself (${own.line.replace(/ \(the front end's own answer.*\)$/, '')}): it never reached the proxy`;
  if (socket.openedAt !== undefined) return inFront ? 'the connection ended without a close frame after the upgrade' : 'the proxy completed the upgrade, then the connection ended without a close frame';
  const answer = upgrades.find((u) => u.status !== 101) ?? upgrades[0];
  if (!answer) return 'the upgrade never reached the proxy';
  if (answer.status === undefined) return `the upgrade got ${answer.line}`;
  if (inFront) return `the proxy answered what reached it with ${answer.line}`;
  return `the proxy answered the upgrade with ${answer.line} instead of completing it and sending a close frame`;
}

export function inferCause(evidence: Evidence): string {
  const hops = [proxySaid(evidence.upgrades, evidence.socket, (evidence.named ?? []).length > 0), socksSaw(evidence.socks, evidence.socksAddresses, evidence.socksUrl)];
  const checks = evidence.socket?.code === 1006 ? [] : evidence.failedChecks.map((c) => `${c.what}: saw ${c.saw}`);
  return [...(evidence.named ?? []), ...checks, ...hops].filter((part): part is string => part !== undefined).join('; ');
}

/**
 * What the run named beyond each hop's facts, in the words of the symptom: every cause the hop in
 * front gave (once each), and a session code-server no longer knows.
 */
export function namedCauses(run: Pick<ScenarioRun, 'logs' | 'result'>): string[] {
  const front = [...new Set(run.logs.filter((l) => l.source === 'cause').map((l) => l.line))];
  const lost = run.result.workbench?.events.some((e) => /Unknown reconnection token/.test(e));
  return lost ? [...front, sessionLost] : front;
}

const sessionLost =
  'code-server no longer knows this session — it restarted, or the reconnection grace expired — and answered the reconnection "Unknown reconnection token": the workbench gives up ("Cannot reconnect. Please reload the window.")';

/** The socket a reader asks about: the first 1006, else the first close that is not the page's own (1000, 1005). */
export function socketOfInterest(sockets: readonly ObservedSocket[]): ObservedSocket | undefined {
  return sockets.find((s) => s.code === 1006) ?? firstClose(sockets.filter((s) => s.code !== 1000 && s.code !== 1005));
}

/** A run's failure (or its closes) in words: what the browser got, and why. */
export function explainRun(run: ScenarioRun, where: { socksAddresses: readonly string[]; socksUrl: string }): { socket: ObservedSocket | undefined; browser: string; cause: string } {
  const socket = socketOfInterest(run.sockets);
  const failedChecks = run.verdict.checks.filter((c) => !c.ok);
  if (run.result.error) failedChecks.push({ what: 'the probe ran', ok: false, saw: run.result.error });
  const cause = inferCause({ socket, upgrades: run.observations.upgrades, socks: run.observations.socks, ...where, failedChecks, named: namedCauses(run) });
  return { socket, browser: browserSaw(socket), cause };
}
