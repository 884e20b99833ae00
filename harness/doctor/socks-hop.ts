// The hop to the SOCKS server: how its host resolves, then, at each address, a TCP connect, the
// greeting, RFC 1929 auth when configured and a CONNECT to the upstream — a whole conversation
// on every connection, so a healthy tailscaled logs nothing. The steps are judged once every
// address was tried: an address that fails while another works is a warning (a client that
// tries every address still gets through), and a first CONNECT that fails while a later one
// works is tailscaled still logging in.
import { lookup } from 'node:dns/promises';
import { isIP, type Socket } from 'node:net';
import { joinHostPort } from '../../common/host-port.ts';
import { diagnose, diagnoseOther } from './diagnose.ts';
import { resolveSocksHost, type ResolvedAddress } from './resolve.ts';
import { SocksSession, tcpConnect, type SocksStepResult } from './socks-client.ts';
import { socksDiagnosis } from './socks-findings.ts';
import type { Deadlines, Diagnosis, Step, Verdict } from './types.ts';

export interface SocksPlan {
  host: string;
  port: number;
  user?: string;
  pass?: string;
  /** socks5h: names go to the SOCKS server as they are (MagicDNS lives there); socks5: resolved here first. */
  remoteDns: boolean;
  /** Where the per-address CONNECTs go: the upstream's host as given, and its port. */
  target: { host: string; port: number };
}

/** A tunnel to the target through the SOCKS server, or the step results that show why not. */
export type TunnelResult = { socket: Socket } | { failed: string; diagnosis: Diagnosis };

export interface SocksHop {
  steps: Step[];
  /** Opens a fresh tunnel to host:port through the first address that worked; undefined when none did. */
  tunnel?: (host: string, port: number) => Promise<TunnelResult>;
}

interface Attempt {
  address: ResolvedAddress;
  label?: string;
  tcp: { ms: number; error?: string };
  socks: SocksStepResult[];
  ok: boolean;
}

/** One whole conversation at one address; the socket is closed at the end unless `keep`. */
async function attempt(plan: SocksPlan, address: ResolvedAddress, deadlines: Deadlines, target = plan.target, keep = false): Promise<Attempt & { socket?: Socket }> {
  const tcp = await tcpConnect(address.address, plan.port, deadlines.tcpMs);
  if ('error' in tcp) return { address, tcp: { ms: tcp.ms, error: tcp.error }, socks: [], ok: false };
  const session = new SocksSession(tcp.socket, deadlines);
  const socks: SocksStepResult[] = [];
  const result = (ok: boolean) => {
    if (ok && keep) return { address, tcp: { ms: tcp.ms }, socks, ok, socket: session.detach() };
    session.close();
    return { address, tcp: { ms: tcp.ms }, socks, ok };
  };
  const offerAuth = plan.user !== undefined;
  const greeting = await session.greeting(offerAuth);
  socks.push(greeting);
  if (!greeting.passed) return result(false);
  if (greeting.method === 0x02) {
    const auth = await session.auth(plan.user ?? '', plan.pass ?? '');
    socks.push(auth);
    if (!auth.passed) return result(false);
  }
  const connect = await session.connect(target.host, target.port);
  socks.push(connect);
  return result(connect.passed);
}

function tcpDiagnosis(attempts: Attempt[], failed: Attempt, plan: SocksPlan, anyOk: boolean): Diagnosis {
  const where = joinHostPort(failed.address.address, plan.port);
  const working = attempts.find((a) => a.ok && a.address.family !== failed.address.family);
  if (failed.tcp.error === 'ECONNREFUSED' || failed.tcp.error === 'EADDRNOTAVAIL') {
    if (working) {
      const other = joinHostPort(working.address.address, plan.port);
      const scenario = failed.address.family === 6 ? 'ipv4-only-bind' : 'ipv6-only-bind';
      const cause = anyOk
        ? `nothing listens on ${where}; ${other} answers SOCKS: a client that dials ${where} first and gives up fails here`
        : `nothing listens on ${where}, the address configured; ${other} answers SOCKS`;
      return diagnose(scenario, cause);
    }
    return diagnose('not-socks', `nothing listens on port ${plan.port} at ${attempts.map((a) => joinHostPort(a.address.address, plan.port)).join(' or ')}: tailscaled is not running, or its --socks5-server is elsewhere`,
      'start tailscaled with --socks5-server=localhost:PORT (TS_SOCKS5_SERVER in containers) before the app, and point the SOCKS URL at that port');
  }
  return diagnoseOther(`TCP connect to ${where} failed: ${failed.tcp.error}`, 'failed to connect to SOCKS proxy, 1006 (1014 socks.connect_failed with this project\'s proxy)', 'check that the SOCKS host is this machine or reachable from it; loopback addresses never time out unless something drops packets');
}

/** Steps for one attempt, each judged: `failVerdict` for its failing step (warn when another address works). */
function stepsOf(attempt: Attempt, plan: SocksPlan, failVerdict: Verdict, diagnosisFor: (result: SocksStepResult) => Diagnosis, tcpFailure: () => Diagnosis, deadlines: Deadlines): Step[] {
  const where = joinHostPort(attempt.address.address, plan.port);
  const suffix = attempt.label ? ` (${attempt.label})` : '';
  const steps: Step[] = [];
  if (attempt.tcp.error) {
    const detail = attempt.tcp.error === 'ECONNREFUSED' ? 'refused (ECONNREFUSED)' : attempt.tcp.error === 'ETIMEDOUT' ? `no answer within ${deadlines.tcpMs} ms` : attempt.tcp.error;
    return [{ id: 'tcp', title: `tcp ${where}${suffix}`, verdict: failVerdict, ms: attempt.tcp.ms, detail, diagnosis: tcpFailure() }];
  }
  steps.push({ id: 'tcp', title: `tcp ${where}${suffix}`, verdict: 'ok', ms: attempt.tcp.ms, detail: 'connected (a greeting follows: never a bare port probe)' });
  for (const result of attempt.socks) {
    const title = `${result.id} ${where}${suffix}`;
    const finding = result.finding;
    const detail = !finding ? (result.detail ?? 'ok') : findingText(finding);
    if (!finding) steps.push({ id: result.id, title, verdict: 'ok', ms: result.ms, detail, wire: result.wire });
    else steps.push({ id: result.id, title, verdict: result.passed ? 'warn' : failVerdict, ms: result.ms, detail, wire: result.wire, diagnosis: diagnosisFor(result) });
  }
  return steps;
}

function findingText(finding: NonNullable<SocksStepResult['finding']>): string {
  switch (finding.kind) {
    case 'foreign': return `not SOCKS5: ${finding.says}`;
    case 'silent': return `no answer within ${finding.waitedMs} ms (got ${finding.got} of ${finding.needed} bytes)`;
    case 'late': return `answered after ${finding.ms} ms (deadline ${finding.deadlineMs} ms)`;
    case 'closed': return `server closed (${finding.how}) after ${finding.got} of ${finding.needed} bytes`;
    case 'refused': return `refused (${finding.code.toString(16).padStart(2, '0')}) after ${finding.ms} ms`;
    case 'in-pieces': return `reply arrived in ${finding.pieces} reads (reassembled by length)`;
  }
}

/** socks5:// resolves the target here, as a client configured that way would (a MagicDNS name fails outside the tailnet). */
async function targetFor(plan: SocksPlan, host: string): Promise<{ host: string } | { failed: string; diagnosis: Diagnosis }> {
  if (plan.remoteDns || isIP(host)) return { host };
  try {
    return { host: (await lookup(host)).address };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return {
      failed: `resolve ${host} here (socks5://): ${code}`,
      diagnosis: diagnoseOther(`socks5:// makes the client resolve ${host} itself, and it does not resolve here (${code})`, 'failed to connect to SOCKS proxy, 1006 (1014 socks.resolve_failed with this project\'s proxy)', 'use socks5h:// so that tailscaled resolves the name (MagicDNS), or use the peer\'s 100.x address'),
    };
  }
}

const otherLoopback = 'the other loopback address, not configured';
const isLoopbackLiteral = (host: string) => host === '127.0.0.1' || host === '::1';

export async function socksHop(plan: SocksPlan, deadlines: Deadlines): Promise<SocksHop> {
  const steps: Step[] = [];
  const started = performance.now();
  const resolution = await resolveSocksHost(plan.host);
  const resolveMs = Math.round((performance.now() - started) * 10) / 10;
  const listed = resolution.addresses.map((a) => `${a.address} (${a.from.join(', ')})`).join(', ');
  if (resolution.addresses.length === 0) {
    steps.push({
      id: 'resolve', title: `resolve ${plan.host}`, verdict: 'fail', ms: resolveMs, detail: `no address: ${resolution.error ?? 'empty answer'}`,
      diagnosis: diagnoseOther(`the SOCKS host ${plan.host} does not resolve (${resolution.error ?? 'no address'})`, 'failed to connect to SOCKS proxy, 1006 (1014 socks.resolve_failed with this project\'s proxy)', 'use socks5h://localhost:PORT when tailscaled runs beside the app'),
    });
    return { steps };
  }
  steps.push({ id: 'resolve', title: `resolve ${plan.host}`, verdict: 'ok', ms: resolveMs, detail: [listed, resolution.hostsFile].filter(Boolean).join('; ') });

  const target = await targetFor(plan, plan.target.host);
  if ('failed' in target) {
    steps.push({ id: 'resolve', title: `resolve ${plan.target.host}`, verdict: 'fail', ms: 0, detail: target.failed, diagnosis: target.diagnosis });
    return { steps };
  }
  const resolvedPlan = { ...plan, target: { host: target.host, port: plan.target.port } };
  const attempts: Attempt[] = [];
  for (const address of resolution.addresses) attempts.push(await attempt(resolvedPlan, address, deadlines));
  const refusedByReply = attempts.find((a) => a.socks.at(-1)?.finding?.kind === 'refused' && a.socks.at(-1)?.id === 'connect');
  if (!attempts.some((a) => a.ok) && refusedByReply) {
    // One more CONNECT: tailscaled that is still logging in fails the first ones and then works.
    attempts.push({ ...(await attempt(resolvedPlan, refusedByReply.address, deadlines)), label: 'retry' });
  }
  const onlyTcpRefusals = attempts.every((a) => a.tcp.error === 'ECONNREFUSED');
  if (onlyTcpRefusals && isLoopbackLiteral(plan.host)) {
    // The configured literal is refused: is the SOCKS server on the other loopback address?
    const other = plan.host === '127.0.0.1' ? { address: '::1', family: 6 as const, from: ['RFC 6761'] } : { address: '127.0.0.1', family: 4 as const, from: ['RFC 6761'] };
    attempts.push({ ...(await attempt(resolvedPlan, other, deadlines)), label: otherLoopback });
  }

  const usable = attempts.find((a) => a.ok && a.label !== otherLoopback);
  const recoveredAfterRefusal = usable !== undefined && attempts.some((a) => a !== usable && a.socks.at(-1)?.id === 'connect' && a.socks.at(-1)?.finding?.kind === 'refused' && attempts.indexOf(a) < attempts.indexOf(usable));
  for (const a of attempts) {
    const where = joinHostPort(a.address.address, plan.port);
    const failVerdict: Verdict = usable ? 'warn' : 'fail';
    const diagnosisFor = (result: SocksStepResult): Diagnosis => {
      const finding = result.finding;
      if (finding?.kind === 'refused' && result.id === 'connect' && recoveredAfterRefusal) {
        return diagnose('tailnet-not-ready', `this CONNECT was answered ${finding.code === 1 ? '05 01' : finding.code.toString(16)} after ${finding.ms} ms and a later one worked: tailscaled was not logged in yet`);
      }
      return socksDiagnosis(result.id, finding ?? { kind: 'in-pieces', pieces: 1 }, where, deadlines);
    };
    steps.push(...stepsOf(a, plan, failVerdict, diagnosisFor, () => tcpDiagnosis(attempts, a, plan, usable !== undefined), deadlines));
  }
  if (!usable) return { steps };
  return {
    steps,
    tunnel: async (host, port) => {
      const target = await targetFor(plan, host);
      if ('failed' in target) return target;
      const opened = await attempt(plan, usable.address, deadlines, { host: target.host, port }, true);
      if (opened.socket) return { socket: opened.socket };
      const last = opened.socks.at(-1);
      const where = joinHostPort(usable.address.address, plan.port);
      if (!last?.finding) return { failed: `tcp ${where}: ${opened.tcp.error ?? 'failed'}`, diagnosis: tcpDiagnosis([opened], opened, plan, false) };
      return { failed: `${last.id} ${where}: ${findingText(last.finding)}`, diagnosis: socksDiagnosis(last.id, last.finding, where, deadlines) };
    },
  };
}
