// `check --junit FILE`: one testcase per catalog row, so CI systems show the verdict row by row
// (a failed row is a <failure>, a row the contract does not apply to is <skipped>).
import { notApplicableBecause } from '../scenarios/index.ts';
import type { RowResult } from './rows.ts';
import { summarise } from './rows.ts';

const escapeXml = (text: string): string =>
  text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c)
    // XML 1.0 cannot carry most control characters, which a proxy's output may contain.
    // eslint-disable-next-line no-control-regex -- matching them is the point
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

function testcase(row: RowResult): string {
  const time = ((row.ms ?? 0) / 1000).toFixed(3);
  const open = `    <testcase classname="tailnet-harness.catalog" name="${escapeXml(`${row.id} — ${row.title}`)}" time="${time}"`;
  if (row.status === 'pass') return row.named?.length ? `${open}>\n      <system-out>${escapeXml(row.named.map((c) => `reproduced: ${c}`).join('\n'))}</system-out>\n    </testcase>` : `${open}/>`;
  if (row.status === 'n/a') return `${open}>\n      <skipped message="${escapeXml(`not applicable: ${notApplicableBecause(row)}`)}"/>\n    </testcase>`;
  const body = [`cause: ${row.cause}`, ...(row.proxyOutput ?? []).map((l) => `proxy: ${l}`), ...(row.checks ?? []).map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.what}: ${c.saw}`)].join('\n');
  return `${open}>\n      <failure message="${escapeXml(row.browser ?? 'failed')}">${escapeXml(body)}</failure>\n    </testcase>`;
}

export function junitXml(rows: readonly RowResult[], suiteName: string, ms: number): string {
  const { failed, notApplicable } = summarise(rows);
  const attributes = `name="${escapeXml(suiteName)}" tests="${rows.length}" failures="${failed}" skipped="${notApplicable}" errors="0" time="${(ms / 1000).toFixed(3)}"`;
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites ${attributes}>`, `  <testsuite ${attributes}>`, ...rows.map(testcase), '  </testsuite>', '</testsuites>', ''].join('\n');
}
