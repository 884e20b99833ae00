// What the scenario specs share: run one row under one profile and report it readably.
import type { TestInfo } from '@playwright/test';
import type { Page } from '@playwright/test';
import { runScenario } from '../harness/browser/run-scenario.ts';
import type { ScenarioRun } from '../harness/browser/run-scenario.ts';
import type { Profile, Scenario } from '../harness/scenarios/index.ts';
import type { Stack } from '../harness/stack.ts';
import type { SocketWatch } from './fixtures.ts';

export async function runAndAttach(
  stack: Stack,
  page: Page,
  sockets: SocketWatch,
  scenario: Scenario,
  profile: Profile,
  testInfo: TestInfo,
): Promise<ScenarioRun> {
  const run = await runScenario(stack, page, scenario, profile, () => sockets.records());
  const { checks } = run.verdict;
  await testInfo.attach('verdict.json', { body: JSON.stringify({ checks, result: run.result }, null, 2), contentType: 'application/json' });
  return run;
}

/** The failed checks, one per line, for an assertion message. */
export function failedChecks(run: ScenarioRun): string {
  return run.verdict.checks
    .filter((c) => !c.ok)
    .map((c) => `${c.what}: saw ${c.saw}`)
    .concat(run.result.workbench?.events.slice(-12) ?? [], run.result.error ? [`probe error: ${run.result.error}`] : [])
    .join('\n');
}
