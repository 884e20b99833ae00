// One line per catalog row: pass, fail (what the browser got, why, what the proxy said last) or
// not applicable (which part of the proxy contract the row needs). Pure.
import type { ScenarioRun } from '../browser/run-scenario.ts';
import { distinctTail } from '../distinct-lines.ts';
import { summariseProxyLine } from '../proxy-line.ts';
import { notApplicableBecause } from '../scenarios/index.ts';
import type { Applicability, ContractPart, Scenario } from '../scenarios/index.ts';
import type { Check } from '../scenarios/judge.ts';
import type { LogLine } from '../stack-info.ts';
import { explainRun, namedCauses } from './cause.ts';

export type RowStatus = 'pass' | 'fail' | 'n/a';

export interface RowResult {
  id: string;
  title: string;
  status: RowStatus;
  /** How long the row took (ms); not for n/a rows. */
  ms?: number;
  /** fail: the close code the browser got on the socket the failure is about. */
  closeCode?: number;
  /** fail: that socket in words ("1006, the socket never opened"). */
  browser?: string;
  /** fail: why, from what the proxy answered, what mock tailscaled and code-server saw, and the checks that failed. */
  cause?: string;
  /** fail: the last distinct lines the proxy printed during the row (stderr first). */
  proxyOutput?: string[];
  checks?: Check[];
  /** pass, for a fault in front of the proxy: the cause the row reproduced, as it was named. */
  named?: string[];
  /** n/a: the part of the contract the row needs, and why the proxy cannot be judged on it. */
  needs?: ContractPart;
  why?: string;
}

const PROXY_LINES = 3;
/** A proxy line in the verdict: enough to recognise it (the full output is in repro and the JUnit report). */
const PROXY_LINE_CHARS = 200;

const shortLine = (line: string): string => {
  // A workbench URL's commit and query (its session token) make every line long and none clearer.
  const short = line.replace(/stable-([0-9a-f]{8})[0-9a-f]{32}/g, 'stable-$1…').replace(/\?[^\s?]*reconnectionToken=[^\s:]*/g, '?…');
  return short.length > PROXY_LINE_CHARS ? `${short.slice(0, PROXY_LINE_CHARS - 1)}…` : short;
};

/** The proxy's own words during a row: a command's stderr (else stdout), or our access log's failures. */
export function proxyTail(logs: readonly LogLine[]): string[] {
  const lines = logs.filter((l) => l.source === 'proxy').map((l) => l.line);
  // Our proxy's JSON access log, run as a command or in-process, cut to what a person scans for.
  const stderr = lines.filter((l) => l.startsWith('err| ')).map((l) => summariseProxyLine(l.slice(5)));
  const stdout = lines.filter((l) => l.startsWith('out| ') && !/listening on/.test(l)).map((l) => summariseProxyLine(l.slice(5)));
  const ours = lines.filter((l) => l.startsWith('{')).map(summariseProxyLine).filter((l) => l.includes('cause:'));
  return distinctTail(stderr.length > 0 ? stderr : stdout.length > 0 ? stdout : ours, PROXY_LINES);
}

export function notApplicableRow(scenario: Scenario, why: Extract<Applicability, { applicable: false }>): RowResult {
  return { id: scenario.id, title: scenario.title, status: 'n/a', needs: why.needs, why: why.why };
}

export function rowFromRun(run: ScenarioRun, where: { socksAddresses: string[]; socksUrl: string }, ms: number): RowResult {
  const base = { id: run.scenario.id, title: run.scenario.title, ms, checks: run.verdict.checks };
  if (run.verdict.ok) return run.scenario.faultSits === 'in-front' ? { ...base, status: 'pass', named: namedCauses(run) } : { ...base, status: 'pass' };
  const { socket, browser, cause } = explainRun(run, where);
  return { ...base, status: 'fail', closeCode: socket?.code, browser, cause, proxyOutput: proxyTail(run.logs) };
}

export interface Summary {
  passed: number;
  failed: number;
  notApplicable: number;
}

export function summarise(rows: readonly RowResult[]): Summary {
  const count = (status: RowStatus) => rows.filter((r) => r.status === status).length;
  return { passed: count('pass'), failed: count('fail'), notApplicable: count('n/a') };
}

/** 0 when every applicable row passed, 1 when one failed. */
export function exitStatus(rows: readonly RowResult[]): 0 | 1 {
  return rows.some((r) => r.status === 'fail') ? 1 : 0;
}

/** The row's compact line(s): status, id, then what matters for that status. */
export function formatRow(row: RowResult, idWidth: number): string[] {
  const head = `${row.status.padEnd(4)}  ${row.id.padEnd(idWidth)}`;
  const seconds = row.ms === undefined ? '' : ` (${(row.ms / 1000).toFixed(1)} s)`;
  const indent = ' '.repeat(6 + idWidth + 2);
  if (row.status === 'pass') return [`${head}  ${row.title}${seconds}`, ...(row.named ?? []).map((cause) => `${indent}reproduced: ${cause}`)];
  if (row.status === 'n/a') return [`${head}  ${notApplicableBecause(row)}`];
  return [`${head}  ${row.browser}${seconds}`, `${indent}cause: ${row.cause}`, ...(row.proxyOutput ?? []).map((line) => `${indent}proxy: ${shortLine(line)}`)];
}

export function formatSummary(rows: readonly RowResult[], ms: number): string {
  const { passed, failed, notApplicable } = summarise(rows);
  return `${passed} passed, ${failed} failed, ${notApplicable} not applicable — ${(ms / 1000).toFixed(0)} s`;
}
