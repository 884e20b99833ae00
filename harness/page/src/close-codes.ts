// What a close code means on this path (RFC 6455 §7.4.1, and the proxy's table in the README).
const names: Record<number, string> = {
  1000: 'normal',
  1001: 'going away (proxy lifetime / shutdown)',
  1005: 'no status',
  1006: 'abnormal — no close frame',
  1009: 'message too big',
  1011: 'internal error in the proxy',
  1013: 'try again later (connection limit)',
  1014: 'bad gateway (upstream unreachable)',
};

export function closeCodeName(code: number | undefined): string {
  if (code === undefined) return 'open';
  return names[code] ?? 'other';
}

/** 1006 is the one outcome the harness exists to rule out: the browser learned nothing. */
export function isAbnormal(code: number | undefined): boolean {
  return code === 1006;
}
