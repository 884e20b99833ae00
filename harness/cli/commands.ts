// The subcommands of the one `tailnet-harness` bin. Adding one is one line here: a module that
// exports `main(argv: string[]): Promise<void>` and does everything its CLI does (prints
// `listening on HOST:PORT` first when it serves, installs its signal handlers, answers a usage
// error with one stderr line and exit status 2). Modules load on demand, so `proxy` never loads
// Playwright.

interface Subcommand {
  summary: string;
  load(): Promise<{ main(argv: string[]): Promise<void> }>;
}

export const subcommands: Record<string, Subcommand> = {
  start: { summary: 'the whole mock tailnet and the harness page, until SIGINT/SIGTERM', load: () => import('./start.ts') },
  check: { summary: 'judge a proxy on every catalog row that applies to it (exit 0 pass, 1 fail, 2 setup)', load: () => import('./check.ts') },
  repro: { summary: 'one catalog row in headless Chromium, legacy then fixed, with what every hop saw', load: () => import('./repro.ts') },
  proxy: { summary: 'the proxy (the Cloud Run service) on its own', load: () => import('../../proxy/main.ts') },
  'mock-socks': { summary: "tailscaled's SOCKS5 server with a mock tailnet and faults, on its own", load: () => import('../../mock-socks/main.ts') },
  'mock-code-server': { summary: "code-server's HTTP routes, workbench protocol and terminal, on its own", load: () => import('../../mock-code-server/main.ts') },
  doctor: { summary: 'walk a real deployment hop by hop (SOCKS, tunnel, upstream, handshake) and name the failing scenario', load: () => import('./doctor.ts') },
  tap: { summary: 'a recording SOCKS5 relay: put it between an application and tailscaled to see every byte', load: () => import('./tap.ts') },
};

function usage(): string {
  const width = Math.max(...Object.keys(subcommands).map((name) => name.length));
  const lines = Object.entries(subcommands).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
  return `usage: tailnet-harness <command> [options]      (tailnet-harness <command> --help for its options)\n\n${lines.join('\n')}`;
}

/** Runs `argv[0]` with the rest of the arguments. */
export async function dispatch(argv: readonly string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === undefined) {
      console.error(usage());
      process.exit(2);
    }
    console.log(usage());
    return;
  }
  const command = Object.hasOwn(subcommands, name) ? subcommands[name] : undefined;
  if (!command) {
    console.error(`tailnet-harness: unknown command ${JSON.stringify(name)} (one of: ${Object.keys(subcommands).join(', ')})`);
    process.exit(2);
  }
  await (await command.load()).main(rest);
}
