// Through the tunnel, as the proxy would go: code-server's answer on `/` and its workbench page,
// the vsda files, the workbench's WebSocket upgrade (Origin consistent with Host, as a browser on
// code-server's own origin sends it), the VS Code handshake, and the terminal's upgrade.
import { randomUuid } from '../../mock-code-server/common/bytes.ts';
import { workbenchSocketUrl } from '../../mock-code-server/common/workbench.ts';
import { diagnose, diagnoseOther } from './diagnose.ts';
import { secure } from './http-check.ts';
import { answerText, commitOf, getStep, portOf, upgradeThrough, type Route, type StepLog } from './route.ts';
import type { TunnelResult } from './socks-hop.ts';
import type { Deadlines, Diagnosis, Step } from './types.ts';
import { closeAndWait, type UpgradeOutcome, type WsClose } from './ws-check.ts';
import { vscodeHandshake, type HandshakeOutcome } from './vscode-check.ts';

/** The two files every open-source build lacks; the workbench asks for them on every load. */
export const vsdaPaths = ['static/node_modules/vsda/rust/web/vsda.js', 'static/node_modules/vsda/rust/web/vsda_bg.wasm'];

export function tunnelRoute(open: (host: string, port: number) => Promise<TunnelResult>): Route {
  return {
    open: async (url) => {
      const opened = await open(url.hostname.replace(/^\[|\]$/g, ''), portOf(url));
      return 'socket' in opened ? { socket: secure(opened.socket, url) } : opened;
    },
    failure: (kind, detail) => {
      if (kind === 'timeout') return diagnose('tunnel-idle', `the tunnel is up (CONNECT 05 00) but ${detail}`);
      if (kind === 'reset') return diagnose('socks-reset', `the tunnel was reset: ${detail}`);
      if (kind === 'closed') return diagnose('upstream-drops', `the tunnel ended mid-answer: ${detail}`);
      return diagnoseOther(`the upstream's port answered, but ${detail}`, 'every load fails (502 from a proxy)', 'check that the upstream URL names code-server\'s port and scheme (http vs https)');
    },
  };
}

/** What a refused or failed upgrade means when the doctor itself sent a consistent Origin. */
export function upgradeDiagnosis(route: Route, outcome: Exclude<UpgradeOutcome, { kind: 'open' }>, what: string): Diagnosis {
  if (outcome.kind !== 'refused') return route.failure(outcome.kind, outcome.detail);
  if (outcome.status === 403) return diagnose('origin-mismatch', `${what} answered 403 to an upgrade whose Origin matches its Host: it compares Origin with another host (X-Forwarded-Host, Forwarded, or a trusted-origins list)`);
  if (outcome.status === 401) return diagnoseOther(`${what} wants a login (401): code-server runs with a password`, 'the workbench page redirects to /login', 'log in through the proxy first (the code-server-session cookie), or run code-server with --auth none behind the proxy');
  return diagnoseOther(`${what} answered the upgrade with HTTP ${outcome.status}`, 'the workbench fails to connect (1006, or 1014 upstream.upgrade_refused with this project\'s proxy)', 'check what serves that port');
}

export function handshakeStep(outcome: HandshakeOutcome, ms: number, wire: Step['wire'], title: string): Step {
  if (outcome.kind === 'ok') return { id: 'vscode-handshake', title, verdict: 'ok', ms, detail: outcome.detail, wire };
  if (outcome.kind === 'rejected') {
    const diagnosis = outcome.reason.includes('version mismatch')
      ? diagnoseOther(`code-server refused the handshake: ${outcome.reason}`, 'the workbench reports a version mismatch and stops', 'the page and the server disagree on the commit: a stale cached workbench, or a proxy serving another build')
      : diagnoseOther(`code-server refused the handshake: ${outcome.reason}`, 'the workbench fails to connect', 'see the reason; a connection token (--connection-token) must match');
    return { id: 'vscode-handshake', title, verdict: 'fail', ms, detail: `refused: ${outcome.reason}`, wire, diagnosis };
  }
  const detail = outcome.kind === 'timeout' ? `no answer while waiting for ${outcome.waitedFor}` : outcome.kind === 'closed' ? `closed ${outcome.code}${outcome.reason ? ` "${outcome.reason}"` : ''} while waiting for ${outcome.waitedFor}` : outcome.detail;
  const diagnosis = outcome.kind === 'timeout'
    ? diagnose('tunnel-idle', `the WebSocket is open but code-server did not answer the handshake (${detail})`)
    : outcome.kind === 'closed' ? diagnose('upstream-drops', `the WebSocket ended during the handshake: ${detail}`)
    : diagnoseOther(detail, 'the workbench fails to connect', 'check that the upstream is code-server 4.x');
  return { id: 'vscode-handshake', title, verdict: 'fail', ms, detail, wire, diagnosis };
}

export async function upstreamHop(upstream: URL, terminal: URL | undefined, route: Route, deadlines: Deadlines, log: StepLog): Promise<void> {
  const base = new URL(upstream.href.endsWith('/') ? upstream.href : `${upstream.href}/`);
  const root = await getStep(log, route, 'http-root', `http GET ${base.pathname}`, base, deadlines.httpMs, (answer) =>
    answer.status < 400
      ? { verdict: 'ok', detail: answerText(answer) }
      : { verdict: 'fail', detail: answerText(answer), diagnosis: diagnoseOther(`code-server's / answered ${answer.status}`, 'the proxy serves that error page', 'check the upstream URL: it should be code-server\'s root') },
  );
  if (!root || log.stopped) return;

  let commit = commitOf(root);
  const location = root.headers.location;
  if (!commit && location && root.status >= 300) {
    const page = await getStep(log, route, 'http-workbench', `http GET ${new URL(location, base).pathname}${new URL(location, base).search}`, new URL(location, base), deadlines.httpMs, (answer) => {
      const found = commitOf(answer);
      if (answer.status === 200 && found) return { verdict: 'ok', detail: `${answerText(answer)}, commit ${found}` };
      return { verdict: 'warn', detail: `${answerText(answer)}, no commit in the page`, diagnosis: diagnoseOther('the workbench page names no commit (./stable-<commit>/ paths)', 'the page may be a login form or not code-server', 'open the page in a browser; the handshake below is checked without connectionType') };
    });
    if (log.stopped) return;
    if (page) commit = commitOf(page);
  }

  if (commit) {
    for (const path of vsdaPaths) {
      const url = new URL(`stable-${commit}/${path}`, base);
      await getStep(log, route, 'http-vsda', `http GET …/${path.split('/').pop()}`, url, deadlines.httpMs, (answer) =>
        answer.status === 404
          ? { verdict: 'ok', detail: `404, as in every open-source build: the proxy must serve it as an empty 200 (vsda-404)` }
          : { verdict: 'ok', detail: answerText(answer) },
      );
      if (log.stopped) return;
    }
  }

  const socketUrl = new URL(workbenchSocketUrl(base.href, commit ?? '0'.repeat(40), randomUuid(), false));
  const origin = `${base.protocol}//${base.host}`;
  const started = performance.now();
  const upgraded = await upgradeThrough(route, socketUrl, origin, deadlines.httpMs);
  const ms = () => Math.round((performance.now() - started) * 10) / 10;
  const title = `ws upgrade ${socketUrl.pathname.replace(/stable-([0-9a-f]{8})[0-9a-f]+/, 'stable-$1…')}`;
  if ('failed' in upgraded) {
    log.add({ id: 'ws-upgrade', title, verdict: 'fail', ms: ms(), detail: upgraded.failed, diagnosis: upgraded.diagnosis });
    return;
  }
  const { outcome, wire } = upgraded;
  if (outcome.kind !== 'open') {
    const detail = outcome.kind === 'refused' ? `HTTP ${outcome.status}${outcome.body ? `: ${outcome.body.trim().slice(0, 80)}` : ''}` : outcome.detail;
    log.add({ id: 'ws-upgrade', title, verdict: 'fail', ms: ms(), detail, wire, diagnosis: upgradeDiagnosis(route, outcome, 'code-server') });
    return;
  }
  log.add({ id: 'ws-upgrade', title, verdict: 'ok', ms: outcome.ms, detail: `101 Switching Protocols (Origin ${origin})`, wire });
  const handshakeWire: Step['wire'] = [];
  const handshakeStarted = performance.now();
  const handshake = await vscodeHandshake(outcome.ws, commit, deadlines.httpMs, handshakeWire);
  log.add(handshakeStep(handshake, Math.round((performance.now() - handshakeStarted) * 10) / 10, handshakeWire, 'vscode handshake'));
  // code-server answers a close frame by ending TCP (it never sends one): what it ends with here says nothing.
  await closeAndWait(outcome.ws, outcome.closed, deadlines.httpMs);
  if (log.stopped || !terminal) return;
  await terminalStep(log, route, terminal, deadlines, 'terminal-upgrade', (close) => diagnose('terminal', `the terminal closed ${close.code} before its first frame`));
}

/** The terminal's WebSocket: a 101, then the shell's first output frame (a close instead says why it ended). */
export async function terminalStep(log: StepLog, route: Route, terminal: URL, deadlines: Deadlines, id: 'terminal-upgrade' | 'proxy-terminal', closedEarly: (close: WsClose) => Diagnosis): Promise<void> {
  const started = performance.now();
  const origin = `${terminal.protocol === 'wss:' ? 'https:' : 'http:'}//${terminal.host}`;
  const upgraded = await upgradeThrough(route, terminal, origin, deadlines.httpMs);
  const ms = () => Math.round((performance.now() - started) * 10) / 10;
  const title = `terminal upgrade ${terminal.pathname}`;
  if ('failed' in upgraded) {
    log.add({ id, title, verdict: 'fail', ms: ms(), detail: upgraded.failed, diagnosis: upgraded.diagnosis });
    return;
  }
  const { outcome, wire } = upgraded;
  if (outcome.kind !== 'open') {
    const detail = outcome.kind === 'refused' ? `HTTP ${outcome.status}` : outcome.detail;
    log.add({ id, title, verdict: 'fail', ms: ms(), detail, wire, diagnosis: diagnose('terminal', `the terminal's upgrade failed: ${detail}`) });
    return;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const first = await Promise.race([
    outcome.firstMessage.then((data) => ({ message: data.toString('utf8') })),
    outcome.closed.then((close) => ({ close })),
    new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), deadlines.httpMs))),
  ]);
  clearTimeout(timer);
  await closeAndWait(outcome.ws, outcome.closed, deadlines.httpMs);
  if (first === undefined) {
    log.add({ id, title, verdict: 'warn', ms: ms(), detail: `101, but no frame within ${deadlines.httpMs} ms`, wire, diagnosis: diagnose('terminal', 'the terminal accepted the upgrade but sent nothing (a shell greets on open)') });
    return;
  }
  if ('close' in first) {
    const { code, reason } = first.close;
    wire.push({ dir: '<', text: `close ${code}${reason ? ` ${reason}` : ''}` });
    log.add({ id, title, verdict: 'fail', ms: ms(), detail: `101, then closed ${code}${reason ? ` "${reason}"` : ''} before the shell spoke`, wire, diagnosis: closedEarly(first.close) });
    return;
  }
  wire.push({ dir: '<', text: first.message.length > 100 ? `${first.message.slice(0, 100)}…` : first.message });
  log.add({ id, title, verdict: 'ok', ms: ms(), detail: '101, first frame received', wire });
}
