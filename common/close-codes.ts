// The WebSocket close codes this path sends or sees (RFC 6455 §7.4.1 and the IANA registry), by
// name, with what each means here in a few words. The proxy closes with them, the harness judges
// by them, the page shows the words in its timeline.

export const CloseCode = {
  normal: 1000,
  /** The proxy is shutting down or the connection reached its lifetime. */
  goingAway: 1001,
  protocolError: 1002,
  /** Never sent: a close frame with no code reads as this. */
  noStatus: 1005,
  /** Never sent: what a browser reports when the connection ended without a close frame. */
  abnormal: 1006,
  invalidPayload: 1007,
  messageTooBig: 1009,
  internalError: 1011,
  tryAgainLater: 1013,
  badGateway: 1014,
} as const;

type KnownCode = (typeof CloseCode)[keyof typeof CloseCode];

/** The short meaning first; a parenthesised gloss says what it is on this path. */
const meaning: Record<KnownCode, string> = {
  [CloseCode.normal]: 'normal',
  [CloseCode.goingAway]: 'going away (proxy lifetime / shutdown)',
  [CloseCode.protocolError]: 'protocol error (a frame RFC 6455 refuses)',
  [CloseCode.noStatus]: 'no status',
  [CloseCode.abnormal]: 'abnormal — no close frame',
  [CloseCode.invalidPayload]: 'invalid payload (a close reason not UTF-8)',
  [CloseCode.messageTooBig]: 'message too big',
  [CloseCode.internalError]: 'internal error in the proxy',
  [CloseCode.tryAgainLater]: 'try again later (connection limit)',
  [CloseCode.badGateway]: 'bad gateway (upstream unreachable)',
};

/** 'open' while a socket has no close code yet; 'other' for a code not in the table. */
export function closeCodeName(code: number | undefined): string {
  if (code === undefined) return 'open';
  return (meaning as Record<number, string>)[code] ?? 'other';
}
