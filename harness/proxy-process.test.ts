import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port.ts';
import { ProxyProcessError, startProxyProcess } from './proxy-process.ts';
import type { ProxyProcess } from './proxy-process.ts';

// A stand-in proxy in one line: answers every request with the variables it was given.
const echoEnv = `"${process.execPath}" -e "require('http').createServer((q, s) => s.end(JSON.stringify({ socks: process.env.SOCKS5_PROXY, upstream: process.env.UPSTREAM_URL }))).listen(+process.env.PORT, '127.0.0.1', () => console.log('listening on 127.0.0.1:' + process.env.PORT))"`;

function alive(pid: number | undefined): boolean {
  try {
    process.kill(pid ?? -1, 0);
    return true;
  } catch {
    return false;
  }
}

describe('bring your own proxy', () => {
  let running: ProxyProcess | undefined;
  afterEach(async () => {
    await running?.stop();
  });

  it('runs the command with PORT and the tailnet variables, waits for its port, keeps its output, stops its group', async () => {
    const port = await freePort();
    running = await startProxyProcess({ command: echoEnv, port, env: { PORT: String(port), SOCKS5_PROXY: 'socks5h://localhost:1', UPSTREAM_URL: 'http://100.84.184.84:8888' } });
    const answer = (await (await fetch(running.url)).json()) as Record<string, string>;
    expect(answer).toEqual({ socks: 'socks5h://localhost:1', upstream: 'http://100.84.184.84:8888' });
    await expect.poll(() => running?.output()).toContain(`out| listening on 127.0.0.1:${port}`);
    const pid = running.pid;
    await running.stop();
    expect(alive(pid)).toBe(false);
  });

  it('fails with the output when the command exits before listening', async () => {
    const port = await freePort();
    const start = startProxyProcess({ command: `echo nope >&2; exit 3`, port, env: { PORT: String(port) } });
    await expect(start).rejects.toBeInstanceOf(ProxyProcessError);
    await expect(start).rejects.toThrow(/exited \(3\)[\s\S]*err\| nope/);
  });
});
