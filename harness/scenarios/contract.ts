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

/** "needs our-hooks — why", the words every report uses for a row that does not apply. */
export function notApplicableBecause(fits: { needs?: ContractPart; why?: string }): string {
  return `needs ${fits.needs ?? 'more than the proxy offers'} — ${fits.why ?? ''}`;
}
