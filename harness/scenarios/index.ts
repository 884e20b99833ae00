import { frontHopScenarios } from './front-hop.ts';
import { outageScenarios } from './outage.ts';
import { platformScenarios } from './platform.ts';
import { pastHandshakeScenarios } from './past-handshake.ts';
import { socksHopScenarios } from './socks-hop.ts';
import type { Scenario } from './types.ts';

export type * from './types.ts';
export { variants } from './types.ts';
export { timing, realTime, deadlineWindow } from './timing.ts';

/** Every row of the catalog, in the README's order. */
export const scenarios: readonly Scenario[] = [...socksHopScenarios, ...pastHandshakeScenarios, ...frontHopScenarios, ...platformScenarios, ...outageScenarios];

export class UnknownScenarioError extends Error {
  readonly code = 'scenario.unknown';
  constructor(readonly id: string) {
    super(`unknown scenario ${JSON.stringify(id)}; \`tailnet-harness repro --list\` lists them`);
  }
}

export function scenarioById(id: string): Scenario {
  const found = scenarios.find((s) => s.id === id);
  if (!found) throw new UnknownScenarioError(id);
  return found;
}
export { applicability, notApplicableBecause, partNeeded, realCodeServerApplicability } from './contract.ts';
export type { Applicability, ContractPart, ProxyUnderTest } from './contract.ts';
