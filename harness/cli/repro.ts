// tailnet-harness repro <scenario> [--profile legacy|fixed|both] [--proxy-cmd CMD] [--hex]: one
// Cloud Run failure in headless Chromium — the verdict and its cause first, then every hop.
import type { Browser } from 'playwright-core';
import { launchChromium, runInBrowser } from '../browser/run-in-browser.ts';
import { formatRun } from '../browser/report.ts';
import { buildPage } from '../page-build.ts';
import { applicability, notApplicableBecause, variants, realCodeServerApplicability, scenarioById, scenarios } from '../scenarios/index.ts';
import type { Variant } from '../scenarios/index.ts';
import { socksListening } from '../stack-info.ts';
import { startStack } from '../stack.ts';
import { codeServerSource } from '../real-code-server.ts';
import { UsageError, parseArgs } from '../../common/cli-args.ts';
import { codeServerFlags, codeServerHelp } from './args.ts';
import { runCommand } from './exit.ts';

const help = `usage: tailnet-harness repro <scenario> [--profile legacy|fixed|both] [--proxy-cmd CMD] [--hex]
                              [--code-server-cmd CMD | --code-server-url URL]
       tailnet-harness repro --list

Runs one catalog row in headless Chromium against a fresh mock tailnet and prints, per variant,
the verdict and its cause first, then the checks, each WebSocket (when it opened, its close
code and reason), HTTP errors, mock tailscaled's log lines and the proxy's output (repeated
lines shown once, the last ones kept).

  --profile P      fixed, legacy or both (default both: legacy first, then fixed); a legacy run
                   is our proxy with the row's own legacy knobs on (not PROXY_PROFILE=legacy),
                   so it never runs against --proxy-cmd
  --proxy-cmd CMD  run CMD as the proxy (the proxy contract: PORT, SOCKS5_PROXY, UPSTREAM_URL,
                   TERMINAL_URL, deadline variables)
  --hex            also print each SOCKS conversation's bytes, as mock tailscaled saw them
${codeServerHelp}
  --list           one row id per line with a one-line description
  --help           this text

Exit status: 0 the fixed run behaves as the catalog says (and the legacy run reproduces its
failure); 1 the fixed run misbehaves; 3 only the legacy run did not reproduce; 2 usage or setup
error (the proxy never listened, Chromium did not start).`;

function list(): number {
  const width = Math.max(...scenarios.map((s) => s.id.length));
  for (const s of scenarios) console.log(`${s.id.padEnd(width)}  ${s.title}`);
  return 0;
}

export function main(argv: string[]): Promise<void> {
  return runCommand('repro', async () => {
    const { flags, positionals } = parseArgs(argv, { profile: 'value', 'proxy-cmd': 'value', ...codeServerFlags, help: 'none', list: 'none', hex: 'none' }, { allowPositionals: true });
    if (flags.help) return void console.log(help), 0;
    if (flags.list) return list();
    const [id, ...extra] = positionals;
    if (!id || extra.length > 0) throw new UsageError('name one scenario (tailnet-harness repro --list)');
    const scenario = scenarioById(id);
    const which = flags.profile ?? 'both';
    if (which !== 'both' && !variants.includes(which as Variant)) throw new UsageError('--profile must be fixed, legacy or both');
    const proxyCommand = flags['proxy-cmd'];
    const proxy = { ours: proxyCommand === undefined, readinessRoute: true };
    const wanted: Variant[] = which === 'both' ? ['legacy', 'fixed'] : [which as Variant];
    const runs = wanted.filter((variant) => {
      const fits = applicability(scenario, variant, proxy);
      if (!fits.applicable) console.log(`\n━━ ${scenario.id} · ${variant} ━━ not applicable to --proxy-cmd: ${notApplicableBecause(fits)}`);
      return fits.applicable;
    });
    const codeServer = codeServerSource({ command: flags['code-server-cmd'], url: flags['code-server-url'] });
    const real = codeServer ? realCodeServerApplicability(scenario) : { applicable: true as const };
    if (!real.applicable) console.log(`\n━━ ${scenario.id} ━━ not applicable to a real code-server: ${real.why}`);
    if (runs.length === 0 || !real.applicable) return 0;

    await buildPage();
    const stack = await startStack({ proxyCommand, codeServer, socksTranscripts: flags.hex });
    let browser: Browser | undefined;
    let status = 0;
    try {
      browser = await launchChromium();
      for (const variant of runs) {
        const { run, httpErrors } = await runInBrowser(browser, stack, scenario, variant);
        const info = stack.info();
        const proxyLabel = `${info.proxy.kind === 'ours' ? 'ours' : info.proxy.command} · SOCKS5_PROXY=${info.proxy.socksUrl}${info.proxy.legacyKnobs.length ? ` · knobs: ${info.proxy.legacyKnobs.join(', ')}` : ''}`;
        console.log(formatRun(run, httpErrors, { proxyLabel, socksAddresses: socksListening(info), socksUrl: info.proxy.socksUrl, hex: flags.hex }));
        if (!run.verdict.ok && variant === 'fixed') status = 1;
        else if (!run.verdict.ok && status === 0) status = 3;
      }
    } finally {
      await browser?.close();
      await stack.close();
    }
    return status;
  });
}
