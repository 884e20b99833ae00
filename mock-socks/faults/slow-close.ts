// slow-close: when one direction's source closes, the teardown of the session waits delayMs.
import type { FaultType } from './fault.ts';
import { Attributes, directionOf } from './attributes.ts';

export const slowClose: FaultType = {
  name: 'slow-close',
  attributes: ['delayMs'],
  create(attributes, where) {
    const delayMs = new Attributes('slow-close', attributes).number('delayMs');
    const direction = directionOf('slow-close', where);
    return {
      relay(current, ctx) {
        if (current !== direction) return undefined;
        return {
          chunk: async (data, _at, emit) => {
            await emit(data);
            return 'continue';
          },
          end: async () => {
            await ctx.sleep(delayMs);
          },
        };
      },
    };
  },
};
