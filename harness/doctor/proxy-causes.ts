// A deployed proxy names its failures (this project's proxy: a stable cause code at the start of a
// close reason, a 502 body or /readyz's `cause`, e.g. `socks.timeout.greeting after 2000 ms from
// 127.0.0.1:1055`). This maps a cause to the catalog row it comes from.
import { diagnose, diagnoseOther } from './diagnose.ts';
import type { Deadlines, Diagnosis } from './types.ts';

/** The catalog row for a cause code; `atMs` (when the failure came, after the request) tells a peer that never answered from one that refused. */
export function scenarioForCause(cause: string, deadlines: Deadlines, atMs?: number): string | undefined {
  const code = cause.trim().split(/\s/)[0] ?? '';
  if (code === 'socks.connect_refused') {
    // Only the loopback addresses that were tried are named: one of the two missing is a bind mismatch.
    const v4 = cause.includes('127.0.0.1');
    const v6 = cause.includes('::1');
    if (v4 && !v6) return 'ipv6-only-bind';
    if (v6 && !v4) return 'ipv4-only-bind';
    return 'not-socks';
  }
  if (['socks.not_socks', 'socks.closed.greeting', 'socks.reply_invalid', 'socks.handshake_failed'].includes(code)) return 'not-socks';
  if (code.startsWith('socks.timeout')) return 'slow-handshake';
  if (code === 'socks.reply_truncated' || code.startsWith('socks.closed.')) return 'truncated-reply-close';
  if (code === 'socks.reply_misparsed') return 'truncated-reply-split';
  if (code === 'socks.reply_general_failure') return atMs !== undefined && atMs >= deadlines.dialBudgetMs * 0.8 ? 'peer-down' : 'peer-refuses';
  if (code.startsWith('socks.reset') || code === 'upstream.reset') return 'socks-reset';
  if (code === 'upstream.ended_without_close' || code === 'upstream.closed_before_upgrade') return 'upstream-drops';
  if (code === 'upstream.upgrade_refused' && cause.includes('403')) return 'origin-mismatch';
  if (code === 'upstream.timeout.upgrade' || code === 'proxy.internal') return 'tunnel-idle';
  if (code === 'proxy.lifetime') return 'request-timeout';
  if (code === 'proxy.message_too_big') return 'large-messages';
  return undefined;
}

export function causeDiagnosis(cause: string, where: string, deadlines: Deadlines, atMs?: number): Diagnosis {
  const scenario = scenarioForCause(cause, deadlines, atMs);
  const said = `${where}: ${cause}`;
  if (scenario === 'slow-handshake') return diagnose(scenario, `${said} — the SOCKS server answered too late or not at all (blackhole looks the same from outside; run the doctor with --socks beside the proxy to tell them apart)`);
  if (scenario) return diagnose(scenario, said);
  return diagnoseOther(said, 'the WebSocket ends with the close code above', 'see the cause; run the doctor with --socks and --upstream beside the proxy to check each hop');
}
