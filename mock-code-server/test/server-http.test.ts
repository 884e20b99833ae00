// code-server 4.100.3's HTTP answers: status, content type and body shape of every route the
// workbench loads or a user commonly opens (routes/index.ts, routes/vscode.ts, routes/update.ts,
// VS Code's remoteExtensionHostAgentServer.ts handleRequest and webClientServer.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockCodeServer, type MockCodeServerHandle } from '../index.ts';
import { REMOTE_RESOURCES_ON_LOAD } from '../node/pages.ts';
import { BUILTIN_EXTENSIONS_PATH } from '../node/vscode-routes.ts';
import { COMMIT } from './raw-client.ts';

let server: MockCodeServerHandle;
beforeAll(async () => {
  server = await startMockCodeServer({ folder: '/home/coder/project' });
});
afterAll(async () => server.close());

const get = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, { redirect: 'manual', ...init });
const resource = (file: string) => `/stable-${COMMIT}/vscode-remote-resource?path=${encodeURIComponent(`${BUILTIN_EXTENSIONS_PATH}/${file}`)}`;

describe('code-server HTTP routes', () => {
  it('reports its loopback address and the default commit', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
    expect(server.commit).toBe(COMMIT);
  });

  it('redirects / to ./?folder=… and serves the workbench page as text/html with its CSP, naming the commit', async () => {
    const root = await get('/');
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('./?folder=%2Fhome%2Fcoder%2Fproject');
    const page = await get('/?folder=/home/coder/project');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html');
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'self';.*connect-src 'self' ws: wss: https:;/);
    expect(await page.text()).toContain(`./stable-${COMMIT}/static/out/vs/code/browser/workbench/workbench.js`);
  });

  it.each([
    ['out/vs/code/browser/workbench/workbench.js', 'text/javascript'],
    ['out/vs/workbench/workbench.web.main.css', 'text/css'],
    ['out/nls.messages.json', 'application/json'],
    ['out/media/letterpress-dark.svg', 'image/svg+xml'],
    ['out/media/code-icon.png', 'image/png'],
    // VS Code's table has no .ttf: the codicon font goes out as text/plain.
    ['out/media/codicon.ttf', 'text/plain'],
  ])('/stable-<commit>/static/%s → 200 %s, cached for a year', async (file, type) => {
    const res = await get(`/stable-${COMMIT}/static/${file}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000');
  });

  it('answers 404 "Not found" (text/plain) for both vsda paths, as every open-source build does', async () => {
    for (const file of ['vsda.js', 'vsda_bg.wasm']) {
      const res = await get(`/stable-${COMMIT}/static/node_modules/vsda/rust/web/${file}`);
      expect([res.status, res.headers.get('content-type'), await res.text()], file).toEqual([404, 'text/plain', 'Not found']);
    }
  });

  it('answers 404 "Not found." for paths VS Code does not serve (another commit included) and 405 for other methods', async () => {
    for (const path of ['/nope', `/stable-${'0'.repeat(40)}/static/x.js`]) {
      const res = await get(path);
      expect([res.status, res.headers.get('content-type'), await res.text()], path).toEqual([404, 'text/plain', 'Not found.']);
    }
    const post = await get(`/stable-${COMMIT}/static/out/x.js`, { method: 'POST' });
    expect([post.status, post.headers.get('content-type'), await post.text()]).toEqual([405, 'text/plain', 'Unsupported method POST']);
  });

  it('serves /version as the commit', async () => {
    const res = await get(`/stable-${COMMIT}/version`);
    expect([res.status, res.headers.get('content-type'), await res.text()]).toEqual([200, 'text/plain', COMMIT]);
  });

  it('serves the manifest as application/manifest+json, in code-server\'s shape', async () => {
    const res = await get('/manifest.json');
    expect(res.headers.get('content-type')).toBe('application/manifest+json');
    expect(await res.json()).toEqual({
      name: 'code-server',
      short_name: 'code-server',
      start_url: '.',
      display: 'fullscreen',
      display_override: ['window-controls-overlay'],
      description: 'Run Code on a remote server.',
      icons: [
        { src: './_static/src/browser/media/pwa-icon-192.png', type: 'image/png', sizes: '192x192' },
        { src: './_static/src/browser/media/pwa-icon-512.png', type: 'image/png', sizes: '512x512' },
      ],
    });
  });

  it.each([
    ['favicon-dark-support.svg', 'image/svg+xml', '<svg'],
    ['favicon.ico', 'image/x-icon', '\u0000\u0000\u0001\u0000'],
    ['pwa-icon-192.png', 'image/png', '\u0089PNG'],
  ])('/_static/src/browser/media/%s → 200 %s (express.static)', async (file, type, starts) => {
    const res = await get(`/_static/src/browser/media/${file}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    expect(Buffer.from(await res.arrayBuffer()).toString('latin1').startsWith(starts)).toBe(true);
  });

  it('answers a missing /_static file with 404 and send\'s ENOENT message (JSON, or the error page for a browser)', async () => {
    const res = await get('/_static/src/browser/media/missing.png');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({ error: "ENOENT: no such file or directory, stat '/usr/lib/code-server/src/browser/media/missing.png'" });
    const page = await get('/_static/nothing', { headers: { accept: 'text/html' } });
    expect([page.status, page.headers.get('content-type')]).toEqual([404, 'text/html; charset=utf-8']);
  });

  it('reports health as application/json, alive with a heartbeat once requests arrived', async () => {
    await get('/robots.txt');
    const res = await get('/healthz');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await res.json()) as { status: string; lastHeartbeat: number };
    expect(body.status).toBe('alive');
    expect(body.lastHeartbeat).toBeGreaterThan(0);
  });

  it('serves /robots.txt as text/plain, disallowing everything', async () => {
    const res = await get('/robots.txt');
    expect([res.status, res.headers.get('content-type'), await res.text()]).toEqual([200, 'text/plain', 'User-agent: *\nDisallow: /\n']);
  });

  it('answers /update/check with the installed version, and "unknown" for the latest (no network)', async () => {
    const res = await get('/update/check');
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'application/json; charset=utf-8']);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({ checked: expect.any(Number), latest: 'unknown', current: '4.100.3', isLatest: true });
  });

  it('mints one 32-byte key on POST /mint-key, with no content type, the same on every call', async () => {
    const first = await get('/mint-key', { method: 'POST' });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBeNull();
    const key = Buffer.from(await first.arrayBuffer());
    expect(key.length).toBe(32);
    expect(Buffer.from(await (await get('/mint-key', { method: 'POST' })).arrayBuffer()).equals(key)).toBe(true);
    // Only POST is registered; a GET falls through to VS Code, which has no such path.
    expect((await get('/mint-key')).status).toBe(404);
  });
});

describe('vscode-remote-resource (the themes and icon font the workbench loads)', () => {
  it.each([
    ['theme-defaults/themes/dark_modern.json', 'application/json'],
    ['theme-seti/icons/vs-seti-icon-theme.json', 'application/json'],
    ['theme-seti/icons/seti.woff', 'application/font-woff'],
  ])('%s → 200 %s, Vary: Origin, cached for a year, a weak ETag', async (file, type) => {
    const res = await get(resource(file));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    expect(res.headers.get('vary')).toBe('Origin');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000');
    expect(res.headers.get('etag')).toMatch(/^W\/"\d+-\d+-\d+"$/);
    const body = Buffer.from(await res.arrayBuffer());
    if (type === 'application/json') expect(JSON.parse(body.toString('utf8'))).toBeTypeOf('object');
    else expect(body.subarray(0, 4).toString('latin1')).toBe('wOFF');
  });

  it('serves every file the mock workbench page loads', async () => {
    for (const file of REMOTE_RESOURCES_ON_LOAD) expect((await get(resource(file))).status, file).toBe(200);
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const etag = (await get(resource('theme-defaults/themes/dark_vs.json'))).headers.get('etag') ?? '';
    const again = await get(resource('theme-defaults/themes/dark_vs.json'), { headers: { 'if-none-match': etag } });
    expect([again.status, again.headers.get('etag')]).toEqual([304, etag]);
  });

  it('answers 404 "Not found" for a file it does not have (or outside the extensions), 400 without a path', async () => {
    for (const path of [`${BUILTIN_EXTENSIONS_PATH}/theme-defaults/none.json`, `${BUILTIN_EXTENSIONS_PATH}/../../../../etc/passwd`, '/home/coder/project/x.png']) {
      const res = await get(`/stable-${COMMIT}/vscode-remote-resource?path=${encodeURIComponent(path)}`);
      expect([res.status, res.headers.get('content-type'), await res.text()], path).toEqual([404, 'text/plain', 'Not found']);
    }
    const bare = await get(`/stable-${COMMIT}/vscode-remote-resource`);
    expect([bare.status, await bare.text()]).toEqual([400, 'Bad request.']);
  });
});

describe('password login', () => {
  it('redirects to /login, refuses a wrong password, and sets code-server-session on the right one', async () => {
    const locked = await startMockCodeServer({ password: 'hunter2' });
    try {
      const root = await fetch(`${locked.url}/?folder=/x`, { redirect: 'manual' });
      expect(root.status).toBe(302);
      expect(root.headers.get('location')).toMatch(/^\.\/login/);
      const wrong = await fetch(`${locked.url}/login`, { method: 'POST', body: new URLSearchParams({ password: 'nope' }), redirect: 'manual' });
      expect(wrong.status).toBe(200);
      expect(await wrong.text()).toContain('Incorrect password');
      const right = await fetch(`${locked.url}/login`, { method: 'POST', body: new URLSearchParams({ password: 'hunter2' }), redirect: 'manual' });
      expect(right.status).toBe(302);
      const cookie = right.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/^code-server-session=[0-9a-f]{64};/);
      const page = await fetch(`${locked.url}/?folder=/x`, { headers: { cookie: cookie.split(';')[0] ?? '' } });
      expect(page.status).toBe(200);
    } finally {
      await locked.close();
    }
  });

  it('guards /update/check and VS Code\'s paths (401 {"error":"Unauthorized"}), but not /mint-key, /robots.txt or the manifest', async () => {
    const locked = await startMockCodeServer({ password: 'hunter2' });
    try {
      for (const path of ['/update/check', `/stable-${COMMIT}/static/out/x.js`]) {
        const res = await fetch(`${locked.url}${path}`);
        expect([res.status, res.headers.get('content-type'), await res.json()], path).toEqual([401, 'application/json; charset=utf-8', { error: 'Unauthorized' }]);
      }
      expect((await fetch(`${locked.url}/mint-key`, { method: 'POST' })).status).toBe(200);
      expect((await fetch(`${locked.url}/robots.txt`)).status).toBe(200);
      expect((await fetch(`${locked.url}/manifest.json`)).status).toBe(200);
    } finally {
      await locked.close();
    }
  });
});
