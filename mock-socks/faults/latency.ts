// latency: each chunk of one direction is held latencyMs ± jitterMs (uniform, seeded) after it
// arrived — time it already spent queued counts, as Toxiproxy's latency toxic does.
import type { FaultType } from './fault.ts';
import { Attributes, directionOf } from './attributes.ts';

export const latency: FaultType = {
  name: 'latency',
  attributes: ['latencyMs', 'jitterMs'],
  create(attributes, where) {
    const a = new Attributes('latency', attributes);
    const latencyMs = a.number('latencyMs');
    const jitterMs = a.number('jitterMs', 0);
    const direction = directionOf('latency', where);
    return {
      relay(current, ctx) {
        if (current !== direction) return undefined;
        return {
          async chunk(data, arrivedAt, emit) {
            const delay = latencyMs + jitterMs * (2 * ctx.random() - 1);
            if (!(await ctx.sleep(delay - (Date.now() - arrivedAt)))) return 'close';
            await emit(data);
            return 'continue';
          },
        };
      },
    };
  },
};
