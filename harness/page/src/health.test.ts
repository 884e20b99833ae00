// The header must not say "healthy" while a fault fails every connection.
import { describe, expect, it } from 'vitest';
import type { StackInfo } from '../../stack-info.ts';
import { healthOf } from './health.ts';

function info(change: { peer?: StackInfo['peer']['state']; socks?: StackInfo['faults']['socks']; server?: StackInfo['faults']['server']; front?: StackInfo['faults']['front']; knobs?: string[]; proxyUrl?: string }): StackInfo {
  return {
    pageUrl: 'http://127.0.0.1:1',
    socks: { addresses: [], bind: 'go' },
    codeServer: { url: '', commit: '', timeScale: 1 },
    peer: { address: '100.84.184.84', names: [], ports: {}, state: change.peer ?? 'up' },
    proxy: { url: change.proxyUrl ?? 'http://127.0.0.1:2', kind: 'ours', socksUrl: '', upstreamUrl: '', terminalUrl: '', profile: 'fixed', legacyKnobs: change.knobs ?? [] },
    scenario: null,
    faults: { socks: change.socks ?? [], server: change.server ?? [], front: change.front ?? [] },
    platform: { openTimeoutMs: 1500 },
  };
}

describe('the header health', () => {
  it('is green only when nothing is in force', () => {
    expect(healthOf(info({}))).toEqual({ tone: 'ok', text: 'healthy tailnet' });
  });

  it('is red while the peer refuses, or a fault fails connections, naming each', () => {
    expect(healthOf(info({ peer: 'refusing' }))).toEqual({ tone: 'bad', text: 'in force: peer refusing' });
    expect(healthOf(info({ socks: [{ name: 'ui-blackhole', type: 'blackhole' }], server: [{ type: 'upgrade-refuse' }] }))).toEqual({
      tone: 'bad',
      text: 'in force: SOCKS blackhole · code-server upgrade-refuse',
    });
    expect(healthOf(info({ front: [{ name: 'ui-idle', type: 'idle-timeout' }] }))).toEqual({ tone: 'bad', text: 'in force: front end: idle timeout 1000 ms (traffic resets it)' });
    expect(healthOf(info({ front: [{ type: 'strip-upgrade' }] }))).toEqual({ tone: 'bad', text: 'in force: front end strip-upgrade' });
    expect(healthOf(info({ knobs: ['passThroughUpgrade'] })).tone).toBe('bad');
    expect(healthOf(info({ proxyUrl: '' }))).toEqual({ tone: 'bad', text: 'proxy not running' });
  });

  it('is amber for faults that only slow connections down', () => {
    expect(healthOf(info({ socks: [{ name: 'ui-latency', type: 'latency' }] }))).toEqual({ tone: 'warn', text: 'in force: latency 150 ms downstream' });
  });
});
