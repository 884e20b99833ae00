// The probes that need no workbench: readiness, the vsda requests, the terminal.
import type { ControlClient } from './control.ts';
import type { ProbeResult } from './probe-types.ts';
import { TerminalConnection } from './terminal-connection.ts';
import { Pokes, waitFor } from './wait.ts';

export async function readinessProbe(control: ControlClient, via: 'readyz' | 'port-probe'): Promise<NonNullable<ProbeResult['readiness']>> {
  if (via === 'port-probe') {
    const probe = await control.portProbe();
    return { via, ready: probe.ready, body: probe.probes.map((p) => `${p.address} ${p.open ? 'listening' : 'closed'}`).join('\n') };
  }
  const response = await fetch('/readyz', { cache: 'no-store' });
  return { via, ready: response.ok, status: response.status, body: await response.text() };
}

/** The two requests every workbench load makes, which 404 in open-source builds. */
export function vsdaUrls(commit: string): string[] {
  const base = `/dev/code/stable-${commit}/static/node_modules/vsda/rust/web`;
  return [`${base}/vsda.js`, `${base}/vsda_bg.wasm`];
}

export async function vsdaProbe(commit: string): Promise<NonNullable<ProbeResult['vsda']>> {
  return Promise.all(vsdaUrls(commit).map(async (url) => ({ url, status: (await fetch(url, { cache: 'no-store' })).status })));
}

/** Types a line and reads it back — after `quietMs` with nothing typed, if given; resizes and asks the shell for its size. */
export async function terminalProbe(Socket: typeof WebSocket, deadlineMs: number, quietMs = 0): Promise<NonNullable<ProbeResult['terminal']>> {
  const pokes = new Pokes();
  let output = '';
  let open = false;
  const url = `${location.origin.replace(/^http/, 'ws')}/dev/ws/terminal`;
  const connection = new TerminalConnection(url, {
    output: (text) => {
      output += text;
      pokes.poke();
    },
    status: (_text, state) => {
      open = state === 'open';
      pokes.poke();
    },
  }, Socket);
  const token = `harness-${Math.random().toString(36).slice(2, 8)}`;
  const started = Date.now();
  const left = () => Math.max(0, deadlineMs - (Date.now() - started));
  connection.connect();
  try {
    if (!(await waitFor(() => open, pokes.subscribe, left()))) return { echoed: false, resized: false, output };
    if (quietMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, quietMs));
      // A quiet socket a hop dropped is reconnected by the page; the line goes to whichever shell answers.
      await waitFor(() => open, pokes.subscribe, left());
    }
    connection.type(`echo ${token}\r`);
    // The shell echoes the keystrokes, then prints the argument on its own line.
    const echoed = await waitFor(() => output.includes(`\n${token}\r\n`), pokes.subscribe, left());
    connection.resize(101, 33);
    connection.type('size\r');
    const resized = await waitFor(() => output.includes('101x33'), pokes.subscribe, left());
    return { echoed, resized, output };
  } finally {
    connection.close();
  }
}
