// A whole mock tailnet on ephemeral ports: mock-code-server (code-server and the terminal) as the
// peer "devbox" — or a real code-server as its code-server, in real time —, mock-socks in front of
// it as tailscaled, the proxy (ours, or any command), and the harness server — page, control API
// and the front end the browser reaches the proxy through.
// A scenario restarts mock-socks and the proxy (a bind mode or a variant is fixed at start);
// faults change live. close() leaves no process, socket or timer behind.
import { startMockCodeServer } from '../mock-code-server/index.ts';
import type { MockCodeServerHandle } from '../mock-code-server/index.ts';
import { startMockSocks } from '../mock-socks/index.ts';
import type { ConnectionInfo, ConnectionRecord, MockSocksHandle } from '../mock-socks/index.ts';
import { startProxy } from '../proxy/index.ts';
import { startLegacyProxy } from '../proxy/legacy/index.ts';
import { freePort } from './free-port.ts';
import { startProxyProcess } from './proxy-process.ts';
import type { ProxyProcess } from './proxy-process.ts';
import { startRealCodeServer, type CodeServerSource } from './real-code-server.ts';
import { realTime, scenarioById, timing } from './scenarios/index.ts';
import type { FrontFault, PeerState, Variant, ProxyTuning, Scenario, ServerFault, SocksFault } from './scenarios/index.ts';
import { FrontDoor } from './server/front-door.ts';
import type { UpgradeAnswer } from './server/front-door.ts';
import { startHarnessServer } from './server/harness-server.ts';
import type { HarnessServer } from './server/harness-server.ts';
import type { FaultChange, LogLine, StackInfo } from './stack-info.ts';
import { devbox, socksUrlFor, terminalUrl, upstreamUrl } from './tailnet.ts';
import { proxyOptionsFor, proxyEnvFor } from './proxy-settings.ts';

export interface StackOptions {
  /** Bring your own proxy: a shell command run with PORT, SOCKS5_PROXY, UPSTREAM_URL, TERMINAL_URL. */
  proxyCommand?: string;
  /**
   * A real code-server as the peer's port 8888 instead of mock-code-server (which still serves the
   * terminal): a command serving on 127.0.0.1:$PORT, or a loopback URL. Time then runs unscaled.
   */
  codeServer?: CodeServerSource;
  /** Scenario applied at start; default none (a healthy tailnet, fixed proxy). */
  scenario?: string;
  variant?: Variant;
  /** Directory of the built page; default harness/page/dist. */
  pageDir?: string;
  /** Where the page and control API listen; default 127.0.0.1 on an ephemeral port. */
  host?: string;
  port?: number;
  /** Keep a hex transcript of every SOCKS conversation (every relayed byte too: for short runs). */
  socksTranscripts?: boolean;
}

/** What the hops saw since the last apply, for explaining a failure the browser saw. */
export interface Observations {
  /** mock-socks's record of each conversation that ended (reply code, error, bytes each way), then the live ones. */
  socks: (ConnectionInfo & Partial<ConnectionRecord>)[];
  /** How the proxy answered each upgrade, as the front door saw it. */
  upgrades: UpgradeAnswer[];
}

export interface Stack {
  /** The page's URL (and the browser-facing origin of the proxy). */
  readonly url: string;
  info(): StackInfo;
  /** Sets up a scenario (null = healthy) as a variant; resolves once everything accepts connections. */
  applyScenario(scenarioId: string | null, variant: Variant, overrides?: ScenarioOverrides): Promise<StackInfo>;
  /** Changes faults and the peer's state for the connections that come next (and live relays). */
  setFaults(change: FaultChange): StackInfo;
  /** Log lines since the last apply(). */
  logs(): LogLine[];
  onLog(fn: (line: LogLine) => void): () => void;
  /** What a bring-your-own proxy printed, over every restart. */
  proxyOutput(): string[];
  observations(): Observations;
  close(): Promise<void>;
}

/** Variations on a row, e.g. the catalog's "with a literal 127.0.0.1" case of ipv6-only-bind. */
export interface ScenarioOverrides {
  /** SOCKS5_PROXY template; `{port}` is the mock's port. */
  socksUrl?: string;
  /** Proxy settings over the row's (ours in-process, or a command's variables). */
  proxy?: ProxyTuning;
}

interface Running {
  socks: MockSocksHandle;
  proxy: { url: string; host: string; port: number; close(): Promise<void> };
  info: StackInfo['proxy'];
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const real = options.codeServer ? await startRealCodeServer(options.codeServer) : undefined;
  const clock = real ? realTime : timing;
  const codeServer: MockCodeServerHandle = await startMockCodeServer({ timeScale: timing.codeServerTimeScale });
  const codePort = real ? `${real.host}:${real.port}` : `127.0.0.1:${codeServer.port}`;
  const frontDoor = new FrontDoor({ openTimeoutMs: clock.openTimeoutMs, requestTimeoutMs: 0, maxMessageBytes: 0 });
  const seen: { socks: ConnectionRecord[]; upgrades: UpgradeAnswer[] } = { socks: [], upgrades: [] };
  // Bounded: a long `start` session keeps only the latest.
  const observe = <T>(list: T[], item: T): void => void (list.push(item) > 1000 && list.shift());
  frontDoor.onUpgradeAnswer = (answer) => {
    observe(seen.upgrades, answer);
    emit('front', `upgrade ${answer.path} → ${answer.line}`);
  };
  frontDoor.onCause = (cause) => emit('cause', cause);
  const listeners = new Set<(line: LogLine) => void>();
  const changeListeners = new Set<(info: StackInfo) => void>();
  const changed = (): StackInfo => {
    const info = stack.info();
    for (const fn of changeListeners) fn(info);
    return info;
  };
  const processOutput: string[] = [];
  let lines: LogLine[] = [];
  let running: Running | undefined;
  let scenario: Scenario | null = null;
  let variant: Variant = 'fixed';
  let overrides: ScenarioOverrides = {};
  let socksFaults: SocksFault[] = [];
  let serverFaults: ServerFault[] = [];
  let frontFaults: FrontFault[] = [];
  let peerState: PeerState = 'up';
  let queue: Promise<unknown> = Promise.resolve();

  const emit = (source: LogLine['source'], line: string): void => {
    const entry = { t: Date.now(), source, line };
    lines.push(entry);
    for (const fn of listeners) fn(entry);
  };

  const stopRunning = async (): Promise<void> => {
    frontDoor.setTarget(null);
    frontDoor.closeAll();
    if (!running) return;
    const { socks, proxy } = running;
    running = undefined;
    await proxy.close();
    await socks.close();
  };

  const startRunning = async (): Promise<void> => {
    const socks = await startMockSocks({
      listen: 'localhost:0',
      bind: scenario?.tailnet.bind ?? 'go',
      dialTimeoutMs: clock.socksDialMs,
      peers: [{
        address: devbox.address,
        names: [...devbox.names],
        ports: { [devbox.codePort]: codePort, [devbox.terminalPort]: `127.0.0.1:${codeServer.port}` },
        state: peerState,
      }],
      faults: socksFaults,
      logStream: null,
      transcript: options.socksTranscripts ?? false,
    });
    socks.on('log', (line) => emit('socks', line));
    socks.on('connection', (record) => record.event === 'close' && observe(seen.socks, record));
    const socksUrl = socksUrlFor(overrides.socksUrl ?? scenario?.socksUrl?.[variant], variant === 'legacy' ? 'socks5h://127.0.0.1:{port}' : 'socks5h://localhost:{port}', socks.port);
    const legacyKnobs = variant === 'legacy' ? [...(scenario?.legacyKnobs ?? [])] : [];
    const proxyInfo: StackInfo['proxy'] = { url: '', kind: 'ours', socksUrl, upstreamUrl, terminalUrl, profile: variant, legacyKnobs };
    let proxy: Running['proxy'];
    try {
      if (options.proxyCommand) {
        const port = await freePort();
        const child: ProxyProcess = await startProxyProcess({
          command: options.proxyCommand,
          port,
          env: proxyEnvFor(scenario, variant, { socksUrl, port, scaled: !real, tuning: overrides.proxy }),
        });
        child.onLine((line) => {
          processOutput.push(line);
          emit('proxy', line);
        });
        processOutput.push(...child.output());
        proxy = { url: child.url, host: child.host, port: child.port, close: () => child.stop() };
        Object.assign(proxyInfo, { kind: 'command', command: options.proxyCommand });
      } else {
        const { legacy, ...product } = proxyOptionsFor(scenario, variant, { socksUrl, scaled: !real, tuning: overrides.proxy });
        const log = (record: object) => emit('proxy', JSON.stringify(record));
        // A row's knobs live in the legacy entry; the fixed run (and a legacy row with no knob) is the product alone.
        proxy = legacyKnobs.length > 0 ? await startLegacyProxy({ ...product, legacy, log }) : await startProxy({ ...product, log });
      }
    } catch (error) {
      await socks.close();
      throw error;
    }
    proxyInfo.url = proxy.url;
    running = { socks, proxy, info: proxyInfo };
    frontDoor.setTarget({ host: proxy.host, port: proxy.port });
    const platform = scenario?.platform?.[variant] ?? {};
    frontDoor.setOptions({ requestTimeoutMs: platform.requestTimeoutMs ?? 0, maxMessageBytes: platform.maxMessageBytes ?? 0 });
  };

  const server: HarnessServer = await startHarnessServer({
    frontDoor,
    pageDir: options.pageDir,
    host: options.host,
    port: options.port,
    control: {
      info: () => stack.info(),
      applyScenario: (id, p) => stack.applyScenario(id, p),
      setFaults: (change) => stack.setFaults(change),
      logs: () => stack.logs(),
      onLog: (fn) => {
        listeners.add(fn);
        return () => listeners.delete(fn);
      },
      onChange: (fn) => {
        changeListeners.add(fn);
        return () => changeListeners.delete(fn);
      },
    },
    socksAddresses: () => running?.socks.addresses ?? [],
  });

  const stack: Stack = {
    url: server.url,
    info: () => ({
      pageUrl: server.url,
      socks: { addresses: running?.socks.addresses ?? [], bind: scenario?.tailnet.bind ?? 'go' },
      codeServer: real
        ? { url: real.url, commit: real.commit, timeScale: realTime.codeServerTimeScale, kind: 'real' }
        : { url: codeServer.url, commit: codeServer.commit, timeScale: timing.codeServerTimeScale, kind: 'mock' },
      peer: {
        address: devbox.address,
        names: [...devbox.names],
        ports: { [devbox.codePort]: codePort, [devbox.terminalPort]: `127.0.0.1:${codeServer.port}` },
        state: peerState,
      },
      proxy: running?.info ?? { url: '', kind: 'ours', socksUrl: '', upstreamUrl, terminalUrl, profile: variant, legacyKnobs: [] },
      scenario: scenario ? { id: scenario.id, profile: variant } : null,
      faults: { socks: socksFaults, server: serverFaults, front: frontFaults },
      platform: { openTimeoutMs: clock.openTimeoutMs, ...(scenario?.platform?.[variant] ?? {}) },
    }),
    applyScenario: (scenarioId, nextVariant, nextOverrides = {}) => {
      const next = queue.then(async () => {
        overrides = nextOverrides;
        scenario = scenarioId === null ? null : scenarioById(scenarioId);
        variant = nextVariant;
        socksFaults = [...(scenario?.tailnet.socksFaults ?? [])];
        serverFaults = [...(scenario?.tailnet.serverFaults ?? [])];
        frontFaults = [...(scenario?.front ?? [])];
        peerState = scenario?.tailnet.peerState ?? 'up';
        await stopRunning();
        codeServer.setFaults(serverFaults);
        frontDoor.setFaults(frontFaults);
        lines = [];
        seen.socks = [];
        seen.upgrades = [];
        await startRunning();
        return changed();
      });
      queue = next.catch(() => undefined);
      return next;
    },
    setFaults: (change) => {
      // Each hop validates before it replaces anything: a bad list leaves every fault as it was.
      if (change.front) frontDoor.checkFaults(change.front);
      if (change.server) codeServer.setFaults(change.server);
      if (change.socks) {
        try {
          running?.socks.setFaults(change.socks);
        } catch (error) {
          codeServer.setFaults(serverFaults);
          throw error;
        }
        socksFaults = change.socks;
      }
      if (change.server) serverFaults = change.server;
      if (change.front) {
        frontDoor.setFaults(change.front);
        frontFaults = change.front;
      }
      if (change.peerState) {
        peerState = change.peerState;
        running?.socks.setPeerState(devbox.address, peerState);
      }
      if (change.dropPeerTunnels && running) {
        const socks = running.socks;
        const peerNames = [devbox.address, ...devbox.names];
        for (const c of socks.connections()) if (peerNames.some((name) => c.destination?.startsWith(`${name}:`))) socks.kill(c.id);
      }
      return changed();
    },
    logs: () => [...lines],
    onLog: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    proxyOutput: () => [...processOutput],
    observations: () => {
      const live = running?.socks;
      const open = live?.connections().map((c) => ({ ...c, transcript: live.transcript(c.id) })) ?? [];
      return { socks: [...seen.socks, ...open], upgrades: [...seen.upgrades] };
    },
    close: async () => {
      await queue;
      listeners.clear();
      changeListeners.clear();
      await stopRunning();
      await server.close();
      frontDoor.close();
      await codeServer.close();
      await real?.close();
    },
  };

  try {
    await stack.applyScenario(options.scenario ?? null, options.variant ?? 'fixed');
  } catch (error) {
    await stack.close();
    throw error;
  }
  return stack;
}
