// `tailnet-harness/playwright`: the fixtures, and what a spec needs to drive the mock tailnet.
import { chromiumArgs, chromiumExecutable } from '../browser/chromium.ts';

export { test, expect } from './fixtures.ts';
export type { HarnessFixtures, HarnessTestOptions, HarnessWorkerFixtures, HarnessWorkerOptions, SocketWatch } from './fixtures.ts';
export { chromiumArgs, chromiumExecutable } from '../browser/chromium.ts';
export { AbnormalCloseError, assertNoAbnormalClose } from '../browser/recorder.ts';
export type { SocketRecord } from '../browser/recorder.ts';
export { failedChecks, openHarnessPage } from '../browser/run-scenario.ts';
export type { ScenarioRun } from '../browser/run-scenario.ts';
export { applicability, scenarioById, scenarios, timing } from '../scenarios/index.ts';
export type { Applicability, ContractPart, Outcome, ProxyTuning, ProxyUnderTest, Scenario, Variant } from '../scenarios/index.ts';
export type { Verdict, Check } from '../scenarios/judge.ts';
export type { Stack, StackOptions, Observations } from '../stack.ts';
export type { FaultChange, LogLine, StackInfo } from '../stack-info.ts';

/** Chromium as the harness launches it, for a playwright.config's `use.launchOptions`. */
export function harnessLaunchOptions(): { executablePath: string | undefined; args: string[] } {
  return { executablePath: chromiumExecutable(), args: [...chromiumArgs] };
}
