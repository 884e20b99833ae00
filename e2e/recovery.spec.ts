// The catalog's `peer-outage`: mid-session the tailnet peer refuses for 10× the workbench's
// handshake wait, then comes back — at several points of the client's attempt cycle, since behind a
// pass-through proxy when it returns decides how soon the workbench can notice. For each phase,
// legacy then fixed on the same page. Legacy: back on the workbench's own schedule (the first
// attempt after the return). Fixed: the proxy keeps both connections open through the outage and
// closes them within 100 ms (1 s unscaled) of the peer's return (and a loaded machine's allowance),
// so each is back with its first attempt; no later than legacy but for those 100 ms, no 1006,
// nothing lost. The figures
// of every phase are printed at the end.
import { recoveryFaults, type Recovery } from '../harness/page/src/recovery.ts';
import { expect, failedChecks, test, timing } from '../harness/playwright/index.ts';

const outageMs = 10 * timing.handshakeWaitMs;
/** Added to the outage: returns spread over one of the client's 2 s cycles (1 s wait, then a 1 s pause) at that point. */
const phases = [0, 500, 1000, 1500];
/** From the return to the proxy's close, at most (1 s unscaled): the ride-out dials the upstream every retry interval and closes once it answers. */
const proxyCloseMs = 100;
/**
 * That, plus what a loaded 2-core machine adds to a scaled run: beside another e2e suite one close
 * came 258 ms after the return (37–90 ms in a CI run alone). Still below the 1 s handshake wait a
 * missed return costs.
 */
const withinMs = proxyCloseMs + 400;
const retry = {
  // The proxy tries for the hold (the upgrade unanswered), then the window (answered 101): one span.
  fixed: { windowMs: timing.wsUpgradeHoldMs + timing.wsRetryWindowMs, intervalMs: timing.retryIntervalMs },
  legacy: { windowMs: 0, intervalMs: 0 },
};

const results: { phase: number; fixed?: Recovery; legacy?: Recovery }[] = [];

// Legacy runs show their 1006s on purpose; the fixed run's verdict checks it saw none.
test.use({ allowAbnormalClose: true });
test.describe.configure({ mode: 'serial' });

test.afterAll(() => {
  const closed = (r: Recovery) => (r.droppedT >= r.clearedT ? `closed ${Math.round(r.droppedT - r.clearedT)} ms after the return` : `dropped ${Math.round(r.clearedT - r.droppedT)} ms before it`);
  const show = (r: Recovery | undefined) => (r?.ms === undefined ? 'not back' : `${Math.round(r.ms)} ms (${r.connections.map((c) => c.attempts.length).join('/')} attempts, ${closed(r)})`);
  console.log(`peer-outage: back after the peer's return (management/extensionHost attempts)\n${results.map((r) => `  outage ${outageMs + r.phase} ms: fixed ${show(r.fixed)}, legacy ${show(r.legacy)}`).join('\n')}`);
});

for (const phase of phases) {
  test(`peer back ${outageMs + phase} ms after the drop: the workbench recovers as soon as the attempts allow, fixed and legacy`, async ({ runScenario }) => {
    test.setTimeout(90_000);
    const row: (typeof results)[number] = { phase };
    results.push(row);
    for (const variant of ['legacy', 'fixed'] as const) {
      const run = await runScenario('peer-outage', variant, { outageForMs: outageMs + phase });
      expect(run.verdict.ok, `${variant}: ${failedChecks(run)}`).toBe(true);
      const recovery = run.result.workbench?.recovery;
      expect(recovery?.ms, `${variant}: ${run.result.workbench?.events.slice(-12).join('\n')}`).toBeDefined();
      row[variant] = recovery;
      if (recovery) expect(recoveryFaults(recovery, retry[variant], withinMs), variant).toEqual([]);
      if (recovery && variant === 'fixed') {
        // Kept open through the outage, closed by the proxy within 100 ms (1 s unscaled) of the
        // return — its part, which scales — and each connection back at that first attempt, whose
        // own time is the machine's (it does not scale; under a loaded CI it took up to 0.5 s), so
        // it is bounded only by the handshake wait a missed return would cost.
        expect(recovery.droppedT, 'fixed: closed before the peer was back').toBeGreaterThanOrEqual(recovery.clearedT);
        expect(recovery.droppedT - recovery.clearedT, 'fixed: closed after the return').toBeLessThanOrEqual(withinMs);
        for (const c of recovery.connections) expect(c.attempts, `${c.connection}: attempts`).toHaveLength(1);
        expect(recovery.ms, 'fixed: back after the return').toBeLessThan(timing.handshakeWaitMs);
      }
      test.info().annotations.push({ type: `recovery ${variant}`, description: `${Math.round(recovery?.ms ?? NaN)} ms` });
    }
    // A legacy attempt that happens to land just after the return (the phase 0 row) can beat the
    // proxy by up to its close time: one such CI run had fixed 186 ms against legacy 174 ms.
    expect(row.fixed?.ms, 'fixed back no later than legacy, but for the proxy\'s close time').toBeLessThanOrEqual((row.legacy?.ms ?? 0) + proxyCloseMs);
  });
}
