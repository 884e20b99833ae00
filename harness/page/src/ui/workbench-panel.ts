import type { StackInfo } from '../../../stack-info.ts';
import type { SocketTimeline } from '../timeline.ts';

export class WorkbenchPanel {
  constructor(
    private readonly timeline: SocketTimeline,
    private readonly info: () => StackInfo | undefined,
    private readonly output: HTMLElement,
  ) {}

  connect(): void {
    this.output.textContent = `workbench client not wired yet (${this.timeline.all().length} sockets, ${this.info()?.pageUrl ?? ''})`;
  }

  disconnect(): void {}
}
