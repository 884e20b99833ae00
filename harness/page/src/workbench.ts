// The workbench probe: the mock-code-server client (management + extension host) opened through
// the proxy on the page's origin, driven until the outcome the caller waits for.
import { connectWorkbench } from '../../../mock-code-server/common/index.ts';
import type { Clock, TimelineEvent, Workbench } from '../../../mock-code-server/common/index.ts';
import type { ControlClient } from './control.ts';
import { describeEvent } from './event-words.ts';
import type { ProbeRequest, WorkbenchReport } from './probe-types.ts';
import { recoveryOf } from './recovery.ts';
import { EchoTraffic, environmentCall } from './workbench-traffic.ts';
import { Pokes, waitFor } from './wait.ts';

export interface WorkbenchProbeOptions {
  commit: string;
  timeScale: number;
  /** The extension host echoes (mock-code-server); a real code-server's is only waited for. */
  hostEchoes: boolean;
  WebSocket: typeof WebSocket;
  deadlineMs: number;
  /** Takes the peer away and brings it back for a request with an outage. */
  control: ControlClient;
  /** The client's timers (default the page's own). */
  clock?: Clock;
}

export function workbenchBaseUrl(origin: string): string {
  return `${origin}/dev/code/`;
}

/**
 * Connects, then: 'connected' → one management call and echoes; 'first-close' → until any socket
 * closes; 'recovered' → echo traffic across a close until a reconnection delivered all of it;
 * 'saw' → echo traffic until a timeline event matches `request.saw` (and a socket closed, with
 * `alsoClose`) — a failure that may come before the workbench ever connects.
 * The workbench is left open: closing a socket that is still connecting is itself a 1006.
 */
export async function workbenchProbe(request: ProbeRequest, options: WorkbenchProbeOptions): Promise<{ report: WorkbenchReport; settled: boolean; workbench?: Workbench }> {
  const started = Date.now();
  const left = () => Math.max(0, options.deadlineMs - (Date.now() - started));
  const pokes = new Pokes();
  const events: TimelineEvent[] = [];
  const report: WorkbenchReport = { connected: false, handshakes: 0, reconnects: 0, lost: 0, events: [] };
  let failure: string | undefined;
  let workbench: Workbench | undefined;
  /** The client's timeline counts from here (connectWorkbench reads the same clock). */
  const connectedFrom = Date.now();
  /** When the outage ended, on the timeline; a one-shot fault is over at its drop. */
  let clearedT: number | undefined;
  const connecting: Promise<Workbench> = connectWorkbench({
    baseUrl: workbenchBaseUrl(location.origin),
    WebSocket: options.WebSocket,
    commit: options.commit,
    timeScale: options.timeScale,
    clock: options.clock,
    onTimeline: (event) => {
      events.push(event);
      pokes.poke();
    },
  });
  const fail = (error: unknown): void => {
    failure = error instanceof Error ? error.message : String(error);
    pokes.poke();
  };
  connecting
    .then(async (wb) => {
      workbench = wb;
      await wb.extensionHost?.ready();
      await environmentCall(wb);
      report.connected = true;
      pokes.poke();
    })
    .catch(fail);
  const closed = () => events.some((e) => e.kind === 'close');
  // Every connection that dropped is back (after the outage, when there was one).
  const reconnected = () => recoveryOf(events, clearedT)?.ms !== undefined;
  let settled: boolean;

  const connectedOrFailed = () => report.connected || failure !== undefined;
  if (request.echoBytes) {
    // large-messages: the close (legacy: 1009) only comes once a large message is sent.
    settled = await waitFor(connectedOrFailed, pokes.subscribe, left());
    if (workbench && report.connected) {
      let echoed: number | undefined;
      void EchoTraffic.largestIntact(workbench, request.echoBytes, left()).then((bytes) => {
        echoed = bytes;
        pokes.poke();
      });
      const done = await waitFor(() => echoed !== undefined || (request.until === 'first-close' && closed()), pokes.subscribe, left());
      report.echoedBytes = echoed ?? 0;
      settled = request.until === 'first-close' ? closed() : done;
    }
  } else if (request.until === 'saw') {
    const pattern = new RegExp(request.saw ?? '$^', 'i');
    const saw = () => events.some((e) => pattern.test(describeEvent(e))) && (!request.alsoClose || closed());
    await waitFor(() => saw() || report.connected || failure !== undefined, pokes.subscribe, left());
    if (!saw() && workbench) {
      const traffic = new EchoTraffic(workbench, pokes.poke);
      traffic.start();
      settled = await waitFor(saw, pokes.subscribe, left());
      traffic.stop();
    } else settled = await waitFor(saw, pokes.subscribe, left());
  } else if (request.until === 'first-close') {
    // A drop mid-session (upstream-drops, socks-reset) needs a session with traffic in it.
    settled = await waitFor(() => closed() || report.connected, pokes.subscribe, left());
    if (!closed() && workbench) {
      const traffic = new EchoTraffic(workbench, pokes.poke, options.hostEchoes);
      traffic.start();
      settled = await waitFor(closed, pokes.subscribe, left());
      traffic.stop();
    }
  } else {
    settled = await waitFor(connectedOrFailed, pokes.subscribe, left());
    if (workbench && report.connected && request.until === 'recovered') {
      const traffic = new EchoTraffic(workbench, pokes.poke, options.hostEchoes);
      traffic.start();
      const outage = request.outage;
      if (outage) {
        const outageStarted = Date.now();
        await options.control.setFaults({ peerState: outage.peerState, dropPeerTunnels: true });
        // A pass-through proxy drops the connections at once; one that rides the outage out keeps
        // them open until the peer is back. Its traffic goes on for a tenth of the outage — sent
        // into the ride, to be replayed on the reconnection — then stops: 200 calls a second for the
        // whole outage only lengthen that replay, which no workbench left idle makes.
        await waitFor(closed, pokes.subscribe, Math.max(0, outageStarted + outage.forMs / 10 - Date.now()));
        report.sentBeforeDrop = traffic.count;
        traffic.stop();
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, outageStarted + outage.forMs - Date.now())));
        // Taken before the peer is back: the recovery measured is never shorter than it was.
        clearedT = Date.now() - connectedFrom;
        await options.control.setFaults({ peerState: 'up' });
      } else {
        settled = await waitFor(closed, pokes.subscribe, left());
        report.sentBeforeDrop = traffic.count;
      }
      settled = (await waitFor(reconnected, pokes.subscribe, left())) && settled;
      traffic.stop();
      settled = (await waitFor(() => traffic.complete(), pokes.subscribe, left())) && settled;
      report.lost = traffic.lost();
      report.sent = traffic.count;
    }
  }
  report.handshakes = events.filter((e) => e.kind === 'handshake').length;
  report.reconnects = events.filter((e) => e.kind === 'handshake' && e.reason?.startsWith('reconnected')).length;
  report.lost += events.reduce((sum, e) => sum + (e.lost ?? 0), 0);
  report.recovery = recoveryOf(events, clearedT);
  report.events = events.map(describeEvent);
  if (failure) report.events.push(`failed: ${failure}`);
  return { report, settled, workbench };
}
