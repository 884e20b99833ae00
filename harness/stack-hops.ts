// The hops a scenario restarts — mock-socks as tailscaled and the proxy under test — and the
// live fault change every hop checks before any of them replaces anything.
import { startMockSocks } from '../mock-socks/index.ts';
import type { MockSocksHandle, PeerSpec } from '../mock-socks/index.ts';
import type { MockCodeServerHandle } from '../mock-code-server/index.ts';
import { startProxy } from '../proxy/index.ts';
import { startLegacyProxy } from '../proxy/legacy/index.ts';
import { freePort } from './free-port.ts';
import { proxyEnvFor, proxyOptionsFor } from './proxy-settings.ts';
import { startProxyProcess } from './proxy-process.ts';
import type { FrontFault, PeerState, Variant, ProxyTuning, Scenario, ServerFault, SocksFault } from './scenarios/index.ts';
import type { FrontDoor } from './server/front-door.ts';
import type { FaultChange, StackInfo } from './stack-info.ts';
import type { StackLog } from './stack-log.ts';
import { devbox, socksUrlFor, terminalUrl, upstreamUrl } from './tailnet.ts';

/** Variations on a row, e.g. the catalog's "with a literal 127.0.0.1" case of ipv6-only-bind. */
export interface ScenarioOverrides {
  /** SOCKS5_PROXY template; `{port}` is the mock's port. */
  socksUrl?: string;
  /** Proxy settings over the row's (ours in-process, or a command's variables). */
  proxy?: ProxyTuning;
}

/** The row in force and what changed live since it was applied. */
export interface Setting {
  scenario: Scenario | null;
  variant: Variant;
  overrides: ScenarioOverrides;
  socksFaults: SocksFault[];
  serverFaults: ServerFault[];
  frontFaults: FrontFault[];
  peerState: PeerState;
}

export function settingFor(scenario: Scenario | null, variant: Variant, overrides: ScenarioOverrides = {}): Setting {
  return {
    scenario,
    variant,
    overrides,
    socksFaults: [...(scenario?.tailnet.socksFaults ?? [])],
    serverFaults: [...(scenario?.tailnet.serverFaults ?? [])],
    frontFaults: [...(scenario?.front ?? [])],
    peerState: scenario?.tailnet.peerState ?? 'up',
  };
}

export interface ProxyUnderTest {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

/** mock-socks as tailscaled for the setting: its bind, the peer, its faults; what it logs and records goes to `log`. */
export async function startTailscaled(setting: Setting, peer: PeerSpec, how: { dialTimeoutMs: number; transcripts: boolean; log: StackLog }): Promise<MockSocksHandle> {
  const socks = await startMockSocks({
    listen: 'localhost:0',
    bind: setting.scenario?.tailnet.bind ?? 'go',
    dialTimeoutMs: how.dialTimeoutMs,
    peers: [peer],
    faults: setting.socksFaults,
    logStream: null,
    transcript: how.transcripts,
  });
  socks.on('log', (line) => how.log.emit('socks', line));
  socks.on('connection', (record) => record.event === 'close' && how.log.conversationEnded(record));
  return socks;
}

/**
 * The proxy under test for the setting, in front of mock-socks on `socksPort`: a command run with
 * the contract's variables (what it prints goes to `output` and the log), or ours in-process —
 * through the legacy entry when the row's knobs are on, else the product alone.
 */
export async function startProxyUnderTest(
  setting: Setting,
  socksPort: number,
  how: { command?: string; scaled: boolean; log: StackLog; output: string[] },
): Promise<{ proxy: ProxyUnderTest; info: StackInfo['proxy'] }> {
  const { scenario, variant, overrides } = setting;
  const socksUrl = socksUrlFor(overrides.socksUrl ?? scenario?.socksUrl?.[variant], variant === 'legacy' ? 'socks5h://127.0.0.1:{port}' : 'socks5h://localhost:{port}', socksPort);
  const legacyKnobs = variant === 'legacy' ? [...(scenario?.legacyKnobs ?? [])] : [];
  const info: StackInfo['proxy'] = { url: '', kind: 'ours', socksUrl, upstreamUrl, terminalUrl, profile: variant, legacyKnobs };
  let proxy: ProxyUnderTest;
  if (how.command) {
    const port = await freePort();
    const child = await startProxyProcess({ command: how.command, port, env: proxyEnvFor(scenario, variant, { socksUrl, port, scaled: how.scaled, tuning: overrides.proxy }) });
    child.onLine((line) => {
      how.output.push(line);
      how.log.emit('proxy', line);
    });
    how.output.push(...child.output());
    proxy = { url: child.url, host: child.host, port: child.port, close: () => child.stop() };
    Object.assign(info, { kind: 'command', command: how.command });
  } else {
    const { legacy, ...product } = proxyOptionsFor(scenario, variant, { socksUrl, scaled: how.scaled, tuning: overrides.proxy });
    const log = (record: object) => how.log.emit('proxy', JSON.stringify(record));
    proxy = legacyKnobs.length > 0 ? await startLegacyProxy({ ...product, legacy, log }) : await startProxy({ ...product, log });
  }
  info.url = proxy.url;
  return { proxy, info };
}

/**
 * A live change, into the setting and onto the hops. Each hop validates before it replaces
 * anything: a bad list leaves every fault as it was.
 */
export function changeFaults(setting: Setting, change: FaultChange, hops: { frontDoor: FrontDoor; codeServer: MockCodeServerHandle; socks: MockSocksHandle | undefined }): void {
  if (change.front) hops.frontDoor.checkFaults(change.front);
  if (change.server) hops.codeServer.setFaults(change.server);
  if (change.socks) {
    try {
      hops.socks?.setFaults(change.socks);
    } catch (error) {
      hops.codeServer.setFaults(setting.serverFaults);
      throw error;
    }
    setting.socksFaults = change.socks;
  }
  if (change.server) setting.serverFaults = change.server;
  if (change.front) {
    hops.frontDoor.setFaults(change.front);
    setting.frontFaults = change.front;
  }
  if (change.peerState) {
    setting.peerState = change.peerState;
    hops.socks?.setPeerState(devbox.address, setting.peerState);
  }
  if (change.dropPeerTunnels && hops.socks) {
    const peerNames = [devbox.address, ...devbox.names];
    for (const c of hops.socks.connections()) if (peerNames.some((name) => c.destination?.startsWith(`${name}:`))) hops.socks.kill(c.id);
  }
}
