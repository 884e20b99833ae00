import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockCodeServer, type MockCodeServerHandle } from '../index.ts';
import { COMMIT } from './raw-client.ts';

let server: MockCodeServerHandle;
beforeAll(async () => {
  server = await startMockCodeServer({ folder: '/home/coder/project' });
});
afterAll(async () => server.close());

describe('code-server HTTP routes', () => {
  it('reports its loopback address and the default commit', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
    expect(server.commit).toBe(COMMIT);
  });

  it('redirects / to ./?folder=… and serves the workbench page naming the commit', async () => {
    const root = await fetch(`${server.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('./?folder=%2Fhome%2Fcoder%2Fproject');
    const page = await fetch(`${server.url}/?folder=/home/coder/project`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`./stable-${COMMIT}/static/out/vs/code/browser/workbench/workbench.js`);
  });

  it('serves assets under /stable-<commit>/static and /_static, and the manifest', async () => {
    const asset = await fetch(`${server.url}/stable-${COMMIT}/static/out/vs/workbench/workbench.web.main.css`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/css');
    expect((await fetch(`${server.url}/_static/src/browser/media/favicon.ico`)).status).toBe(200);
    const manifest = await fetch(`${server.url}/manifest.json`);
    expect(((await manifest.json()) as { name: string }).name).toBe('code-server');
    expect((await fetch(`${server.url}/stable-0000000000000000000000000000000000000000/static/x.js`)).status).toBe(404);
  });

  it('answers 404 for both vsda paths, as every open-source build does', async () => {
    for (const file of ['vsda.js', 'vsda_bg.wasm']) {
      const res = await fetch(`${server.url}/stable-${COMMIT}/static/node_modules/vsda/rust/web/${file}`);
      expect(res.status, file).toBe(404);
    }
  });

  it('reports health as alive with a heartbeat once requests arrived', async () => {
    const body = (await (await fetch(`${server.url}/healthz`)).json()) as { status: string; lastHeartbeat: number };
    expect(body.status).toBe('alive');
    expect(body.lastHeartbeat).toBeGreaterThan(0);
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
});
