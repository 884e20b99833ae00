// slow-handshake: waits before a handshake reply — one phase's, or each of them.
import type { FaultType } from './fault.ts';
import { Attributes, phaseOf } from './attributes.ts';

export const slowHandshake: FaultType = {
  name: 'slow-handshake',
  attributes: ['delayMs'],
  create(attributes, where) {
    const delayMs = new Attributes('slow-handshake', attributes).number('delayMs');
    const phase = phaseOf('slow-handshake', where, ['greeting', 'auth', 'connect'], undefined);
    return {
      async atPhase(current, ctx) {
        if (current === 'accept' || current === 'relay' || (phase && current !== phase)) return 'continue';
        return (await ctx.sleep(delayMs)) ? 'continue' : 'stop';
      },
    };
  },
};
