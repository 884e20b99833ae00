// What a SOCKS step's finding means: its verdict, and the catalog row it matches, with the cause
// worded from what this run saw.
import { replyName } from '../tap/annotate.ts';
import { diagnose, diagnoseOther } from './diagnose.ts';
import type { SocksFinding, SocksStepId } from './socks-client.ts';
import type { Deadlines, Diagnosis } from './types.ts';

const stepNames: Record<SocksStepId, string> = { greeting: 'greeting', auth: 'RFC 1929 auth', connect: 'CONNECT' };

/** A CONNECT `05 01` that took most of tailscaled's dial budget: the dial timed out (peer down), not refused. */
export function tookDialBudget(ms: number, deadlines: Deadlines): boolean {
  return ms >= deadlines.dialBudgetMs * 0.8;
}

export function socksDiagnosis(step: SocksStepId, finding: SocksFinding, server: string, deadlines: Deadlines): Diagnosis {
  const name = stepNames[step];
  switch (finding.kind) {
    case 'foreign':
      return diagnose('not-socks', `${server} answered the ${name} with ${finding.says}: whatever holds the port is not tailscaled's SOCKS5 server`);
    case 'silent':
      return diagnose('blackhole', `${server} accepted the connection but sent ${finding.got ? `only ${finding.got} of ${finding.needed} bytes` : 'nothing'} in answer to the ${name} within ${finding.waitedMs} ms`);
    case 'late':
      return diagnose('slow-handshake', `${server} answered the ${name} after ${finding.ms} ms, past the ${finding.deadlineMs} ms a client waits`);
    case 'in-pieces':
      return diagnose('truncated-reply-split', `${server}'s ${name} reply arrived in ${finding.pieces} reads: a client that takes one read for a whole reply misparses it`);
    case 'closed':
      if (finding.how === 'RST') return diagnose('socks-reset', `${server} reset the connection (RST) during the ${name}`);
      if (finding.got > 0) return diagnose('truncated-reply-close', `${server} closed after ${finding.got} of ${finding.needed} bytes of its ${name} reply`);
      return diagnose('not-socks', `${server} closed the connection without answering the ${name} (tailscaled always answers, even to refuse)`);
    case 'refused':
      return refusal(step, finding, server, deadlines);
  }
}

function refusal(step: SocksStepId, finding: Extract<SocksFinding, { kind: 'refused' }>, server: string, deadlines: Deadlines): Diagnosis {
  if (step === 'greeting') {
    return diagnoseOther(
      `${server} accepts none of the offered methods (05 ff): it requires credentials, or another method`,
      'every connection fails: failed to connect to SOCKS proxy, 1006 (or 1014 socks.no_acceptable_auth with this project\'s proxy)',
      'put user:pass@ in the SOCKS URL (tsnet\'s loopback proxy requires them; tailscaled never does)',
    );
  }
  if (step === 'auth') {
    return diagnoseOther(`${server} refused the username/password (01 ${finding.code.toString(16).padStart(2, '0')})`, 'every connection fails (1014 socks.auth_failed with this project\'s proxy)', 'check the credentials in the SOCKS URL');
  }
  const reply = replyName(finding.code);
  if (finding.code === 0x01) {
    return tookDialBudget(finding.ms, deadlines)
      ? diagnose('peer-down', `CONNECT answered ${reply} after ${finding.ms} ms — tailscaled's dial budget (${deadlines.dialBudgetMs} ms) ran out: the peer never answered (logs "context deadline exceeded")`)
      : diagnose('peer-refuses', `CONNECT answered ${reply} after ${finding.ms} ms: the peer refused the port (tailscaled logs "connection was refused")`);
  }
  return diagnose('not-socks', `CONNECT answered ${reply}: tailscaled only ever sends 00, 01 and 07 — another SOCKS server holds ${server}`);
}
