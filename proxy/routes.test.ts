import { describe, expect, it } from 'vitest';
import { defaultConfig } from './config.ts';
import { rewriteLocation } from './http/location.ts';
import { routeFor } from './routes.ts';

const config = { ...defaultConfig(), upstreamUrl: 'http://100.84.184.84:8888', terminalUrl: 'ws://100.84.184.84:7681/ws' };

describe('routeFor', () => {
  it('strips the prefix and keeps the query byte for byte', () => {
    expect(routeFor('/dev/code/stable-abc?reconnectionToken=a%20b&reconnection=true&skipWebSocketFrames=false', config)).toEqual({
      kind: 'code',
      target: '/stable-abc?reconnectionToken=a%20b&reconnection=true&skipWebSocketFrames=false',
    });
    expect(routeFor('/dev/code/', config)).toEqual({ kind: 'code', target: '/' });
    expect(routeFor("/dev/code/x?q='\"<>", config)).toEqual({ kind: 'code', target: "/x?q='\"<>" });
  });

  it('routes the terminal to its URL path, with the browser query', () => {
    expect(routeFor('/dev/ws/terminal?cols=80', config)).toEqual({ kind: 'terminal', target: '/ws?cols=80' });
  });

  it('answers the vsda files itself, knowing where they would go upstream', () => {
    const path = '/dev/code/stable-abc/static/node_modules/vsda/rust/web/vsda_bg.wasm';
    expect(routeFor(path, config)).toEqual({ kind: 'vsda', contentType: 'application/wasm', body: '', target: '/stable-abc/static/node_modules/vsda/rust/web/vsda_bg.wasm' });
  });

  it.each(['http://evil.example/dev/code/', '*', '/dev/code/../etc/passwd', '/dev/code/%2e%2e/x', '/dev/code/%2E%2e%2Fx', '/dev/code/a%00b', '/dev/code/%zz'])('refuses %s', (target) => {
    expect(routeFor(target, config).kind).toBe('bad_request');
  });

  it('redirects the bare prefix and 404s anything else', () => {
    expect(routeFor('/dev/code?folder=/x', config)).toEqual({ kind: 'redirect', location: '/dev/code/?folder=/x' });
    expect(routeFor('/elsewhere', config)).toEqual({ kind: 'not_found' });
  });
});

describe('rewriteLocation', () => {
  const upstream = new URL('http://100.84.184.84:8888');
  it.each([
    ['./?folder=/home', './?folder=/home'],
    ['/login?to=%2F', '/dev/code/login?to=%2F'],
    ['http://100.84.184.84:8888/stable-x/', '/dev/code/stable-x/'],
    ['https://proxy.run.app/logout', '/dev/code/logout'],
    ['https://github.com/login', 'https://github.com/login'],
    ['/dev/code/already', '/dev/code/already'],
    ['//cdn.example/x', '//cdn.example/x'],
  ])('%s → %s', (location, expected) => {
    expect(rewriteLocation(location, '/dev/code/', upstream, 'proxy.run.app')).toBe(expected);
  });
});
