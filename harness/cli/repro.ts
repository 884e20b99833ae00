// npm run repro -- <scenario> [--profile legacy|fixed|both] [--proxy-cmd CMD]: one Cloud Run
// failure, in headless Chromium, with a readable table of what the browser saw.
import { chromium } from '@playwright/test';
import type { Browser } from '@playwright/test';
import { chromiumArgs, chromiumExecutable } from '../browser/chromium.ts';
import { RECORDS_GLOBAL, webSocketRecorderScript } from '../browser/recorder.ts';
import type { SocketRecord } from '../browser/recorder.ts';
import { formatRun } from '../browser/report.ts';
import type { HttpError } from '../browser/report.ts';
import { runScenario } from '../browser/run-scenario.ts';
import type { ScenarioRun } from '../browser/run-scenario.ts';
import { buildPage } from '../page-build.ts';
import { profiles, scenarioById, scenarios } from '../scenarios/index.ts';
import type { Profile, Scenario } from '../scenarios/index.ts';
import { startStack } from '../stack.ts';
import type { Stack } from '../stack.ts';
import { UsageError, parseArgs, stringFlag } from './args.ts';

const help = `usage: npm run repro -- <scenario> [--profile legacy|fixed|both] [--proxy-cmd CMD]
       npm run repro -- --list

Runs one scenario of the catalog in headless Chromium against a fresh mock tailnet and prints
each WebSocket (when it opened, its close code and reason), HTTP errors, the SOCKS log lines
and the checks against the catalog.

  --profile P      fixed, legacy or both (default both: legacy first, then fixed)
  --proxy-cmd CMD  run CMD as the proxy (PORT, SOCKS5_PROXY, UPSTREAM_URL, TERMINAL_URL given)
  --list           one scenario id per line with a one-line description
  --help           this text

Exit status: 0 when the fixed run behaves as the catalog says (and the legacy run reproduces
its failure), 1 when the fixed profile misbehaves, 3 when only the legacy run failed to
reproduce, 2 on a usage error.`;

async function runOne(browser: Browser, stack: Stack, scenario: Scenario, profile: Profile): Promise<{ run: ScenarioRun; httpErrors: HttpError[] }> {
  const context = await browser.newContext();
  await context.addInitScript({ content: webSocketRecorderScript });
  const page = await context.newPage();
  const httpErrors: HttpError[] = [];
  page.on('response', (response) => {
    if (response.status() >= 400) httpErrors.push({ url: response.url(), status: response.status() });
  });
  page.on('requestfailed', (request) => httpErrors.push({ url: request.url(), status: request.failure()?.errorText ?? 'failed' }));
  try {
    const run = await runScenario(stack, page, scenario, profile, () =>
      page.evaluate((name) => (window as unknown as Record<string, SocketRecord[] | undefined>)[name] ?? [], RECORDS_GLOBAL),
    );
    return { run, httpErrors };
  } finally {
    // Closed before the next profile restarts the proxy, so this page cannot see that restart.
    await context.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['profile', 'proxy-cmd'], ['help', 'list']);
  if (args.flags.has('help')) return void console.log(help), 0;
  if (args.flags.has('list')) {
    const width = Math.max(...scenarios.map((s) => s.id.length));
    for (const s of scenarios) console.log(`${s.id.padEnd(width)}  ${s.title}`);
    return 0;
  }
  const [id, ...extra] = args.positionals;
  if (!id || extra.length > 0) throw new UsageError('name one scenario (npm run repro -- --list)');
  const scenario = scenarioById(id);
  const which = stringFlag(args, 'profile') ?? 'both';
  if (which !== 'both' && !profiles.includes(which as Profile)) throw new UsageError('--profile must be fixed, legacy or both');
  const runs: Profile[] = which === 'both' ? ['legacy', 'fixed'] : [which as Profile];
  const proxyCommand = stringFlag(args, 'proxy-cmd');

  await buildPage();
  const stack = await startStack({ proxyCommand });
  const browser = await chromium.launch({ executablePath: chromiumExecutable(), args: [...chromiumArgs] });
  let status = 0;
  try {
    for (const profile of runs) {
      const { run, httpErrors } = await runOne(browser, stack, scenario, profile);
      const info = stack.info().proxy;
      const label = `${info.kind === 'ours' ? 'ours' : info.command} · SOCKS5_PROXY=${info.socksUrl}${info.legacyKnobs.length ? ` · knobs: ${info.legacyKnobs.join(', ')}` : ''}`;
      console.log(formatRun(run, httpErrors, label));
      if (!run.verdict.ok && profile === 'fixed') status = 1;
      else if (!run.verdict.ok && status === 0) status = 3;
    }
    if (proxyCommand) console.log(`\n   proxy output\n${stack.proxyOutput().map((l) => `   ${l}`).join('\n')}`);
  } finally {
    await browser.close();
    await stack.close();
  }
  return status;
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error: unknown) => {
    console.error(`repro: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
