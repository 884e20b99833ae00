// The Connect / Disconnect buttons: a workbench a person watches while flipping fault switches.
import { connectWorkbench } from '../../../../mock-code-server/common/index.ts';
import type { TimelineEvent, Workbench } from '../../../../mock-code-server/common/index.ts';
import type { StackInfo } from '../../../stack-info.ts';
import type { SocketTimeline } from '../timeline.ts';
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

export class WorkbenchPanel {
  private readonly workbenches: Workbench[] = [];
  private readonly lines: string[] = [];
  private readonly shown = new Map<string, Shown>();
  /** reconnectionToken → the connection it belongs to: one WebSocket class opens both. */
  private readonly names = new Map<string, string>();

  constructor(
    private readonly timeline: SocketTimeline,
    private readonly info: () => StackInfo | undefined,
    private readonly output: HTMLElement,
    private readonly onNamed: () => void = () => undefined,
  ) {}

  /** 'management' or 'extensionHost' for a socket of a workbench opened here. */
  connectionOf(url: URL): string | undefined {
    return this.names.get(url.searchParams.get('reconnectionToken') ?? '');
  }

  /** Opens one more workbench, as another window would; the ones already open stay. */
  connect(): void {
    this.lines.length = 0;
    const info = this.info();
    connectWorkbench({
      baseUrl: workbenchBaseUrl(location.origin),
      WebSocket: this.timeline.constructorFor('workbench'),
      commit: info?.codeServer.commit ?? '',
      timeScale: info?.codeServer.timeScale ?? 1,
      onTimeline: (event) => this.show(event),
    }).then(
      async (workbench) => {
        this.workbenches.push(workbench);
        // A session keeps its token across reconnections, so later sockets are named too.
        for (const [name, token] of Object.entries(workbench.tokens())) if (token) this.names.set(token, name);
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

  disconnect(): void {
    for (const workbench of this.workbenches.splice(0)) workbench.close();
  }

  private show(event: TimelineEvent): void {
    // Milestones (Initialize, extension host ready) are in the log, not the connection's state.
    if (event.kind !== 'message') this.shown.set(event.connection, stateOf(event));
    this.lines.push(describeEvent(event));
    this.render();
  }

  private render(): void {
    byId('workbench-status').replaceChildren(
      ...[...this.shown].map(([name, s]) => el('span', { class: `pill ${s.tone}`, 'data-connection': name }, `${name}: ${s.text}`)),
    );
    this.output.textContent = this.lines.slice(-40).join('\n');
    this.output.scrollTop = this.output.scrollHeight;
  }
}
