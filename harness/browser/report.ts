// The readable table `npm run repro` prints for one run.
import { summariseProxyLine } from '../proxy-line.ts';
import type { ScenarioRun } from './run-scenario.ts';

export interface HttpError {
  url: string;
  status: number | string;
}

const pad = (text: string, width: number): string => (text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width));

function pathOf(url: string): string {
  const { pathname } = new URL(url);
  return pathname.replace(/stable-([0-9a-f]{8})[0-9a-f]{32}/, 'stable-$1…');
}

export function formatRun(run: ScenarioRun, httpErrors: HttpError[], proxyLabel: string): string {
  const { scenario, profile, verdict } = run;
  const expected = scenario.expect[profile];
  const at = (t: number | undefined): string => (t === undefined ? '' : `+${t - run.startedAt} ms`);
  const lines = [
    '',
    `━━ ${scenario.id} · ${profile} ━━ ${scenario.title}`,
    `   proxy      ${proxyLabel}`,
    `   wrong      ${scenario.wrong}`,
    `   catalog    ${expected.says}`,
    '',
    '   WebSockets',
    `   ${pad('#', 3)} ${pad('path', 34)} ${pad('opened', 10)} ${pad('closed', 10)} ${pad('code', 5)} reason`,
  ];
  if (run.sockets.length === 0) lines.push('   (none)');
  run.sockets.forEach((s, i) => {
    const opened = s.openedAt ? at(s.openedAt) : s.closedAt ? 'never' : '…';
    lines.push(`   ${pad(String(i + 1), 3)} ${pad(pathOf(s.url), 34)} ${pad(opened, 10)} ${pad(at(s.closedAt), 10)} ${pad(String(s.code ?? 'open'), 5)} ${s.reason ?? ''}`);
  });
  lines.push('', '   HTTP errors (and upgrades the proxy did not answer with 101, as the front door saw them)');
  const refusedUpgrades = run.logs.filter((l) => l.source === 'front' && !/→ HTTP\/1\.1 101/.test(l.line));
  if (httpErrors.length === 0 && refusedUpgrades.length === 0) lines.push('   (none)');
  for (const e of httpErrors) lines.push(`   ${pad(String(e.status), 5)} ${pathOf(e.url)}`);
  for (const l of refusedUpgrades) lines.push(`   ${l.line.replace(/stable-([0-9a-f]{8})[0-9a-f]{32}/, 'stable-$1…')}`);
  const socks = run.logs.filter((l) => l.source === 'socks');
  lines.push('', '   SOCKS log (mock tailscaled)');
  if (socks.length === 0) lines.push('   (no line)');
  for (const l of socks) lines.push(`   ${new Date(l.t).toISOString().slice(11, 23)} ${l.line}`);
  const proxy = run.logs.filter((l) => l.source === 'proxy');
  lines.push('', '   proxy log (one line per request / session)');
  if (proxy.length === 0) lines.push('   (no line)');
  for (const l of proxy) lines.push(`   ${new Date(l.t).toISOString().slice(11, 23)} ${summariseProxyLine(l.line)}`);
  if (run.result.readiness) lines.push('', `   readiness (${run.result.readiness.via})  ${run.result.readiness.ready ? 'ready' : 'NOT ready'}  ${run.result.readiness.body.replace(/\s+/g, ' ').slice(0, 140)}`);
  if (run.result.workbench) {
    const wb = run.result.workbench;
    lines.push('', `   workbench  connected=${wb.connected} handshakes=${wb.handshakes} reconnects=${wb.reconnects} lost=${wb.lost}${wb.echoedBytes !== undefined ? ` echoed=${wb.echoedBytes} B` : ''}`);
  }
  if (run.result.error) lines.push(`   probe error: ${run.result.error}`);
  lines.push('', '   checks');
  for (const c of verdict.checks) lines.push(`   ${c.ok ? '✓' : '✗'} ${pad(c.what, 52)} ${c.saw}`);
  const word = profile === 'fixed' ? (verdict.ok ? 'OK — the fixed proxy behaves as the catalog says' : 'MISBEHAVES — the fixed proxy does not do what the catalog says') : verdict.ok ? 'REPRODUCED — the legacy failure shows as the catalog says' : 'NOT REPRODUCED — the legacy run did not show the failure';
  lines.push('', `   ${word}`);
  return lines.join('\n');
}

