// A real code-server for the harness (`--code-server-cmd`), run so that nothing of it leaves
// loopback: in a network namespace of its own with only `lo` (`unshare -n`), serving a unix socket,
// with a loopback TCP port ($PORT) forwarded to that socket from outside the namespace. Its
// extension host looks up telemetry hosts even with --disable-telemetry; in the namespace such a
// lookup has nowhere to go. Needs root (or user namespaces) for unshare, and code-server installed
// from npm: CODE_SERVER_ENTRY=<…>/node_modules/code-server/out/node/entry.js.
//
//   CODE_SERVER_ENTRY=… PORT=8888 npx tsx harness/examples/real-code-server.ts
//
// Prints `listening on 127.0.0.1:PORT` once code-server answers on the socket; SIGTERM or SIGINT
// stops it and removes its temporary home.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const entry = process.env.CODE_SERVER_ENTRY ?? '';
const port = Number(process.env.PORT ?? '0');
if (!entry || !existsSync(entry)) fail('set CODE_SERVER_ENTRY to code-server\'s out/node/entry.js (npm install code-server@4.100.3)');
if (!Number.isInteger(port) || port <= 0 || port > 65_535) fail('set PORT to the loopback port to serve on');

const home = mkdtempSync(join(tmpdir(), 'real-code-server-'));
const dirs = Object.fromEntries(['home', 'config', 'data', 'cache', 'tmp', 'user-data', 'extensions', 'project'].map((name) => [name, join(home, name)]));
for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
mkdirSync(join(dirs['user-data'] ?? home, 'User'), { recursive: true });
// The workbench's own telemetry setting, besides the server's flag.
writeFileSync(join(dirs['user-data'] ?? home, 'User', 'settings.json'), JSON.stringify({ 'telemetry.telemetryLevel': 'off', 'update.mode': 'none' }, null, 2));
writeFileSync(join(dirs.project ?? home, 'README.md'), '# a project opened through the tailnet-harness\n');
const socketPath = join(home, 'code-server.sock');

const flags = [
  `--socket ${quote(socketPath)}`,
  '--auth none',
  '--disable-telemetry',
  '--disable-update-check',
  '--disable-workspace-trust',
  '--disable-getting-started-override',
  `--user-data-dir ${quote(dirs['user-data'] ?? '')}`,
  `--extensions-dir ${quote(dirs.extensions ?? '')}`,
  quote(dirs.project ?? ''),
].join(' ');
const child = spawn('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec ${quote(process.execPath)} ${quote(entry)} ${flags}`], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dirs.home,
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.data,
    XDG_CACHE_HOME: dirs.cache,
    TMPDIR: dirs.tmp,
    // The extension gallery, if anything asks it: a loopback address where nothing listens.
    EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: 'http://127.0.0.1:9/gallery', itemUrl: 'http://127.0.0.1:9/item' }),
  },
});

const open = new Set<Socket>();
const forwarder = createServer((browserSide) => {
  const serverSide = connect(socketPath);
  open.add(browserSide).add(serverSide);
  const drop = () => {
    browserSide.destroy();
    serverSide.destroy();
    open.delete(browserSide);
    open.delete(serverSide);
  };
  browserSide.on('error', drop).on('close', drop);
  serverSide.on('error', drop).on('close', drop);
  browserSide.pipe(serverSide);
  serverSide.pipe(browserSide);
});

let stopping = false;
function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  forwarder.close();
  for (const socket of open) socket.destroy();
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
  child.once('exit', () => {
    clearTimeout(killer);
    rmSync(home, { recursive: true, force: true });
    process.exit(code);
  });
  if (child.exitCode !== null || child.signalCode !== null) child.emit('exit');
}
process.once('SIGTERM', () => stop(0));
process.once('SIGINT', () => stop(0));
child.once('exit', (code) => {
  if (!stopping) {
    console.error(`code-server exited (${code ?? 'signal'})`);
    stop(1);
  }
});

void (async () => {
  const deadline = Date.now() + 60_000;
  while (!(await answers(socketPath))) {
    if (stopping) return;
    if (Date.now() > deadline) {
      console.error('code-server did not answer on its socket within 60 s');
      return stop(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  forwarder.listen(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${port}`));
})();

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    if (!existsSync(path)) return resolve(false);
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}
