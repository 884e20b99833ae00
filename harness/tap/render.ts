// A finished conversation as text (one block, for people) or one JSON line (for machines). The
// hex shows every handshake byte (passwords masked); relay bytes are counted, not printed.
import { spacedHex, type SocksMessage } from './annotate.ts';
import type { SideEnd, Transcript } from './conversation.ts';

const HEX_BYTES_PER_LINE = 16;
const arrows = { client: '>', server: '<' } as const;

function bytesText(n: number): string {
  return `${n.toLocaleString('en-US')} B`;
}

/** A message's hex in lines of 16 bytes: the meaning on the first, continuation lines indented. */
export function messageLines(message: SocksMessage, indent: string): string[] {
  const hex = spacedHex(message.bytes, message.secret).split(' ');
  const width = HEX_BYTES_PER_LINE * 3 - 1;
  const lines: string[] = [];
  for (let i = 0; i < Math.max(hex.length, 1); i += HEX_BYTES_PER_LINE) {
    const part = hex.slice(i, i + HEX_BYTES_PER_LINE).join(' ');
    const pieces = message.pieces > 1 ? ` [${message.pieces} reads]` : '';
    const label = i === 0 ? `${message.kind}: ${message.meaning}${pieces}` : '';
    lines.push(`${indent}${i === 0 ? arrows[message.from] : ' '} ${(part || '(no bytes)').padEnd(width)}  ${label}`.trimEnd());
  }
  return lines;
}

function endText(side: string, end: SideEnd | undefined): string {
  if (!end) return `${side} still open`;
  const how = end.how === 'tap' ? 'closed by the tap' : end.how === 'error' ? `error ${end.detail ?? ''}` : end.how;
  return `${side} ${how} at ${end.at} ms`;
}

export function renderTranscript(t: Transcript): string {
  const lines = [`#${t.id} ${t.client} → ${t.server}${t.via ? ` (tap side ${t.via})` : ''}  opened ${t.openedAt}, ${t.durationMs} ms`];
  const foreign = t.handshake.foreign;
  // Foreign bytes open the conversation when the client sent them, and follow the greeting when the server did.
  const foreignLines = foreign
    ? messageLines({ from: foreign.from, kind: foreign.from === 'client' ? 'greeting' : 'method', bytes: foreign.bytes.subarray(0, 32), needed: foreign.bytes.length, complete: true, pieces: 1, meaning: foreign.says }, '  ')
    : [];
  if (foreign?.from === 'client') lines.push(...foreignLines);
  for (const message of t.handshake.messages) lines.push(...messageLines(message, '  '));
  if (foreign?.from === 'server') lines.push(...foreignLines);
  lines.push(`  relay  client → server ${bytesText(t.relay.client)}, server → client ${bytesText(t.relay.server)}${t.truncated ? ' (recording capped)' : ''}`);
  const order = t.firstToClose === 'server' ? (['server', 'client'] as const) : (['client', 'server'] as const);
  lines.push(`  end    ${t.firstToClose ? `${t.firstToClose} first: ` : ''}${order.map((side) => endText(side, t.ends[side])).join('; ')}`);
  if (t.tailscaledLogs) lines.push(`  log    tailscaled logs "socks5: client connection failed: ${t.tailscaledLogs}"`);
  for (const flag of t.flags) lines.push(`  ! ${flag.id}: ${flag.says}${flag.scenario ? ` [${flag.scenario}]` : ''}`);
  return lines.join('\n');
}

/** One JSON object per conversation; `transcript` uses mock-socks's line format (`> hex` client, `< hex` server). */
export function transcriptJson(t: Transcript): Record<string, unknown> {
  return {
    id: t.id,
    client: t.client,
    server: t.server,
    via: t.via,
    openedAt: t.openedAt,
    durationMs: t.durationMs,
    handshake: t.handshake.messages.map((m) => ({ from: m.from, kind: m.kind, hex: spacedHex(m.bytes, m.secret), meaning: m.meaning, pieces: m.pieces, complete: m.complete })),
    ...(t.handshake.foreign ? { foreign: { from: t.handshake.foreign.from, says: t.handshake.foreign.says } } : {}),
    state: t.handshake.state,
    destination: t.handshake.destination,
    replyCode: t.handshake.replyCode,
    relay: t.relay,
    total: t.total,
    truncated: t.truncated,
    ends: t.ends,
    firstToClose: t.firstToClose,
    ...(t.dialError ? { dialError: t.dialError } : {}),
    ...(t.tailscaledLogs ? { tailscaledLogs: t.tailscaledLogs } : {}),
    flags: t.flags,
    transcript: transcriptLines(t),
  };
}

/** The chunks in mock-socks's transcript format; an RFC 1929 password's bytes printed as `**`. */
export function transcriptLines(t: Transcript): string[] {
  const secret = clientSecretRange(t);
  let offset = 0;
  return t.chunks.map((chunk) => {
    if (chunk.from !== 'client') return `< ${chunk.bytes.toString('hex')}`;
    const start = offset;
    offset += chunk.bytes.length;
    const masked = secret ? spacedHex(chunk.bytes, [secret[0] - start, secret[1] - start]).replace(/ /g, '') : chunk.bytes.toString('hex');
    return `> ${masked}`;
  });
}

/** Where the password sits in the client's byte stream: the auth message follows the greeting. */
function clientSecretRange(t: Transcript): [number, number] | undefined {
  let offset = 0;
  for (const message of t.handshake.messages) {
    if (message.from !== 'client') continue;
    if (message.secret) return [offset + message.secret[0], offset + message.secret[1]];
    offset += message.bytes.length;
  }
  return undefined;
}
