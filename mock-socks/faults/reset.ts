// reset: a TCP RST (socket.resetAndDestroy) at a phase, or in the relay once `afterBytes` bytes
// have gone through in the chosen direction (those bytes are delivered first).
import type { FaultType } from './fault.ts';
import { Attributes, directionOf, phaseOf } from './attributes.ts';
import type { Phase } from '../types.ts';

export const reset: FaultType = {
  name: 'reset',
  attributes: ['afterBytes'],
  create(attributes, where) {
    const afterBytes = new Attributes('reset', attributes).optionalNumber('afterBytes');
    if (afterBytes === undefined) {
      const phase = phaseOf('reset', where, ['accept', 'greeting', 'auth', 'connect', 'relay'], 'connect') as Phase;
      return {
        atPhase(current, ctx) {
          if (current !== phase) return 'continue';
          ctx.end('reset');
          return 'stop';
        },
      };
    }
    const direction = directionOf('reset', where);
    return {
      relay(current, ctx) {
        if (current !== direction) return undefined;
        let passed = 0;
        return {
          async chunk(data, _at, emit) {
            const room = afterBytes - passed;
            if (room > 0) await emit(data.length > room ? data.subarray(0, room) : data);
            passed += Math.min(data.length, Math.max(room, 0));
            if (passed < afterBytes) return 'continue';
            ctx.end('reset');
            return 'close';
          },
        };
      },
    };
  },
};
