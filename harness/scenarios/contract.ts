// The proxy contract, as data: the parts of it a catalog row's fixed run needs, and whether a
// row can judge a given proxy at all. The contract itself is written down in
// docs/proxy-contract.md; every row names the part it needs in its `needs` field.
import type { Profile, Scenario } from './types.ts';

/**
 * - any-proxy: the base contract (started with PORT, SOCKS5_PROXY, UPSTREAM_URL, TERMINAL_URL and
 *   the deadline variables; serves /dev/code/ and /dev/ws/terminal) — every proxy is judged on it.
 * - readiness-route: GET /readyz checks SOCKS and the upstream; optional in the contract.
 * - our-hooks: a fault injected inside the proxy through our proxy's in-process hooks.
 * - legacy-knob: our proxy with the seed notes' choices switched back on (legacy runs only).
 */
export type ContractPart = 'any-proxy' | 'readiness-route' | 'our-hooks' | 'legacy-knob';

/** What the harness knows about the proxy under test. */
export interface ProxyUnderTest {
  /** Our proxy, in the harness's process: its hooks and legacy knobs are there. */
  ours: boolean;
  /** It serves GET /readyz as the contract describes (ours always does). */
  readinessRoute: boolean;
}

export type Applicability = { applicable: true } | { applicable: false; needs: ContractPart; why: string };

const why: Record<Exclude<ContractPart, 'any-proxy'>, string> = {
  'readiness-route': 'judges GET /readyz, which the contract leaves optional (--readyz when your proxy serves it)',
  'our-hooks': "a fault thrown inside the proxy's upgrade path, which only our proxy's in-process hook can inject",
  'legacy-knob': "a legacy run checks the harness against our proxy's legacy knobs, not your proxy",
};

/** The part a row's run under `profile` needs: legacy runs always need our legacy knobs. */
export function partNeeded(scenario: Scenario, profile: Profile): ContractPart {
  return profile === 'legacy' ? 'legacy-knob' : scenario.needs;
}

export function applicability(scenario: Scenario, profile: Profile, proxy: ProxyUnderTest): Applicability {
  const needs = partNeeded(scenario, profile);
  if (needs === 'any-proxy' || proxy.ours || (needs === 'readiness-route' && proxy.readinessRoute)) return { applicable: true };
  return { applicable: false, needs, why: why[needs] };
}

/**
 * Whether a row's fixed run can judge a real code-server: it must need none of mock-code-server's
 * own parts (its faults, its echoing extension host, its terminal) and no deadline scaled to the
 * mock's milliseconds, and not keep the peer away for minutes of real time.
 */
export function realCodeServerApplicability(scenario: Scenario): { applicable: true } | { applicable: false; why: string } {
  const outcome = scenario.expect.fixed;
  if (scenario.tailnet.serverFaults?.length) return { applicable: false, why: "a fault of mock-code-server's, which a real code-server has no switch for" };
  if (scenario.probe === 'large-messages') return { applicable: false, why: "the echo of mock-code-server's extension host; a real one speaks its own RPC" };
  if (scenario.probe === 'terminal') return { applicable: false, why: 'the terminal, which mock-code-server serves in both modes' };
  if (outcome.closeWithinMs !== undefined || outcome.closeAfterMs !== undefined || scenario.platform) return { applicable: false, why: "deadlines scaled to the mock's milliseconds; a real code-server runs in real time" };
  if (scenario.front?.some((fault) => fault.type === 'idle-timeout')) return { applicable: false, why: "a hop in front timed in the mock's milliseconds, against the proxy's pings every 25 s in real time" };
  if (scenario.outage) return { applicable: false, why: `an outage of ${scenario.outage.forMs} ms scaled is 10× VS Code's 10 s handshake wait in real time: the real-workbench spec runs its own` };
  return { applicable: true };
}

/** "needs our-hooks — why", the words every report uses for a row that does not apply. */
export function notApplicableBecause(fits: { needs?: ContractPart; why?: string }): string {
  return `needs ${fits.needs ?? 'more than the proxy offers'} — ${fits.why ?? ''}`;
}
