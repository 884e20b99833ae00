// The front door's faults over real loopback sockets: a `ws` server stands for the proxy, `ws`
// clients for the browser (a close without a close frame is 1006, as in a browser), and each fault
// names its cause when it acts.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { FrontFault } from '../scenarios/types.ts';
import { FrontDoor } from './front-door.ts';
import type { UpgradeAnswer } from './front-door.ts';

interface Rig {
  url: string;
  door: FrontDoor;
  causes: string[];
  answers: UpgradeAnswer[];
  /** Upgrade paths the stand-in proxy saw, and its sockets. */
  seen: string[];
  proxied: Set<WebSocket>;
  close(): Promise<void>;
}

const rigs: Rig[] = [];
afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.close();
});

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** The stand-in proxy echoes messages and can ping; plain HTTP gets 404. */
async function rig(faults: FrontFault[], settings: { requestTimeoutMs?: number; pingMs?: number } = {}): Promise<Rig> {
  const seen: string[] = [];
  const proxied = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true });
  const proxy = createServer((req, res) => res.writeHead(404, { 'content-type': 'text/plain' }).end(`no route ${req.url}\n`));
  proxy.on('upgrade', (req, socket, head) => {
    seen.push(req.url ?? '');
    if (!req.url?.startsWith('/dev/')) return void socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
    wss.handleUpgrade(req, socket, head, (ws) => {
      proxied.add(ws);
      ws.on('error', () => undefined); // a frame the stand-in refuses (RSV bits): it answers 1002
      ws.on('message', (data, binary) => ws.send(data, { binary }));
      const pings = settings.pingMs ? setInterval(() => ws.ping(), settings.pingMs) : undefined;
      ws.on('close', () => clearInterval(pings));
    });
  });
  const proxyPort = await listen(proxy);
  const door = new FrontDoor({ openTimeoutMs: 1500, requestTimeoutMs: settings.requestTimeoutMs ?? 0, maxMessageBytes: 0 });
  door.setTarget({ host: '127.0.0.1', port: proxyPort });
  door.setFaults(faults);
  const causes: string[] = [];
  const answers: UpgradeAnswer[] = [];
  door.onCause = (cause) => causes.push(cause);
  door.onUpgradeAnswer = (answer) => answers.push(answer);
  const front = createServer((req, res) => door.forwardRequest(req, res));
  front.on('upgrade', (req, socket, head) => door.forwardUpgrade(req, socket, head));
  const port = await listen(front);
  const made: Rig = {
    url: `ws://127.0.0.1:${port}`,
    door,
    causes,
    answers,
    seen,
    proxied,
    close: async () => {
      door.close();
      for (const ws of proxied) ws.terminate();
      front.closeAllConnections();
      proxy.closeAllConnections();
      await new Promise((resolve) => front.close(resolve));
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
  rigs.push(made);
  return made;
}

interface Browser {
  ws: WebSocket;
  opened: Promise<boolean>;
  /** The close as a browser reports it, with when it happened; an HTTP answer instead of 101 is `status`. */
  closed: Promise<{ code: number; reason: string; at: number; status?: number }>;
}

function browser(url: string, path = '/dev/code/stable-x?reconnectionToken=t'): Browser {
  const ws = new WebSocket(url + path, { perMessageDeflate: false });
  let status: number | undefined;
  ws.on('unexpected-response', (_req, res) => {
    status = res.statusCode;
    res.resume();
    ws.terminate();
  });
  ws.on('error', () => undefined);
  return {
    ws,
    opened: new Promise((resolve) => {
      ws.once('open', () => resolve(true));
      ws.once('close', () => resolve(false));
    }),
    closed: new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString(), at: Date.now(), status }))),
  };
}

describe('front door faults at the upgrade', () => {
  it('strip-upgrade: the proxy gets a plain GET and answers it as one; the browser sees that status and 1006', async () => {
    const { url, causes, answers, seen } = await rig([{ type: 'strip-upgrade' }]);
    const b = browser(url);
    expect(await b.closed).toMatchObject({ code: 1006, status: 404 });
    expect(seen).toEqual([]); // no upgrade reached the proxy: it was a plain request
    expect(answers[0]?.line).toMatch(/^HTTP\/1\.1 404/);
    expect(causes.join()).toMatch(/without its Upgrade and Connection headers/);
  });

  it('answer-upgrade: the hop answers 302 to its login page itself; nothing reaches the proxy', async () => {
    const { url, causes, answers, seen } = await rig([{ type: 'answer-upgrade', attributes: { status: 302, location: '/oauth2/start' } }]);
    expect(await browser(url).closed).toMatchObject({ code: 1006, status: 302 });
    expect(seen).toEqual([]);
    expect(answers[0]).toMatchObject({ status: 302, line: "HTTP/1.1 302 Found (the front end's own answer)" });
    expect(causes.join()).toMatch(/302 Found → \/oauth2\/start instead of 101.*never follows a redirect/);
  });

  it('path-prefix: the upgrade reaches the proxy with the prefix the rewrite missed, and finds no route (404)', async () => {
    const { url, causes, seen } = await rig([{ type: 'path-prefix', attributes: { prefix: '/ide' } }]);
    expect(await browser(url).closed).toMatchObject({ code: 1006, status: 404 });
    expect(seen).toEqual(['/ide/dev/code/stable-x?reconnectionToken=t']);
    expect(causes.join()).toMatch(/served under \/ide .* missed the WebSocket URL/);
  });

  it('hollow-101: the socket opens, nothing is behind it, and the hop drops it after closeAfterMs', async () => {
    const { url, causes, seen } = await rig([{ type: 'hollow-101', attributes: { closeAfterMs: 150 } }]);
    // Timed from before the upgrade: the hop's timer starts at its 101, and on a loaded machine the
    // client's open event can come well after that (137 ms from it was seen).
    const asked = Date.now();
    const b = browser(url);
    expect(await b.opened).toBe(true);
    b.ws.send('auth');
    const closed = await b.closed;
    expect(closed.code).toBe(1006);
    expect(closed.at - asked).toBeGreaterThanOrEqual(145);
    expect(seen).toEqual([]);
    expect(causes.join()).toMatch(/101 Switching Protocols itself and nothing is behind it/);
  });

  it('max-websockets: the next upgrade over the cap gets 429 at once; with a queue it waits for a slot, then 429 — or the slot a close frees', async () => {
    const capped = await rig([{ type: 'max-websockets', attributes: { limit: 1 } }]);
    const first = browser(capped.url);
    expect(await first.opened).toBe(true);
    expect(await browser(capped.url).closed).toMatchObject({ code: 1006, status: 429 });
    expect(capped.causes.join()).toMatch(/at most 1 WebSocket at a time.*429 Too Many Requests/);

    const queued = await rig([{ type: 'max-websockets', attributes: { limit: 1, queueMs: 200 } }]);
    const holder = browser(queued.url);
    await holder.opened;
    const started = Date.now();
    const refused = await browser(queued.url).closed;
    expect(refused).toMatchObject({ code: 1006, status: 429 });
    expect(refused.at - started).toBeGreaterThanOrEqual(180);
    expect(queued.causes.join()).toMatch(/maximum concurrent requests .* waited 200 ms in the request queue/);
    const waiter = browser(queued.url);
    holder.ws.close(1000);
    expect(await waiter.opened).toBe(true);
  });

  it('refuses a bad spec and keeps the faults in force', async () => {
    const { door } = await rig([{ type: 'strip-upgrade' }]);
    expect(() => door.setFaults([{ type: 'idle-timeout', attributes: { idleMs: 0 } }])).toThrow(/idleMs/);
    expect(() => door.setFaults([{ type: 'no-such' }])).toThrow(/unknown front fault type/);
    expect(() => door.setFaults([{ type: 'strip-upgrade', which: { every: 2 } as never }])).toThrow(/which/);
    expect(door.faultSpecs()).toEqual([{ type: 'strip-upgrade' }]);
  });

  it('applies a fault to the upgrades `which` selects, and to none at toxicity 0', async () => {
    const { url, seen } = await rig([{ type: 'answer-upgrade', attributes: { status: 503 }, which: { nth: 2 } }]);
    expect(await browser(url).opened).toBe(true);
    expect(await browser(url).closed).toMatchObject({ status: 503 });
    expect(await browser(url).opened).toBe(true);
    expect(seen).toHaveLength(2);
    const none = await rig([{ type: 'answer-upgrade', toxicity: 0 }]);
    expect(await browser(none.url).opened).toBe(true);
  });
});

describe('front door faults on a relayed WebSocket', () => {
  it('drop-all: every socket ends at once without a close frame (1006 on each), after the n-th upgrade', async () => {
    const { url, causes } = await rig([{ type: 'drop-all', attributes: { afterUpgrades: 2, afterMs: 50 } }]);
    const [a, b] = [browser(url), browser(url)];
    await Promise.all([a.opened, b.opened]);
    const [closedA, closedB] = await Promise.all([a.closed, b.closed]);
    expect([closedA.code, closedB.code]).toEqual([1006, 1006]);
    expect(Math.abs(closedA.at - closedB.at)).toBeLessThan(50);
    expect(causes.join()).toMatch(/dropped every WebSocket \(2\) at once/);
  });

  it('drop-all go-away: every socket gets 1001 at a frame boundary, even mid-stream', async () => {
    const { url, door } = await rig([]);
    const a = browser(url);
    await a.opened;
    // A stream of messages towards the browser while the drain happens.
    const streaming = setInterval(() => a.ws.send(Buffer.alloc(4096, 1)), 1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    door.setFaults([{ type: 'drop-all', attributes: { mode: 'go-away' } }]);
    const closed = await a.closed;
    clearInterval(streaming);
    expect(closed).toMatchObject({ code: 1001, reason: 'front end draining' });
  });

  it('corrupt-frames: RSV1 on a frame towards the browser fails the connection there; towards the proxy, the proxy refuses it (1002)', async () => {
    const toBrowser = await rig([{ type: 'corrupt-frames', attributes: { afterFrames: 1 } }]);
    const a = browser(toBrowser.url);
    await a.opened;
    a.ws.send('one');
    a.ws.send('two');
    const errored = new Promise<string>((resolve) => a.ws.once('error', (e) => resolve(e.message)));
    expect(await errored).toMatch(/RSV1 must be clear/);
    expect(toBrowser.causes.join()).toMatch(/reserved bits set \(reserved1 = 1, reserved2 = 0, reserved3 = 0\)/);

    const toProxy = await rig([{ type: 'corrupt-frames', attributes: { direction: 'to-proxy' } }]);
    const b = browser(toProxy.url);
    await b.opened;
    b.ws.send('one');
    expect((await b.closed).code).toBe(1002);
  });
});

describe('idle timeout (traffic resets it) against the request timeout (traffic does not)', () => {
  const idleMs = 300;
  const watchMs = 1000;

  /** Opens a socket that sends a message every `everyMs` (0: never) and reports when it closed, if it did within `watchMs`. */
  async function session(url: string, everyMs: number): Promise<{ lived: number | undefined; lastTraffic: number }> {
    const b = browser(url);
    await b.opened;
    const started = Date.now();
    let lastTraffic = started;
    b.ws.on('message', () => (lastTraffic = Date.now()));
    const talk = everyMs > 0 ? setInterval(() => b.ws.readyState === WebSocket.OPEN && b.ws.send('tick'), everyMs) : undefined;
    const ended = await Promise.race([b.closed, new Promise<undefined>((resolve) => setTimeout(resolve, watchMs))]);
    clearInterval(talk);
    b.ws.terminate();
    return { lived: ended ? ended.at - started : undefined, lastTraffic: lastTraffic - started };
  }

  it('keeps a busy session, drops a quiet one idleMs after its last byte — and the request timeout drops the busy one too', async () => {
    const idle = await rig([{ type: 'idle-timeout', attributes: { idleMs } }]);
    const [busy, quiet] = await Promise.all([session(idle.url, 50), session(idle.url, 0)]);
    expect(busy.lived).toBeUndefined();
    expect(quiet.lived).toBeGreaterThanOrEqual(idleMs * 0.9);
    expect(quiet.lived).toBeLessThan(watchMs);
    expect(idle.causes.join()).toMatch(/idle timeout — no byte either way for 300 ms/);

    const deadline = await rig([], { requestTimeoutMs: idleMs * 2 });
    const cut = await session(deadline.url, 50);
    expect(cut.lived).toBeGreaterThanOrEqual(idleMs * 2 * 0.9);
    expect(cut.lived).toBeLessThan(watchMs);
  });

  it('counts one direction at a time: pongs keep a to-proxy timer quiet-proof, a to-browser timer sees only what comes from the proxy', async () => {
    const toProxy = await rig([{ type: 'idle-timeout', attributes: { idleMs, direction: 'to-proxy' } }], { pingMs: 50 });
    // The stand-in proxy's pings flow towards the browser; the `ws` client answers each with a pong, so the browser → proxy direction is busy too.
    expect((await session(toProxy.url, 0)).lived).toBeUndefined();
    const toBrowser = await rig([{ type: 'idle-timeout', attributes: { idleMs, direction: 'to-browser' } }]);
    // The browser talks and the stand-in proxy echoes; a to-browser timer sees the echoes.
    expect((await session(toBrowser.url, 50)).lived).toBeUndefined();
    const quietProxy = await rig([{ type: 'idle-timeout', attributes: { idleMs, direction: 'to-browser' } }]);
    const b = browser(quietProxy.url);
    await b.opened;
    // A browser that talks does not keep a to-browser timer alive when nothing comes back.
    quietProxy.proxied.forEach((ws) => ws.removeAllListeners('message'));
    const talk = setInterval(() => b.ws.send('tick'), 50);
    const closed = await b.closed;
    clearInterval(talk);
    expect(closed.code).toBe(1006);
    expect(quietProxy.causes.join()).toMatch(/no byte from the proxy towards the browser for 300 ms/);
  });

  it("keeps a quiet session alive through the timer when the proxy pings (the browser's pong answers each ping)", async () => {
    const pinged = await rig([{ type: 'idle-timeout', attributes: { idleMs } }], { pingMs: 100 });
    expect((await session(pinged.url, 0)).lived).toBeUndefined();
    expect(pinged.causes).toEqual([]);
  });
});
