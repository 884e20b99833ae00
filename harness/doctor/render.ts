// The report as text: one line per step (verdict, time, what), the bytes under it, and the
// diagnosis under each step that did not pass.
import type { Diagnosis, DoctorReport, Step } from './types.ts';

/** 16 bytes as `05 01 00 …`. */
const HEX_LINE_CHARS = 16 * 3 - 1;

const marks = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' } as const;

/** The trap every health check of the seed notes fell into, which the doctor never sets off. */
export const portProbeNote =
  'the doctor never opens a bare TCP connection to the SOCKS port: each one carries a greeting and a CONNECT. A port probe (connect, close) leaves "socks5: client connection failed: could not read packet header" in tailscaled\'s log, once per probe, and says nothing about SOCKS (port-probe-health).';

function ms(value: number): string {
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`.padStart(8);
}

function diagnosisLines(d: Diagnosis, indent: string): string[] {
  return [
    `${indent}diagnosis: ${d.scenario ? `${d.scenario} — ` : ''}${d.cause}`,
    `${indent}  browser: ${d.browser}`,
    `${indent}  fix: ${d.fix}`,
  ];
}

function stepLines(step: Step, width: number): string[] {
  const lines = [`${marks[step.verdict]} ${ms(step.ms)}  ${step.title.padEnd(width)}  ${step.detail}`];
  const indent = ' '.repeat(16);
  const hexWidth = Math.min(HEX_LINE_CHARS, Math.max(0, ...(step.wire ?? []).map((w) => w.hex?.length ?? 0)));
  for (const w of step.wire ?? []) {
    if (w.hex === undefined) {
      lines.push(`${indent}${w.dir} ${w.text}`);
      continue;
    }
    // 16 bytes a line; the meaning on the first.
    const rows = w.hex.match(/.{1,48}/g) ?? [''];
    rows.forEach((row, i) => lines.push(`${indent}${i === 0 ? w.dir : ' '} ${i === 0 ? `${row.trim().padEnd(hexWidth)}  ${w.text}` : row.trim()}`));
  }
  if (step.diagnosis && step.verdict !== 'ok') lines.push(...diagnosisLines(step.diagnosis, indent));
  return lines;
}

export function renderDoctorText(report: DoctorReport): string {
  const t = report.target;
  const heads: string[] = [];
  if (t.socks) heads.push(`doctor: ${t.socks} → ${t.upstream}${t.terminal ? ` (terminal ${t.terminal})` : ''}`);
  if (t.proxy) heads.push(`doctor: proxy ${t.proxy}`);
  const width = Math.min(44, Math.max(...report.steps.map((s) => s.title.length), 0));
  const lines = [...heads];
  for (const step of report.steps) lines.push(...stepLines(step, width));
  const failed = report.steps.some((s) => s.verdict === 'fail');
  const count = (v: Step['verdict']) => report.steps.filter((s) => s.verdict === v).length;
  if (failed && report.target.socks) lines.push('(checks after the first failure were not run)');
  lines.push(`result: ${failed ? 'a hop fails' : 'every hop works'} — ${count('ok')} ok, ${count('warn')} warnings, ${count('fail')} failed, ${report.ms} ms; exit ${report.exitCode}`);
  if (report.target.socks) lines.push(`note: ${portProbeNote}`);
  return lines.join('\n');
}
