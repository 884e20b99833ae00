// The harness page: wires the control API, the fault switches, the probes and the views.
import './style.css';
import type { Variant, Scenario } from '../../scenarios/types.ts';
import type { StackInfo } from '../../stack-info.ts';
import { ControlClient } from './control.ts';
import { causeFor, remember } from './named-causes.ts';
import type { NamedCause } from './named-causes.ts';
import { runProbe } from './probes.ts';
import { readinessProbe, vsdaProbe } from './probes-http.ts';
import { SocketTimeline, TIMELINE_LIMIT } from './timeline.ts';
import { byId, el } from './ui/dom.ts';
import { renderFaults } from './ui/fault-panel.ts';
import { appendLog } from './ui/log-view.ts';
import { renderStack } from './ui/stack-panel.ts';
import { mountTerminal } from './ui/terminal-view.ts';
import { renderTimeline } from './ui/timeline-view.ts';
import { WorkbenchPanel } from './ui/workbench-panel.ts';

const control = new ControlClient();
const timeline = new SocketTimeline();
const output = byId('probe-output');
const report = (error: unknown): void => {
  output.textContent = `error: ${error instanceof Error ? error.message : String(error)}`;
};

let info: StackInfo | undefined;
let catalog: Scenario[] = [];
const causes: NamedCause[] = [];

function showInfo(next: StackInfo): void {
  info = next;
  workbench.peerChanged(next.peer.state);
  renderStack(next);
  renderFaults(next, control, report);
  const select = byId<HTMLSelectElement>('scenario-select');
  if (next.scenario) select.value = next.scenario.id;
  showScenario(select.value);
}

function showScenario(id: string): void {
  const scenario = catalog.find((s) => s.id === id);
  const rows: [string, string][] = scenario
    ? [
        ['wrong', scenario.wrong],
        ['legacy', scenario.expect.legacy.says],
        ['fixed', scenario.expect.fixed.says],
        ['knobs', scenario.legacyKnobs.join(', ') || '—'],
        ...(scenario.remedy ? [['remedy', scenario.remedy] as [string, string]] : []),
        ...(scenario.evidence ? [['reported', scenario.evidence.join(', ')] as [string, string]] : []),
      ]
    : [['scenario', 'none: a healthy tailnet, no faults but the ones switched on below']];
  byId('scenario-detail').replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

async function start(): Promise<void> {
  catalog = await control.scenarios();
  const select = byId<HTMLSelectElement>('scenario-select');
  select.replaceChildren(el('option', { value: '' }, 'healthy tailnet (no scenario)'), ...catalog.map((s) => el('option', { value: s.id }, `${s.id} — ${s.title}`)));
  select.addEventListener('change', () => showScenario(select.value));
  byId('apply-scenario').addEventListener('click', () => {
    const variant = (document.querySelector<HTMLInputElement>('input[name=profile]:checked')?.value ?? 'fixed') as Variant;
    control.applyScenario(select.value || null, variant).then(showInfo, report);
  });
  showInfo(await control.info());
  control.subscribe({
    info: showInfo,
    log: (line) => {
      appendLog(byId('logs'), line);
      if (line.source !== 'cause') return;
      remember(causes, { t: line.t, text: line.line });
      renderSockets();
    },
  });
}

const renderSockets = (): void => {
  renderTimeline(byId('timeline-body'), timeline.all(), (url) => workbench.connectionOf(url), (entry) => causeFor(entry, causes));
  const dropped = byId('timeline-dropped');
  dropped.hidden = timeline.dropped() === 0;
  dropped.textContent = `${timeline.dropped()} older closed sockets not shown: the table keeps the last ${TIMELINE_LIMIT}`;
};
const workbench = new WorkbenchPanel(timeline, () => info, byId('workbench-log'), renderSockets);
timeline.onChange(renderSockets);
const terminal = mountTerminal(timeline.constructorFor('terminal'));
byId('connect-terminal').addEventListener('click', () => void terminal.connect());
byId('connect-workbench').addEventListener('click', () => workbench.connect());
byId('disconnect-workbench').addEventListener('click', () => workbench.disconnect());
const backgroundTab = byId<HTMLInputElement>('background-tab');
backgroundTab.addEventListener('change', () => workbench.setBackground(backgroundTab.checked));
byId('clear-timeline').addEventListener('click', () => timeline.clear());
// The buttons ask only what they say: runProbe would also open a workbench (a scenario run
// judges the sockets too), and each click would leave one more behind.
const show = (what: string, ask: () => Promise<string>) => () => {
  output.textContent = `${what}…`;
  ask().then((text) => (output.textContent = text), report);
};
byId('check-readiness').addEventListener('click', show('readyz', async () => {
  const readiness = await readinessProbe(control, 'readyz');
  return `${readiness.status ?? ''} ${readiness.body}`;
}));
byId('run-doctor').addEventListener('click', () => {
  output.textContent = 'doctor: walking every hop…';
  output.classList.remove('failed');
  control.doctor().then((run) => {
    output.textContent = run.text;
    output.classList.toggle('failed', run.exitCode !== 0);
  }, report);
});
byId('check-vsda').addEventListener('click', show('vsda', async () => {
  const vsda = await vsdaProbe(info?.codeServer.commit ?? '');
  return vsda.map((v) => `${v.status} ${v.url}`).join('\n');
}));

const ready = start();
ready.catch(report);
window.harnessPage = {
  ready,
  run: async (request) => {
    await ready;
    return runProbe(request, { control, timeline, info: () => info });
  },
  terminalRows: () => terminal.rows(),
};
