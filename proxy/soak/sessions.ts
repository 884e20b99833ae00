// Load for the leak test and the soak: many browser sessions through the proxy, a bounded number
// at a time, each ending as it was told to; what each browser saw is tallied (1006 above all).
import { request } from 'node:http';
import { openRawSession, type RawSession } from './raw-client.ts';

export interface Tally {
  sessions: number;
  /** Close codes the browsers reported, by code (a reset ends without one and is not counted here). */
  codes: Map<number, number>;
  /** Sessions whose code was not the one expected, with what was seen. */
  unexpected: string[];
  http: number;
}

export function newTally(): Tally {
  return { sessions: 0, codes: new Map(), unexpected: [], http: 0 };
}

export function count(tally: Tally, code: number): void {
  tally.codes.set(code, (tally.codes.get(code) ?? 0) + 1);
}

/** Runs `total` jobs, `concurrency` at a time. */
export async function inBatches(total: number, concurrency: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < total) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
}

/** One echo through the whole path (browser → proxy → SOCKS → upstream and back). */
export async function echo(session: RawSession, text: string): Promise<boolean> {
  session.send(0x1, text);
  const frame = await session.next();
  return frame?.opcode === 0x1 && frame.payload.toString() === text;
}

/** A session that echoes once, then ends with a reset (odd `i`) or a clean close 1000 it must get back (even `i`); 1006 is never explained. */
export async function echoThenEnd(port: number, i: number, tally: Tally): Promise<void> {
  const session = await openRawSession('127.0.0.1', port, `/dev/code/stable-x?reconnectionToken=t${i}`);
  tally.sessions++;
  if (!(await echo(session, `hello ${i}`))) {
    // A deadline that expired on a loaded machine ends in 1014 naming it: coded, so not what is hunted here.
    const code = await session.closed;
    count(tally, code);
    if (code !== 1014) tally.unexpected.push(`session ${i}: closed ${code} before its echo`);
    return;
  }
  if (Math.abs(i) % 2 === 1) return session.reset();
  const code = await session.close(1000);
  count(tally, code);
  if (code !== 1000) tally.unexpected.push(`session ${i}: closed ${code}, expected 1000 back`);
}

/** One plain HTTP request through the proxy (no keep-alive from the browser's side), its status. */
export function httpGet(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end();
  });
}
