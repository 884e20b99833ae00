// The harness may run our proxy as a command with the legacy variables: that works through the
// legacy entry (and only there — the product ignores them, see proxy/config.test.ts).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startFixtureStack, tailnetUpstream, type FixtureStack } from '../test/stack.ts';
import { openClient } from '../test/ws-client.ts';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
let stack: FixtureStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('legacy CLI', () => {
  it('takes LEGACY_* from the environment and reproduces the 1006 of passThroughUpgrade', async () => {
    stack = await startFixtureStack();
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--listen', '127.0.0.1:0'], {
      env: { ...process.env, PORT: '', SOCKS5_PROXY: stack.socks.url(), UPSTREAM_URL: tailnetUpstream, LEGACY_PASS_THROUGH_UPGRADE: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
    const [first] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const address = /^listening on (127\.0\.0\.1:\d+)$/.exec(first)?.[1];
    expect(address).toBeDefined();
    const client = openClient(`ws://${address}/dev/code/x`);
    await client.opened;
    await expect.poll(() => stack?.upstream.sockets.size).toBe(1);
    stack.upstream.dropAll();
    expect((await client.closed).code).toBe(1006);
    child.kill('SIGTERM');
    expect((await once(child, 'exit'))[0]).toBe(0);
    expect(stderr).toMatch(/"legacy":\["passThroughUpgrade"\]/);
  });
});
