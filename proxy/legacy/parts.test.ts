import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../config.ts';
import { legacyKnobsFor } from './knobs.ts';
import { firstAddress, legacyRouter } from './parts.ts';

const config = { ...defaultConfig(), upstreamUrl: 'http://100.84.184.84:8888', terminalUrl: 'ws://100.84.184.84:7681/ws' };

describe('legacy router', () => {
  const route = legacyRouter(config, legacyKnobsFor('legacy'));

  it('drops the WebSocket query (scenario query-dropped), not an HTTP one', () => {
    expect(route('/dev/code/stable-abc?reconnectionToken=t', true)).toEqual({ kind: 'code', target: '/stable-abc' });
    expect(route('/dev/ws/terminal?cols=80', true)).toEqual({ kind: 'terminal', target: '/ws' });
    expect(route('/dev/code/x?a=1', false)).toEqual({ kind: 'code', target: '/x?a=1' });
  });

  it('forwards the vsda files to code-server (scenario vsda-404)', () => {
    expect(route('/dev/code/stable-abc/static/node_modules/vsda/rust/web/vsda_bg.wasm', false)).toEqual({ kind: 'code', target: '/stable-abc/static/node_modules/vsda/rust/web/vsda_bg.wasm' });
  });

  it('is the product router with every knob off', () => {
    const fixed = legacyRouter(config, legacyKnobsFor('fixed'));
    expect(fixed('/dev/code/stable-abc?reconnectionToken=t', true)).toEqual({ kind: 'code', target: '/stable-abc?reconnectionToken=t' });
    expect(fixed('/dev/code/s/static/node_modules/vsda/rust/web/vsda.js', false).kind).toBe('vsda');
  });
});

describe('singleAddress', () => {
  it('tries one address of a name (scenario ipv6-only-bind), where the product tries both loopbacks for localhost', async () => {
    // /etc/hosts on these machines maps localhost to 127.0.0.1 only; whatever it says, one address is tried.
    expect(await firstAddress('localhost')).toHaveLength(1);
    expect(await firstAddress('[::1]')).toEqual(['::1']);
  });
});
