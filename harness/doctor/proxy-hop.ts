// --proxy: a deployed proxy checked from outside, as a browser uses it — /healthz, /readyz when it
// has one, code-server under its prefix over HTTP, the vsda files, and the workbench's WebSocket
// with the VS Code handshake and the close code and reason it ends with. Each check runs whatever
// the others found: they are independent requests.
import { randomUuid } from '../../mock-code-server/common/bytes.ts';
import { workbenchSocketUrl } from '../../mock-code-server/common/workbench.ts';
import { diagnose, diagnoseOther } from './diagnose.ts';
import type { HttpAnswer } from './http-check.ts';
import { causeDiagnosis } from './proxy-causes.ts';
import { answerText, commitOf, directOpen, getStep, upgradeThrough, type Route, type StepLog } from './route.ts';
import type { Deadlines, Diagnosis, Step } from './types.ts';
import { handshakeStep, terminalStep, upgradeDiagnosis, vsdaPaths } from './upstream-hop.ts';
import { vscodeHandshake } from './vscode-check.ts';
import { closeAndWait } from './ws-check.ts';

export interface ProxyPlan {
  proxy: URL;
  /** Default `/dev/code/`. */
  codePrefix: string;
  terminalPath?: string;
}

/** The cause this project's proxy writes into a 502/504 body (`cause: socks.…`), or the body's first line. */
function causeIn(answer: HttpAnswer): string {
  const text = answer.body.toString('utf8');
  return /^cause: (.+)$/m.exec(text)?.[1] ?? (text.split('\n')[0] ?? '').slice(0, 120);
}

function proxyRoute(deadlines: Deadlines): Route {
  const unreachable = (detail: string): Diagnosis => diagnoseOther(detail, 'the browser cannot load the page', 'check the proxy\'s URL, that it is deployed and that it accepts traffic');
  return {
    open: directOpen(deadlines.tcpMs, unreachable),
    failure: (kind, detail) => diagnoseOther(`the proxy ${kind === 'timeout' ? 'did not answer' : 'ended the connection'}: ${detail}`, 'the browser shows a network error', 'look at the proxy\'s log for this request'),
  };
}

/** A non-2xx/3xx answer from the proxy: its cause when it names one. */
function gatewayFailure(answer: HttpAnswer, where: string, deadlines: Deadlines, ms?: number): Pick<Step, 'verdict' | 'detail' | 'diagnosis'> {
  const cause = causeIn(answer);
  return { verdict: 'fail', detail: `${answer.status} ${answer.statusText}: ${cause}`, diagnosis: causeDiagnosis(cause, where, deadlines, ms) };
}

export async function proxyHop(plan: ProxyPlan, deadlines: Deadlines, log: StepLog): Promise<void> {
  const route = proxyRoute(deadlines);
  const at = (path: string) => new URL(path, plan.proxy);

  await getStep(log, route, 'proxy-healthz', 'http GET /healthz', at('/healthz'), deadlines.httpMs, (answer) =>
    answer.status === 200 ? { verdict: 'ok', detail: answerText(answer) } : { verdict: 'fail', detail: answerText(answer), diagnosis: diagnoseOther(`/healthz answered ${answer.status}`, 'the platform restarts or stops routing to the instance', 'look at the proxy\'s log') },
  );
  await getStep(log, route, 'proxy-readyz', 'http GET /readyz', at('/readyz'), deadlines.httpMs, (answer) => {
    if (answer.status === 404) {
      return { verdict: 'warn', detail: '404: no readiness check', diagnosis: diagnose('port-probe-health', 'the proxy has no /readyz: if its health check only opens a TCP connection to the SOCKS port, it stays green while every WebSocket fails') };
    }
    let report: { ok?: boolean; cause?: string; steps?: { step: string; ok: boolean; ms: number }[] } = {};
    try {
      report = JSON.parse(answer.body.toString('utf8')) as typeof report;
    } catch {
      // Another proxy's /readyz: judged by its status alone.
    }
    const steps = report.steps?.map((s) => `${s.step} ${s.ok ? 'ok' : 'failed'} ${s.ms} ms`).join(', ');
    if (answer.status === 200) return { verdict: 'ok', detail: `${answer.status} ready${steps ? `: ${steps}` : ''}` };
    const cause = report.cause ?? causeIn(answer);
    return { verdict: 'fail', detail: `${answer.status} not ready: ${cause}${steps ? ` (${steps})` : ''}`, diagnosis: causeDiagnosis(cause, '/readyz', deadlines) };
  });

  const codeBase = at(plan.codePrefix.endsWith('/') ? plan.codePrefix : `${plan.codePrefix}/`);
  const root = await getStep(log, route, 'proxy-code', `http GET ${codeBase.pathname}`, codeBase, deadlines.httpMs, (answer) =>
    answer.status < 400 ? { verdict: 'ok', detail: answerText(answer) } : gatewayFailure(answer, codeBase.pathname, deadlines),
  );
  let commit = root ? commitOf(root) : undefined;
  const location = root?.headers.location;
  if (root && !commit && location && root.status >= 300) {
    const pageUrl = new URL(location, codeBase);
    const page = await getStep(log, route, 'proxy-code', `http GET ${pageUrl.pathname}${pageUrl.search}`, pageUrl, deadlines.httpMs, (answer) =>
      answer.status < 400 ? { verdict: 'ok', detail: `${answerText(answer)}${commitOf(answer) ? `, commit ${commitOf(answer)}` : ''}` } : gatewayFailure(answer, pageUrl.pathname, deadlines),
    );
    if (page) commit = commitOf(page);
  }
  if (commit) {
    for (const path of vsdaPaths) {
      const url = new URL(`stable-${commit}/${path}`, codeBase);
      await getStep(log, route, 'proxy-vsda', `http GET …/${path.split('/').pop()}`, url, deadlines.httpMs, (answer) => {
        if (answer.status === 200) return { verdict: 'ok', detail: answerText(answer) };
        if (answer.status === 404) return { verdict: 'warn', detail: '404', diagnosis: diagnose('vsda-404', `the proxy passes ${path.split('/').pop()} through to code-server, which 404s it`) };
        return gatewayFailure(answer, url.pathname, deadlines);
      });
    }
  }

  await workbenchSocket(log, route, codeBase, commit, deadlines);
  if (plan.terminalPath) {
    const url = new URL(at(plan.terminalPath).href.replace(/^http/, 'ws'));
    await terminalStep(log, route, url, deadlines, 'proxy-terminal', (close) =>
      close.reason ? causeDiagnosis(close.reason, `close ${close.code}`, deadlines, close.at) : diagnose('terminal', `the terminal's WebSocket ended ${close.code} before the shell spoke`));
  }
}

/** The workbench's WebSocket through the proxy: 101, the handshake, then the close it ends with. */
async function workbenchSocket(log: StepLog, route: Route, codeBase: URL, commit: string | undefined, deadlines: Deadlines): Promise<void> {
  const socketUrl = new URL(workbenchSocketUrl(codeBase.href, commit ?? '0'.repeat(40), randomUuid(), false));
  const origin = `${codeBase.protocol}//${codeBase.host}`;
  const title = `ws ${socketUrl.pathname.replace(/stable-([0-9a-f]{8})[0-9a-f]+/, 'stable-$1…')}`;
  const started = performance.now();
  const ms = () => Math.round((performance.now() - started) * 10) / 10;
  const upgraded = await upgradeThrough(route, socketUrl, origin, deadlines.httpMs);
  if ('failed' in upgraded) {
    log.add({ id: 'proxy-ws', title, verdict: 'fail', ms: ms(), detail: upgraded.failed, diagnosis: upgraded.diagnosis });
    return;
  }
  const { outcome, wire } = upgraded;
  if (outcome.kind !== 'open') {
    if (outcome.kind === 'refused' && outcome.status !== 403 && /^cause: /m.test(outcome.body)) {
      const cause = /^cause: (.+)$/m.exec(outcome.body)?.[1] ?? '';
      log.add({ id: 'proxy-ws', title, verdict: 'fail', ms: ms(), detail: `HTTP ${outcome.status}: ${cause}`, wire, diagnosis: causeDiagnosis(cause, 'the upgrade', deadlines, ms()) });
      return;
    }
    const detail = outcome.kind === 'refused' ? `HTTP ${outcome.status} instead of 101: the browser sees 1006` : `${outcome.detail}: the browser sees 1006`;
    log.add({ id: 'proxy-ws', title, verdict: 'fail', ms: ms(), detail, wire, diagnosis: upgradeDiagnosis(route, outcome, 'the proxy') });
    return;
  }
  const handshakeWire: Step['wire'] = [];
  const handshake = await vscodeHandshake(outcome.ws, commit, deadlines.httpMs, handshakeWire);
  const close = await closeAndWait(outcome.ws, outcome.closed, deadlines.httpMs);
  const ended = `ended ${close.code}${close.reason ? ` "${close.reason}"` : ''}`;
  const allWire = [...wire, ...handshakeWire, { dir: '<' as const, text: `close ${close.code}${close.reason ? ` ${close.reason}` : ''}` }];
  if (handshake.kind === 'ok') {
    // A clean end is the proxy answering the doctor's 1000; a 1006 here is a proxy that drops sockets without a close frame.
    const clean = close.code === 1000;
    log.add({
      id: 'proxy-ws', title, verdict: clean ? 'ok' : 'warn', ms: ms(), detail: `101, ${handshake.detail}; ${ended}`, wire: allWire,
      ...(clean ? {} : { diagnosis: diagnoseOther(`the proxy did not answer the doctor's close frame (${ended})`, 'closes the browser starts end in 1006 instead of 1000', 'answer a browser\'s close frame with a close frame') }),
    });
    return;
  }
  // The proxy (or code-server behind it) ended the socket during the handshake: the close says why.
  const step = handshakeStep(handshake, ms(), allWire, title);
  const diagnosis = close.code !== 1000 && close.code !== 1006 && close.reason
    ? causeDiagnosis(close.reason, `close ${close.code}`, deadlines, close.at)
    : close.code === 1006
      ? diagnoseOther(`the WebSocket ended without a close frame during the handshake (${ended})`, 'the workbench shows "WebSocket close with status code 1006"', 'run the doctor with --socks and --upstream beside the proxy to find the hop; a proxy must end every failure with a close frame naming its cause')
      : step.diagnosis;
  const detail = handshake.kind === 'closed' ? `101, then ${step.detail}` : `101, then ${step.detail}; ${ended}`;
  log.add({ ...step, id: 'proxy-ws', detail, ...(diagnosis ? { diagnosis } : {}) });
}
