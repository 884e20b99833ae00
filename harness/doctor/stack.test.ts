// The doctor against the whole mock tailnet (what the harness page runs): the SOCKS URL the proxy
// is configured with, the peer, and the proxy from outside, under catalog rows and both variants.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Variant } from '../scenarios/index.ts';
import { startStack, type Stack } from '../stack.ts';
import { doctorOptionsForStack, renderDoctorText, runDoctor, type DoctorReport, type Step } from './index.ts';

interface Expected {
  step: Step['id'];
  verdict: 'warn' | 'fail';
  scenario: string;
}

interface Row {
  scenario: string | null;
  variant: Variant;
  /** First step that did not pass beside tailscaled (--socks), and through the proxy (--proxy); 'all-ok' when none. */
  socks: Expected | 'all-ok';
  proxy: Expected | 'all-ok';
}

const rows: Row[] = [
  // tailscaled's own bind (localhost = 127.0.0.1 only): a warning for clients that dial ::1 first; the proxy tries both.
  { scenario: null, variant: 'fixed', socks: { step: 'tcp', verdict: 'warn', scenario: 'ipv4-only-bind' }, proxy: 'all-ok' },
  { scenario: 'ipv6-only-bind', variant: 'legacy', socks: { step: 'tcp', verdict: 'fail', scenario: 'ipv6-only-bind' }, proxy: { step: 'proxy-readyz', verdict: 'fail', scenario: 'ipv6-only-bind' } },
  { scenario: 'ipv6-only-bind', variant: 'fixed', socks: { step: 'tcp', verdict: 'warn', scenario: 'ipv6-only-bind' }, proxy: 'all-ok' },
  { scenario: 'not-socks', variant: 'fixed', socks: { step: 'greeting', verdict: 'fail', scenario: 'not-socks' }, proxy: { step: 'proxy-readyz', verdict: 'fail', scenario: 'not-socks' } },
  { scenario: 'peer-refuses', variant: 'fixed', socks: { step: 'connect', verdict: 'fail', scenario: 'peer-refuses' }, proxy: { step: 'proxy-readyz', verdict: 'fail', scenario: 'peer-refuses' } },
  // The legacy variant's SOCKS5_PROXY is the literal 127.0.0.1: nothing to warn about beside tailscaled.
  { scenario: 'vsda-404', variant: 'legacy', socks: 'all-ok', proxy: { step: 'proxy-vsda', verdict: 'warn', scenario: 'vsda-404' } },
  { scenario: 'origin-mismatch', variant: 'legacy', socks: 'all-ok', proxy: { step: 'proxy-ws', verdict: 'fail', scenario: 'origin-mismatch' } },
  { scenario: 'tunnel-idle', variant: 'fixed', socks: { step: 'tcp', verdict: 'warn', scenario: 'ipv4-only-bind' }, proxy: { step: 'proxy-ws', verdict: 'fail', scenario: 'tunnel-idle' } },
];

let stack: Stack;
const runs: string[] = [];
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
  console.log(runs.join('\n'));
});

function firstNotOk(report: DoctorReport, proxy: boolean): Expected | 'all-ok' {
  const step = report.steps.find((s) => s.id.startsWith('proxy-') === proxy && s.verdict !== 'ok');
  return step ? { step: step.id, verdict: step.verdict as Expected['verdict'], scenario: step.diagnosis?.scenario ?? '' } : 'all-ok';
}

describe('doctor against the mock tailnet', () => {
  it.each(rows.map((row) => [`${row.scenario ?? 'healthy'} / ${row.variant}`, row] as const))('%s', async (_name, row) => {
    const info = await stack.applyScenario(row.scenario, row.variant);
    const report = await runDoctor(doctorOptionsForStack(info));
    runs.push(`${String(report.ms).padStart(5)} ms  ${(row.scenario ?? 'healthy').padEnd(16)} ${row.variant.padEnd(6)}  socks: ${JSON.stringify(firstNotOk(report, false))}  proxy: ${JSON.stringify(firstNotOk(report, true))}`);
    expect({ socks: firstNotOk(report, false), proxy: firstNotOk(report, true) }, renderDoctorText(report)).toEqual({ socks: row.socks, proxy: row.proxy });
    expect(report.steps.some((s) => s.id === 'proxy-ws')).toBe(true);
  }, 30_000);
});
