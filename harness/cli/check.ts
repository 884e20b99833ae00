// tailnet-harness check [--proxy-cmd CMD]: the proxy contract's verdict on a proxy — every catalog
// row whose fixed run applies to it, in headless Chromium, one line per row as it finishes.
import { writeFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { launchChromium, runInBrowser } from '../browser/run-in-browser.ts';
import { exitStatus, formatRow, formatSummary, notApplicableRow, rowFromRun, summarise } from '../check/rows.ts';
import type { RowResult } from '../check/rows.ts';
import { junitXml } from '../check/junit.ts';
import { buildPage } from '../page-build.ts';
import { applicability, scenarioById, scenarios } from '../scenarios/index.ts';
import type { ProxyUnderTest, Scenario } from '../scenarios/index.ts';
import { socksListening } from '../stack-info.ts';
import { startStack } from '../stack.ts';
import type { Stack } from '../stack.ts';
import { UsageError, parseArgs } from '../../common/cli-args.ts';
import { runCommand } from './exit.ts';

const help = `usage: tailnet-harness check [--proxy-cmd CMD] [--readyz] [--only ID,…] [--json] [--junit FILE]

Judges a proxy on every catalog row that applies to it: each row's fixed run in headless Chromium,
with mock tailscaled and the proxy restarted for it. One line per row — pass; fail with the close code the browser got,
the cause (what the proxy answered, what the SOCKS server and code-server saw) and the proxy's
last distinct output lines; or n/a with the part of the proxy contract the row needs — then a
summary.

  --proxy-cmd CMD  the proxy to judge, started per row as the proxy contract says (PORT,
                   SOCKS5_PROXY, UPSTREAM_URL, TERMINAL_URL, deadline variables); default: ours
  --readyz         CMD serves GET /readyz (a SOCKS greeting + CONNECT to the upstream), so the
                   rows that judge readiness apply
  --only ID,…      just these rows (tailnet-harness repro --list names them)
  --json           print the verdict as JSON instead of lines
  --junit FILE     also write it as a JUnit XML report
  --help           this text

Exit status: 0 every applicable row passed; 1 a row failed; 2 usage or setup error (the proxy
never listened, Chromium did not start) — nothing was judged.`;

function rowsToRun(only: string | undefined): readonly Scenario[] {
  if (only === undefined) return scenarios;
  const ids = only.split(',').map((id) => id.trim()).filter(Boolean);
  if (ids.length === 0) throw new UsageError('--only needs at least one row id');
  return ids.map(scenarioById);
}

async function judgeRow(browser: Browser, stack: Stack, scenario: Scenario): Promise<RowResult> {
  const started = Date.now();
  const { run } = await runInBrowser(browser, stack, scenario, 'fixed');
  const info = stack.info();
  return rowFromRun(run, { socksAddresses: socksListening(info), socksUrl: info.proxy.socksUrl }, Date.now() - started);
}

export function main(argv: string[]): Promise<void> {
  return runCommand('check', async () => {
    const { flags } = parseArgs(argv, { 'proxy-cmd': 'value', only: 'value', junit: 'value', readyz: 'none', json: 'none', help: 'none' });
    if (flags.help) return void console.log(help), 0;
    const proxyCommand = flags['proxy-cmd'];
    if (proxyCommand !== undefined && proxyCommand.trim() === '') throw new UsageError('--proxy-cmd needs a command');
    if (flags.readyz && proxyCommand === undefined) throw new UsageError('--readyz describes a --proxy-cmd (ours always serves /readyz)');
    const selected = rowsToRun(flags.only);
    const { json, junit } = flags;
    const proxy: ProxyUnderTest = { ours: proxyCommand === undefined, readinessRoute: proxyCommand === undefined || flags.readyz };
    const print = (line: string): void => void (json || console.log(line));

    const started = Date.now();
    await buildPage();
    const stack = await startStack({ proxyCommand });
    let browser: Browser | undefined;
    const rows: RowResult[] = [];
    try {
      browser = await launchChromium();
      const applicable = selected.filter((s) => applicability(s, 'fixed', proxy).applicable).length;
      print(`tailnet-harness check · proxy: ${proxyCommand ?? 'ours (in-process)'} · ${selected.length} row${selected.length === 1 ? "" : "s"}, ${applicable} applicable`);
      const width = Math.max(...selected.map((s) => s.id.length));
      for (const scenario of selected) {
        const fits = applicability(scenario, 'fixed', proxy);
        const row = fits.applicable ? await judgeRow(browser, stack, scenario) : notApplicableRow(scenario, fits);
        rows.push(row);
        for (const line of formatRow(row, width)) print(line);
      }
    } finally {
      await browser?.close();
      await stack.close();
    }
    const ms = Date.now() - started;
    const status = exitStatus(rows);
    print(formatSummary(rows, ms));
    if (json) console.log(JSON.stringify({ proxy: { command: proxyCommand ?? null, ...proxy }, rows, summary: { ...summarise(rows), ms }, status }, null, 2));
    if (junit) writeFileSync(junit, junitXml(rows, `tailnet-harness check · ${proxyCommand ?? 'ours'}`, ms));
    return status;
  });
}
