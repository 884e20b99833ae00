// check's verdict lines, JSON fields and JUnit report for each kind of row.
import { describe, expect, it } from 'vitest';
import { junitXml } from './junit.ts';
import { exitStatus, formatRow, formatSummary, proxyTail, summarise } from './rows.ts';
import type { RowResult } from './rows.ts';

const rows: RowResult[] = [
  { id: 'ipv4-only-bind', title: 'SOCKS on 127.0.0.1 only', status: 'pass', ms: 900 },
  { id: 'peer-refuses', title: 'peer refuses', status: 'fail', ms: 1300, closeCode: 1006, browser: '1006, the socket never opened', cause: 'the proxy answered the upgrade with HTTP/1.1 502 Bad Gateway', proxyOutput: ['Socks5 proxy rejected connection - Failure (×2)'], checks: [{ what: 'first close code in [1014]', ok: false, saw: '1006 "<x>"' }] },
  { id: 'tunnel-idle', title: 'the upgrade never completes', status: 'n/a', needs: 'our-hooks', why: 'only our proxy has the hook' },
  { id: 'auth-expired', title: 'an auth proxy redirects the upgrade', status: 'pass', ms: 700, named: ['front end answered the WebSocket upgrade with 302 Found'] },
];

describe('check rows', () => {
  it('prints one line per row, a failure with its cause and the proxy output under it', () => {
    expect(rows.flatMap((r) => formatRow(r, 14))).toEqual([
      'pass  ipv4-only-bind  SOCKS on 127.0.0.1 only (0.9 s)',
      'fail  peer-refuses    1006, the socket never opened (1.3 s)',
      '                      cause: the proxy answered the upgrade with HTTP/1.1 502 Bad Gateway',
      '                      proxy: Socks5 proxy rejected connection - Failure (×2)',
      'n/a   tunnel-idle     needs our-hooks — only our proxy has the hook',
      'pass  auth-expired    an auth proxy redirects the upgrade (0.7 s)',
      '                      reproduced: front end answered the WebSocket upgrade with 302 Found',
    ]);
    expect(formatSummary(rows, 41_400)).toBe('2 passed, 1 failed, 1 not applicable — 41 s');
  });

  it('exits 1 only when an applicable row failed: a row that does not apply is no failure', () => {
    expect(exitStatus(rows)).toBe(1);
    expect(exitStatus(rows.filter((r) => r.status !== 'fail'))).toBe(0);
    expect(summarise(rows)).toEqual({ passed: 2, failed: 1, notApplicable: 1 });
  });

  it('writes JUnit: a failure with its cause, a skipped row with why, text escaped', () => {
    const xml = junitXml(rows, 'check & co', 41_400);
    expect(xml).toContain('<testsuites name="check &amp; co" tests="4" failures="1" skipped="1" errors="0" time="41.400">');
    expect(xml).toContain('<system-out>reproduced: front end answered the WebSocket upgrade with 302 Found</system-out>');
    expect(xml).toContain('<testcase classname="tailnet-harness.catalog" name="ipv4-only-bind — SOCKS on 127.0.0.1 only" time="0.900"/>');
    expect(xml).toContain('<failure message="1006, the socket never opened">cause: the proxy answered the upgrade with HTTP/1.1 502 Bad Gateway\nproxy: Socks5');
    expect(xml).toContain('FAIL first close code in [1014]: 1006 &quot;&lt;x&gt;&quot;');
    expect(xml).toContain('<skipped message="not applicable: needs our-hooks — only our proxy has the hook"/>');
  });

  it("takes a command's stderr over its stdout, and our access log's failures otherwise", () => {
    const line = (text: string) => ({ t: 0, source: 'proxy' as const, line: text });
    expect(proxyTail([line('out| listening on 127.0.0.1:5'), line('out| GET /'), line('err| Traceback'), line('err| KeyError: 1')])).toEqual(['Traceback', 'KeyError: 1']);
    expect(proxyTail([line('out| listening on 127.0.0.1:5'), line('out| GET /')])).toEqual(['GET /']);
    const access = JSON.stringify({ kind: 'ws', route: 'code', path: '/x', closeBrowser: 1014, ms: 3, cause: 'socks.reply_general_failure (REP 0x01)' });
    expect(proxyTail([line(access)])).toEqual(['ws code /x browser 1014 upstream - 3 ms cause: socks.reply_general_failure (REP 0x01)']);
  });
});
