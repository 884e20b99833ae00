import type { StackInfo } from '../../../stack-info.ts';
import { healthOf } from '../health.ts';
import { byId, el } from './dom.ts';
import { joinHostPort } from '../../../../common/host-port.ts';

export function renderStack(info: StackInfo): void {
  const rows: [string, string][] = [
    ['page', info.pageUrl],
    ['proxy', `${info.proxy.url} (${info.proxy.kind === 'ours' ? 'ours, in-process' : info.proxy.command ?? 'command'})`],
    ['profile', `${info.proxy.profile}${info.proxy.legacyKnobs.length ? ` + ${info.proxy.legacyKnobs.join(', ')}` : ''}`],
    ['SOCKS5_PROXY', info.proxy.socksUrl],
    ['socks binds', `${info.socks.addresses.map((a) => joinHostPort(a.host, a.port)).join(', ') || '—'} (${info.socks.bind})`],
    ['peer', `${info.peer.address} ${info.peer.names.join(' ')} — ${info.peer.state}`],
    ['peer ports', Object.entries(info.peer.ports).map(([p, to]) => `${p} → ${to}`).join(', ')],
    ['UPSTREAM_URL', info.proxy.upstreamUrl],
    ['TERMINAL_URL', info.proxy.terminalUrl],
    ['code-server', `${info.codeServer.url} (commit ${info.codeServer.commit.slice(0, 8)}, time × ${info.codeServer.timeScale})`],
    ['front end', `open timeout ${info.platform.openTimeoutMs} ms${info.platform.requestTimeoutMs ? `, request timeout ${info.platform.requestTimeoutMs} ms` : ''}${info.platform.maxMessageBytes ? `, messages ≤ ${info.platform.maxMessageBytes} B` : ''}`],
  ];
  byId('stack-info').replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  const health = healthOf(info);
  byId('stack-dot').className = `dot ${health.tone}`;
  byId('health-text').textContent = health.text;
  byId('health').className = `health ${health.tone}`;
  byId('current-scenario').textContent = info.scenario ? `${info.scenario.id} · ${info.scenario.profile}` : `no scenario · ${info.proxy.profile}`;
}
