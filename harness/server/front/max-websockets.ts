// max-websockets: a cap on the WebSockets the hop holds open at once. An open WebSocket is a
// request for as long as it lives: on Cloud Run it takes one of the instance's concurrent requests
// (80 by default) until it closes, and when every instance is full and no other may start, the next
// request waits up to 10 s for a slot, then gets 429 (about-instance-autoscaling, "Exceeding
// maximum instances"). `queueMs` 0 is a plain cap answering at once — a proxy or platform with a
// WebSocket limit.
import { Attributes, FaultConfigError } from '../../../mock-socks/index.ts';
import type { HopFaultType } from './fault.ts';
import { handshakeFailed, rawResponse, statusText } from './words.ts';

export const maxWebSockets: HopFaultType = {
  name: 'max-websockets',
  attributes: ['limit', 'queueMs', 'status'],
  create(attributes) {
    const read = new Attributes('max-websockets', attributes);
    const limit = read.number('limit', undefined, 1);
    const queueMs = read.number('queueMs', 0);
    const status = read.number('status', 429, 400);
    if (!Number.isInteger(limit) || !Number.isInteger(status) || status > 599) throw new FaultConfigError("max-websockets: 'limit' must be a whole number ≥ 1 and 'status' one from 400 to 599");
    const refusal = rawResponse(status, {}, `${statusText(status)}: at most ${limit} WebSocket${limit === 1 ? '' : 's'} at a time\n`);
    const cause = queueMs > 0
      ? `Cloud Run front end: every instance is at its maximum concurrent requests (${limit} here, 80 by default) — each open WebSocket holds one for its whole life — so this upgrade waited ${queueMs} ms in the request queue, then got ${statusText(status)}: ${handshakeFailed(status)}; raise --concurrency (and --max-instances), close idle workbench windows, or expect the next upgrade to wait or land on another instance`
      : `front end: at most ${limit} WebSocket${limit === 1 ? '' : 's'} at a time, and this upgrade got ${statusText(status)} — ${handshakeFailed(status)}; a proxy, plan or platform with a WebSocket cap (or no WebSocket support)`;
    let open = 0;
    const waiting: ((slot: boolean) => void)[] = [];
    const release = (): void => {
      const next = waiting.shift();
      if (next) next(true);
      else open--;
    };
    return {
      async admit(upgrade) {
        let slot = open < limit;
        if (slot) open++;
        else if (queueMs > 0) {
          slot = await new Promise<boolean>((resolve) => {
            waiting.push(resolve);
            void upgrade.wait(queueMs).then(() => {
              const at = waiting.indexOf(resolve);
              if (at >= 0) waiting.splice(at, 1);
              resolve(false);
            });
          });
        }
        if (!slot) {
          upgrade.name(cause);
          return { kind: 'answer', response: refusal };
        }
        upgrade.onEnd(release);
        return undefined;
      },
      dispose() {
        // Removed: whoever waits for a slot goes on through.
        for (const resolve of waiting.splice(0)) resolve(true);
      },
    };
  },
};
