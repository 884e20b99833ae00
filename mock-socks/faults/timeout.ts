// timeout: one direction stops passing data (it is dropped) and the connection is closed
// timeoutMs after the fault took effect; timeoutMs 0 never closes — data flows again only once
// the fault is removed. Toxiproxy's timeout toxic.
import type { FaultType } from './fault.ts';
import { Attributes, directionOf } from './attributes.ts';

export const timeout: FaultType = {
  name: 'timeout',
  attributes: ['timeoutMs'],
  create(attributes, where) {
    const timeoutMs = new Attributes('timeout', attributes).number('timeoutMs', 0);
    const direction = directionOf('timeout', where);
    return {
      relay(current, ctx) {
        if (current !== direction) return undefined;
        let timer: NodeJS.Timeout | undefined;
        return {
          start() {
            if (timeoutMs > 0) timer = setTimeout(() => ctx.end('close'), timeoutMs);
          },
          stop() {
            clearTimeout(timer);
          },
          chunk: () => Promise.resolve('continue' as const),
        };
      },
    };
  },
};
