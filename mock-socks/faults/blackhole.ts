// blackhole: accepts and reads, never answers (from the chosen phase on); closes only after the client does.
import type { FaultType } from './fault.ts';
import { phaseOf } from './attributes.ts';

export const blackhole: FaultType = {
  name: 'blackhole',
  attributes: [],
  create(_attributes, where) {
    const phase = phaseOf('blackhole', where, ['accept', 'greeting', 'auth', 'connect'], 'greeting');
    return {
      async atPhase(current, ctx) {
        if (current !== phase) return 'continue';
        await ctx.discardUntilEnd();
        ctx.end('close');
        return 'stop';
      },
    };
  },
};
