// Bring your own proxy: any command, told where the mock tailnet is the way Cloud Run and the
// seed notes' services are (PORT, SOCKS5_PROXY, UPSTREAM_URL, TERMINAL_URL), and considered
// up once its port accepts connections.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { distinctTail } from './distinct-lines.ts';

export interface ProxyProcessOptions {
  /** A shell command line, e.g. `python3 app.py` or `npm run proxy`. */
  command: string;
  /** The variables the proxy reads; PORT among them. */
  env: Record<string, string>;
  port: number;
  host?: string;
  /** How long the command gets to accept connections (ms). Default 20000 (tsx or python start-up). */
  readyTimeoutMs?: number;
  cwd?: string;
  /** What the command is, in its errors: default `the proxy` (a real code-server is started the same way). */
  what?: string;
}

export interface ProxyProcess {
  /** The shell's pid, leader of the process group stop() signals. */
  pid: number | undefined;
  host: string;
  port: number;
  url: string;
  /** Everything it printed so far, each line prefixed `out| ` or `err| `. */
  output(): string[];
  onLine(fn: (line: string) => void): void;
  stop(): Promise<void>;
}

/** The command never accepted connections: a setup error, shown with what it printed. */
export class ProxyProcessError extends Error {
  readonly code = 'proxy.not_listening';
  constructor(message: string, readonly output: string[]) {
    const said = output.filter((line) => line.slice(5).trim() !== '');
    const printed = said.length === 0 ? '(it printed nothing)' : distinctTail(said, 20).map((line) => `  ${line}`).join('\n');
    super(`${message}; its output:\n${printed}`);
  }
}

export async function startProxyProcess(options: ProxyProcessOptions): Promise<ProxyProcess> {
  const host = options.host ?? '127.0.0.1';
  const lines: string[] = [];
  const listeners: ((line: string) => void)[] = [];
  // Its own process group, so stop() reaches the grandchildren a shell or npm starts.
  const child = spawn(options.command, {
    shell: true,
    detached: true,
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (tag: string) => {
    let partial = '';
    return (chunk: Buffer): void => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const part of parts) {
        const line = `${tag}| ${part}`;
        lines.push(line);
        for (const fn of listeners) fn(line);
      }
    };
  };
  child.stdout?.on('data', collect('out'));
  child.stderr?.on('data', collect('err'));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const handle: ProxyProcess = {
    pid: child.pid,
    host,
    port: options.port,
    url: `http://${host}:${options.port}`,
    output: () => [...lines],
    onLine: (fn) => void listeners.push(fn),
    stop: () => stopGroup(child, exited),
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code ?? -1));
  while (!(await accepts(host, options.port))) {
    if (exitCode !== undefined) throw new ProxyProcessError(`${options.what ?? 'the proxy'} never listened: \`${options.command}\` exited (${exitCode}) before accepting connections on ${host}:${options.port}`, lines);
    if (Date.now() > deadline) {
      await handle.stop();
      throw new ProxyProcessError(`${options.what ?? 'the proxy'} never listened: \`${options.command}\` did not accept connections on ${host}:${options.port} within ${options.readyTimeoutMs ?? 20_000} ms`, lines);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return handle;
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function stopGroup(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.pid === undefined) return;
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-(child.pid as number), sig);
    } catch {
      // The group is already gone.
    }
  };
  // Also when the shell itself is gone: what it started may still hold the port.
  signal('SIGTERM');
  if (child.exitCode !== null || child.signalCode !== null) return;
  const killer = setTimeout(() => signal('SIGKILL'), 5000);
  await exited;
  clearTimeout(killer);
}
