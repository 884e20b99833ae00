// Shared by the page's log view and repro's table (isomorphic: no Node modules).
/** Our proxy's access-log JSON, cut to what a person scans for; any other proxy's lines as they are. */
export function summariseProxyLine(line: string): string {
  try {
    const r = JSON.parse(line) as { kind?: string; route?: string; path?: string; status?: number; closeBrowser?: number; closeUpstream?: number; cause?: string; ms?: number };
    if (typeof r.kind !== 'string') return line;
    const outcome = r.kind === 'ws' ? `browser ${r.closeBrowser ?? '-'} upstream ${r.closeUpstream ?? '-'}` : `status ${r.status ?? '-'}`;
    return `${r.kind} ${r.route ?? ''} ${r.path ?? ''} ${outcome} ${r.ms ?? ''} ms${r.cause ? ` cause: ${r.cause}` : ''}`.replace(/stable-([0-9a-f]{8})[0-9a-f]{32}/, 'stable-$1…');
  } catch {
    return line;
  }
}
