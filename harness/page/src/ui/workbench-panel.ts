// The Connect / Disconnect buttons: a workbench a person watches while flipping fault switches.
import { connectWorkbench } from '../../../../mock-code-server/common/index.ts';
import type { TimelineEvent, Workbench } from '../../../../mock-code-server/common/index.ts';
import type { StackInfo } from '../../../stack-info.ts';
import type { SocketTimeline } from '../timeline.ts';
import { timing } from '../../../scenarios/timing.ts';
import { ThrottledClock } from '../throttled-clock.ts';
import { describeEvent, workbenchBaseUrl } from '../workbench.ts';
import { byId, el } from './dom.ts';

type Shown = { text: string; tone: '' | 'ok' | 'bad' | 'warn' };

function stateOf(event: TimelineEvent): Shown {
  switch (event.kind) {
    case 'handshake':
      return { text: event.reason === 'ok' ? 'connected' : event.reason ?? 'connected', tone: 'ok' };
    case 'close':
      return { text: `closed ${event.code ?? ''} ${event.reason ?? ''}`.trim(), tone: event.code === 1006 ? 'bad' : 'warn' };
    case 'reconnect':
      return { text: `reconnecting (attempt ${event.attempt ?? '?'})`, tone: 'warn' };
    case 'error':
      return { text: event.reason ?? 'error', tone: 'bad' };
    default:
      return { text: event.kind, tone: '' };
  }
}

/** Lines of the workbench log kept: a reconnection loop adds a few every second. */
const LOG_LINES = 200;

export class WorkbenchPanel {
  private readonly workbenches: { index: number; workbench: Workbench }[] = [];
  private readonly lines: string[] = [];
  /** One pill per connection of each workbench opened here: "2 management" → its state. */
  private readonly shown = new Map<string, { index: number; connection: string } & Shown>();
  /** reconnectionToken → the connection it belongs to: one WebSocket class opens both. */
  private readonly names = new Map<string, string>();
  private opened = 0;
  /** Workbenches up to this one were disconnected. */
  private retiredUpTo = 0;
  /** Every workbench's timers: throttled while the page plays a background tab. */
  private readonly clock: ThrottledClock;

  constructor(
    private readonly timeline: SocketTimeline,
    private readonly info: () => StackInfo | undefined,
    private readonly output: HTMLElement,
    private readonly onNamed: () => void = () => undefined,
    throttleWindowMs: number = timing.throttleWindowMs,
  ) {
    this.clock = new ThrottledClock(throttleWindowMs);
  }

  /** The page as a background tab: the workbenches' KeepAlive and acks wake on window boundaries only. */
  setBackground(on: boolean): void {
    if (on) this.clock.hide();
    else this.clock.show();
  }

  /** 'management' or 'extensionHost' for a socket of a workbench opened here. */
  connectionOf(url: URL): string | undefined {
    return this.names.get(url.searchParams.get('reconnectionToken') ?? '');
  }

  /** Opens one more workbench, as another window would; the ones already open stay, each with its own pills. */
  connect(): void {
    this.lines.length = 0;
    const info = this.info();
    const index = ++this.opened;
    connectWorkbench({
      baseUrl: workbenchBaseUrl(location.origin),
      WebSocket: this.timeline.constructorFor('workbench'),
      commit: info?.codeServer.commit ?? '',
      timeScale: info?.codeServer.timeScale ?? 1,
      clock: this.clock,
      onTimeline: (event) => this.show(index, event),
    }).then(
      async (workbench) => {
        this.workbenches.push({ index, workbench });
        // A session keeps its token across reconnections, so later sockets are named too.
        for (const [name, token] of Object.entries(workbench.tokens())) if (token) this.names.set(token, `#${index} ${name}`);
        this.onNamed();
        const environment = await workbench.management.call('remoteextensionsenvironment', 'getEnvironmentData', {});
        this.lines.push(`getEnvironmentData → ${JSON.stringify(environment).slice(0, 200)}`);
        this.render();
      },
      (error: unknown) => {
        this.lines.push(`failed: ${error instanceof Error ? error.message : String(error)}`);
        this.render();
      },
    );
  }

  /** Closes every workbench; their pills go with them (and stay gone as their sockets close). */
  disconnect(): void {
    this.retiredUpTo = this.opened;
    for (const { workbench } of this.workbenches.splice(0)) workbench.close();
    this.shown.clear();
    this.render();
  }

  private show(index: number, event: TimelineEvent): void {
    // Milestones (Initialize, extension host ready) are in the log, not the connection's state.
    if (event.kind !== 'message' && index > this.retiredUpTo) this.shown.set(`${index} ${event.connection}`, { index, connection: event.connection, ...stateOf(event) });
    this.lines.push(`#${index} ${describeEvent(event)}`);
    if (this.lines.length > LOG_LINES) this.lines.splice(0, this.lines.length - LOG_LINES);
    this.render();
  }

  private render(): void {
    byId('workbench-status').replaceChildren(
      ...[...this.shown.values()].map((s) =>
        el('span', { class: `pill ${s.tone}`, 'data-workbench': String(s.index), 'data-connection': s.connection }, `#${s.index} ${s.connection}: ${s.text}`),
      ),
    );
    this.output.textContent = this.lines.slice(-40).join('\n');
    this.output.scrollTop = this.output.scrollHeight;
  }
}
