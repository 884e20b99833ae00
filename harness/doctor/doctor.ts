// One doctor run: the hops beside tailscaled (--socks/--upstream) hop by hop, stopping at the
// first failure, and/or a deployed proxy from outside (--proxy), every check run.
import { planFrom } from './options.ts';
import { proxyHop } from './proxy-hop.ts';
import { StepLog } from './route.ts';
import { socksHop } from './socks-hop.ts';
import type { DoctorOptions, DoctorReport, Step } from './types.ts';
import { tunnelRoute, upstreamHop } from './upstream-hop.ts';

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const plan = planFrom(options);
  const started = performance.now();
  const steps: Step[] = [];
  if (plan.socks && plan.upstream) {
    const hop = await socksHop(plan.socks, plan.deadlines);
    steps.push(...hop.steps);
    if (hop.tunnel) {
      const log = new StepLog(true);
      await upstreamHop(plan.upstream, plan.terminal, tunnelRoute(hop.tunnel), plan.deadlines, log);
      steps.push(...log.steps);
    }
  }
  if (plan.proxy) {
    const log = new StepLog(false);
    await proxyHop(plan.proxy, plan.deadlines, log);
    steps.push(...log.steps);
  }
  const failing = steps.find((s) => s.verdict === 'fail' && s.diagnosis) ?? steps.find((s) => s.verdict === 'warn' && s.diagnosis);
  const ok = !steps.some((s) => s.verdict === 'fail');
  return {
    ok,
    exitCode: ok ? 0 : 1,
    target: plan.target,
    steps,
    ...(failing?.diagnosis ? { diagnosis: { ...failing.diagnosis, step: failing.title } } : {}),
    ms: Math.round(performance.now() - started),
  };
}
