// The readable report `tailnet-harness repro` prints for one run: the verdict and its cause
// first, then what each hop saw.
import { explainRun } from '../check/cause.ts';
import { distinctTail } from '../distinct-lines.ts';
import { describeRecovery } from '../page/src/recovery.ts';
import { summariseProxyLine } from '../proxy-line.ts';
import type { HttpError } from './run-in-browser.ts';
import type { ScenarioRun } from './run-scenario.ts';

export interface ReportOptions {
  /** Who the proxy is, in one line. */
  proxyLabel: string;
  socksAddresses: string[];
  socksUrl: string;
  /** Print each SOCKS conversation's bytes (`--hex`). */
  hex: boolean;
}

const PROXY_LINES = 20;
/** Relay chunks shown per conversation after its handshake (a workbench relays megabytes). */
const RELAY_CHUNKS = 2;

const pad = (text: string, width: number): string => (text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width));
const shortCommit = (text: string): string => text.replace(/stable-([0-9a-f]{8})[0-9a-f]{32}/g, 'stable-$1…');
const pathOf = (url: string): string => shortCommit(new URL(url).pathname);

function verdictWord(run: ScenarioRun): string {
  const ok = run.verdict.ok;
  if (run.variant === 'fixed') return ok ? 'OK — the fixed proxy behaves as the catalog says' : 'MISBEHAVES — the fixed proxy does not do what the catalog says';
  return ok ? 'REPRODUCED — the legacy failure shows as the catalog says' : 'NOT REPRODUCED — the legacy run did not show the failure';
}

function headline(run: ScenarioRun, options: ReportOptions): string[] {
  const { socket, browser, cause } = explainRun(run, options);
  const lines = [`━━ ${run.scenario.id} · ${run.variant} ━━ ${run.scenario.title}`, `   ${verdictWord(run)}`];
  if (socket || !run.verdict.ok) lines.push(`   browser    ${browser}`, `   cause      ${cause}`);
  lines.push(`   proxy      ${options.proxyLabel}`, `   wrong      ${run.scenario.wrong}`, `   catalog    ${run.scenario.expect[run.variant].says}`);
  return lines;
}

function socketTable(run: ScenarioRun): string[] {
  const at = (t: number | undefined): string => (t === undefined ? '' : `+${t - run.startedAt} ms`);
  const lines = ['   WebSockets', `   ${pad('#', 3)} ${pad('path', 34)} ${pad('opened', 10)} ${pad('closed', 10)} ${pad('code', 12)} reason`];
  if (run.sockets.length === 0) lines.push('   (none)');
  run.sockets.forEach((s, i) => {
    const opened = s.openedAt ? at(s.openedAt) : 'never';
    const code = s.code !== undefined ? String(s.code) : s.openedAt ? 'still open' : 'connecting';
    lines.push(`   ${pad(String(i + 1), 3)} ${pad(pathOf(s.url), 34)} ${pad(opened, 10)} ${pad(at(s.closedAt), 10)} ${pad(code, 12)} ${s.reason ?? ''}`);
  });
  return lines;
}

function socksConversations(run: ScenarioRun, hex: boolean): string[] {
  const lines = [hex ? '   SOCKS conversations (> proxy → mock tailscaled, < back)' : '   SOCKS conversations (--hex for their bytes)'];
  if (run.observations.socks.length === 0) lines.push('   (none)');
  for (const c of run.observations.socks) {
    lines.push(`   #${c.id} from ${c.remote}${c.destination ? ` to ${c.destination}` : ''} · ${c.phase}${c.replyCode !== undefined ? ` · REP 0x${c.replyCode.toString(16).padStart(2, '0')}` : ''}${c.error ? ` · ${c.error}` : ''} · ${c.bytesUp} B up, ${c.bytesDown} B down`);
    if (!hex) continue;
    const transcript = c.transcript ?? [];
    // The handshake is the first few exchanges; past it the tunnel relays code-server's bytes.
    const shown = transcript.slice(0, 4 + RELAY_CHUNKS).map((l) => `     ${l.length > 120 ? `${l.slice(0, 119)}…` : l}`);
    lines.push(...shown);
    if (transcript.length > shown.length) lines.push(`     … ${transcript.length - shown.length} more chunks relayed`);
  }
  return lines;
}

export function formatRun(run: ScenarioRun, httpErrors: HttpError[], options: ReportOptions): string {
  const lines = ['', ...headline(run, options), '', '   checks'];
  for (const c of run.verdict.checks) lines.push(`   ${c.ok ? '✓' : '✗'} ${pad(c.what, 52)} ${c.saw}`);
  lines.push('', ...socketTable(run));
  lines.push('', '   HTTP errors (and upgrades the proxy did not answer with 101, as the front door saw them)');
  const refusedUpgrades = run.observations.upgrades.filter((u) => u.status !== 101);
  if (httpErrors.length === 0 && refusedUpgrades.length === 0) lines.push('   (none)');
  for (const e of httpErrors) lines.push(`   ${pad(String(e.status), 5)} ${pathOf(e.url)}`);
  for (const u of refusedUpgrades) lines.push(`   upgrade ${shortCommit(u.path)} → ${u.line}`);
  const socks = run.logs.filter((l) => l.source === 'socks');
  lines.push('', '   SOCKS log (mock tailscaled)');
  if (socks.length === 0) lines.push('   (no line)');
  for (const l of socks) lines.push(`   ${new Date(l.t).toISOString().slice(11, 23)} ${l.line}`);
  lines.push('', ...socksConversations(run, options.hex));
  const proxy = run.logs.filter((l) => l.source === 'proxy').map((l) => summariseProxyLine(l.line));
  const tail = distinctTail(proxy, PROXY_LINES);
  lines.push('', proxy.length > tail.length ? `   proxy output (the last ${tail.length} distinct of ${proxy.length} lines)` : '   proxy output');
  if (proxy.length === 0) lines.push('   (no line)');
  for (const l of tail) lines.push(`   ${shortCommit(l)}`);
  if (run.result.readiness) lines.push('', `   readiness (${run.result.readiness.via})  ${run.result.readiness.ready ? 'ready' : 'NOT ready'}  ${run.result.readiness.body.replace(/\s+/g, ' ').slice(0, 140)}`);
  if (run.result.workbench) {
    const wb = run.result.workbench;
    lines.push('', `   workbench  connected=${wb.connected} handshakes=${wb.handshakes} reconnects=${wb.reconnects} lost=${wb.lost}${wb.echoedBytes !== undefined ? ` echoed=${wb.echoedBytes} B` : ''}`);
    if (wb.recovery) lines.push(`   recovery   ${describeRecovery(wb.recovery)}`);
  }
  if (run.result.error) lines.push(`   probe error: ${run.result.error}`);
  return lines.join('\n');
}
