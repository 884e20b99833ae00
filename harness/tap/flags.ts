// The patterns in a conversation that tailscaled turns into log lines, or that break clients:
// what the seed notes could not see. Each flag says what happened, what tailscaled does about it
// (its exact log text), and the catalog row it belongs to when there is one.
import type { Side } from './annotate.ts';
import type { Transcript } from './conversation.ts';

export type FlagId =
  | 'port-probe'
  | 'silent-client'
  | 'foreign-client'
  | 'not-socks'
  | 'client-gave-up'
  | 'reply-in-pieces'
  | 'reply-cut-short'
  | 'refused'
  | 'reset'
  | 'unreachable';

export interface Flag {
  id: FlagId;
  says: string;
  /** The catalog scenario this pattern is, when one is. */
  scenario?: string;
  /** The line tailscaled logs for it (after `socks5: client connection failed: `), when it logs one. */
  tailscaledLogs?: string;
}

const messageNames = { greeting: 'greeting', method: 'method choice', auth: 'RFC 1929 auth', 'auth-status': 'auth status', request: 'request', reply: 'CONNECT reply' } as const;

function logged(t: Omit<Transcript, 'flags'>): Pick<Flag, 'tailscaledLogs'> {
  return t.tailscaledLogs ? { tailscaledLogs: t.tailscaledLogs } : {};
}

export function flagsFor(t: Omit<Transcript, 'flags'>): Flag[] {
  const flags: Flag[] = [];
  const { handshake } = t;
  if (t.dialError) {
    flags.push({ id: 'unreachable', says: `the tap could not reach the SOCKS server ${t.server}: ${t.dialError}` });
    return flags;
  }
  if (t.total.client === 0) {
    if (t.firstToClose === 'client') {
      flags.push({
        id: 'port-probe',
        says: `TCP port probe: connected and closed (${t.ends.client?.how}) without sending a byte`,
        scenario: 'port-probe-health',
        ...logged(t),
      });
    } else if (t.firstToClose === undefined || t.firstToClose === 'server') {
      flags.push({
        id: 'silent-client',
        says: 'the client sent nothing: tailscaled has no handshake timeout and holds such a connection until the client closes it',
        tailscaledLogs: 'could not read packet header',
      });
    }
  }
  const foreign = handshake.foreign;
  if (foreign?.from === 'client') {
    flags.push({ id: 'foreign-client', says: `the client sent ${foreign.says} to the SOCKS5 port: tailscaled answers 05 ff and closes`, ...logged(t) });
  }
  if (foreign?.from === 'server') {
    flags.push({ id: 'not-socks', says: `the server answered with ${foreign.says}: whatever holds this port is not a SOCKS5 server`, scenario: 'not-socks' });
  }
  const stuck = handshake.stuck;
  if (stuck?.side === 'client' && t.total.client > 0 && t.firstToClose === 'client' && handshake.state === 'short') {
    flags.push({ id: 'client-gave-up', says: `the client closed in the middle of its ${messageNames[stuck.kind]}`, ...logged(t) });
  }
  if (stuck?.side === 'server' && handshake.state === 'short' && t.firstToClose === 'server') {
    const cut = handshake.messages.at(-1);
    flags.push({
      id: 'reply-cut-short',
      says: `the server closed after ${cut?.bytes.length ?? 0} of ${cut?.needed ?? 0} bytes of its ${messageNames[stuck.kind]}`,
      scenario: 'truncated-reply-close',
    });
  }
  for (const message of handshake.messages) {
    if (message.from !== 'server' || message.pieces < 2) continue;
    flags.push({
      id: 'reply-in-pieces',
      says: `the ${messageNames[message.kind]} arrived in ${message.pieces} reads: a client that takes one read for the whole reply misparses it`,
      scenario: 'truncated-reply-split',
    });
  }
  if (handshake.state === 'refused' && handshake.replyCode !== undefined) {
    const request = handshake.messages.find((m) => m.kind === 'request');
    flags.push({ id: 'refused', says: `the server refused ${request?.meaning ?? 'the request'}: ${handshake.messages.at(-1)?.meaning ?? ''}` });
  }
  for (const side of ['client', 'server'] as Side[]) {
    if (t.ends[side]?.how !== 'RST') continue;
    flags.push({
      id: 'reset',
      says: `the ${side} reset the connection (RST) ${t.firstToClose === side ? 'first' : 'after the other side closed'}`,
      ...(side === 'server' ? { scenario: 'socks-reset' } : {}),
    });
  }
  return flags;
}
