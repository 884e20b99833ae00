// Every command line in the repository answers the same way: --help is usage on stdout and exit 0;
// an unknown option is one line on stderr, the same words in every CLI, and exit 2 (no stack).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { subcommands } from './commands.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(entry: string[], args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...entry, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Each CLI: how it is started, and the name its error lines start with. */
const clis: { entry: string[]; prefix: string }[] = [
  ...Object.keys(subcommands).map((name) => ({
    entry: ['harness/cli/bin.ts', name],
    // The servers' own commands and the tools keep the names they have outside the bin.
    prefix: ['proxy', 'mock-socks', 'mock-code-server', 'doctor', 'tap'].includes(name) ? name : `tailnet-harness ${name}`,
  })),
  { entry: ['proxy/soak/cli.ts'], prefix: 'soak' },
  { entry: ['mock-socks/fuzz/run.ts'], prefix: 'fuzz' },
  { entry: ['bench/run.ts'], prefix: 'bench' },
];

// Each case starts Node with tsx (about a second each on a quiet machine; several under load).
describe('every CLI', { timeout: 120_000 }, () => {
  it('--help: usage on stdout, exit 0; an unknown option: one line on stderr, exit 2', async () => {
    const ran = await Promise.all(clis.map(async ({ entry }) => ({ help: await run(entry, ['--help']), unknown: await run(entry, ['--frobnicate']) })));
    clis.forEach(({ entry, prefix }, i) => {
      const { help, unknown } = ran[i] as { help: Ran; unknown: Ran };
      expect(help, entry.join(' ')).toMatchObject({ status: 0, stderr: '' });
      expect(help.stdout, entry.join(' ')).toMatch(/^usage: /);
      expect(unknown, entry.join(' ')).toMatchObject({ status: 2, stdout: '', stderr: `${prefix}: unknown option --frobnicate (see --help)\n` });
    });
  });
});
