// A whole mock tailnet on ephemeral ports: mock-code-server (code-server and the terminal) as the
// peer "devbox" — or a real code-server as its code-server, in real time —, mock-socks in front of
// it as tailscaled, the proxy (ours, or any command), and the harness server — page, control API
// and the front end the browser reaches the proxy through.
// A scenario restarts mock-socks and the proxy (a bind mode or a variant is fixed at start);
// faults change live. close() leaves no process, socket or timer behind.
import { startMockCodeServer } from '../mock-code-server/index.ts';
import type { ConnectionInfo, ConnectionRecord, MockSocksHandle } from '../mock-socks/index.ts';
import { startRealCodeServer, type CodeServerSource } from './real-code-server.ts';
import { realTime, scenarioById, timing } from './scenarios/index.ts';
import type { PeerState, Variant } from './scenarios/index.ts';
import { FrontDoor } from './server/front-door.ts';
import type { UpgradeAnswer } from './server/front-door.ts';
import { startHarnessServer } from './server/harness-server.ts';
import type { FaultChange, LogLine, StackInfo } from './stack-info.ts';
import { changeFaults, settingFor, startProxyUnderTest, startTailscaled, type ProxyUnderTest, type ScenarioOverrides } from './stack-hops.ts';
import { StackLog } from './stack-log.ts';
import { devboxPeer, terminalUrl, upstreamUrl } from './tailnet.ts';

export type { ScenarioOverrides } from './stack-hops.ts';

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
  /** Sets up a scenario (null = healthy) under a variant; resolves once everything accepts connections. */
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

interface Running {
  socks: MockSocksHandle;
  proxy: ProxyUnderTest;
  info: StackInfo['proxy'];
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const real = options.codeServer ? await startRealCodeServer(options.codeServer) : undefined;
  const clock = real ? realTime : timing;
  const codeServer = await startMockCodeServer({ timeScale: timing.codeServerTimeScale });
  // The peer's code port reaches the code-server in use; its terminal is always mock-code-server's.
  const peer = (state: PeerState) => devboxPeer(real ? `${real.host}:${real.port}` : `127.0.0.1:${codeServer.port}`, `127.0.0.1:${codeServer.port}`, state);
  const log = new StackLog();
  const frontDoor = new FrontDoor({ openTimeoutMs: clock.openTimeoutMs, requestTimeoutMs: 0, maxMessageBytes: 0 });
  frontDoor.onUpgradeAnswer = (answer) => log.upgradeAnswered(answer);
  frontDoor.onCause = (cause) => log.emit('cause', cause);
  const changeListeners = new Set<(info: StackInfo) => void>();
  const changed = (): StackInfo => {
    const info = stack.info();
    for (const fn of changeListeners) fn(info);
    return info;
  };
  const processOutput: string[] = [];
  let setting = settingFor(null, 'fixed');
  let running: Running | undefined;
  let queue: Promise<unknown> = Promise.resolve();

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
    const socks = await startTailscaled(setting, peer(setting.peerState), { dialTimeoutMs: clock.socksDialMs, transcripts: options.socksTranscripts ?? false, log });
    const started = await startProxyUnderTest(setting, socks.port, { command: options.proxyCommand, scaled: !real, log, output: processOutput }).catch(async (error: unknown) => {
      await socks.close();
      throw error;
    });
    running = { socks, ...started };
    frontDoor.setTarget({ host: started.proxy.host, port: started.proxy.port });
    const platform = setting.scenario?.platform?.[setting.variant] ?? {};
    frontDoor.setOptions({ requestTimeoutMs: platform.requestTimeoutMs ?? 0, maxMessageBytes: platform.maxMessageBytes ?? 0 });
  };

  const server = await startHarnessServer({
    frontDoor,
    pageDir: options.pageDir,
    host: options.host,
    port: options.port,
    control: {
      info: () => stack.info(),
      applyScenario: (id, p) => stack.applyScenario(id, p),
      setFaults: (change) => stack.setFaults(change),
      logs: () => stack.logs(),
      onLog: (fn) => log.follow(fn),
      onChange: (fn) => {
        changeListeners.add(fn);
        return () => changeListeners.delete(fn);
      },
    },
    socksAddresses: () => running?.socks.addresses ?? [],
  });

  const stack: Stack = {
    url: server.url,
    info: () => {
      const { scenario, variant } = setting;
      return {
        pageUrl: server.url,
        socks: { addresses: running?.socks.addresses ?? [], bind: scenario?.tailnet.bind ?? 'go' },
        codeServer: real
          ? { url: real.url, commit: real.commit, timeScale: realTime.codeServerTimeScale, kind: 'real' }
          : { url: codeServer.url, commit: codeServer.commit, timeScale: timing.codeServerTimeScale, kind: 'mock' },
        peer: peer(setting.peerState),
        proxy: running?.info ?? { url: '', kind: 'ours', socksUrl: '', upstreamUrl, terminalUrl, profile: variant, legacyKnobs: [] },
        scenario: scenario ? { id: scenario.id, profile: variant } : null,
        faults: { socks: setting.socksFaults, server: setting.serverFaults, front: setting.frontFaults },
        platform: { openTimeoutMs: clock.openTimeoutMs, ...(scenario?.platform?.[variant] ?? {}) },
      };
    },
    applyScenario: (scenarioId, variant, overrides = {}) => {
      const next = queue.then(async () => {
        setting = settingFor(scenarioId === null ? null : scenarioById(scenarioId), variant, overrides);
        await stopRunning();
        codeServer.setFaults(setting.serverFaults);
        frontDoor.setFaults(setting.frontFaults);
        log.restart();
        await startRunning();
        return changed();
      });
      queue = next.catch(() => undefined);
      return next;
    },
    setFaults: (change) => {
      changeFaults(setting, change, { frontDoor, codeServer, socks: running?.socks });
      return changed();
    },
    logs: () => log.since(),
    onLog: (fn) => log.follow(fn),
    proxyOutput: () => [...processOutput],
    observations: () => {
      const live = running?.socks;
      const open = live?.connections().map((c) => ({ ...c, transcript: live.transcript(c.id) })) ?? [];
      const seen = log.seen();
      return { socks: [...seen.socks, ...open], upgrades: seen.upgrades };
    },
    close: async () => {
      await queue;
      log.close();
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
