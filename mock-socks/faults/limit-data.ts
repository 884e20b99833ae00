// limit-data: once `bytes` bytes have gone through one direction, the connection is closed
// (exactly that many are delivered).
import type { FaultType } from './fault.ts';
import { Attributes, directionOf } from './attributes.ts';

export const limitData: FaultType = {
  name: 'limit-data',
  attributes: ['bytes'],
  create(attributes, where) {
    const limit = new Attributes('limit-data', attributes).number('bytes');
    const direction = directionOf('limit-data', where);
    return {
      relay(current) {
        if (current !== direction) return undefined;
        let passed = 0;
        return {
          async chunk(data, _at, emit) {
            const room = limit - passed;
            if (room > 0) await emit(data.length > room ? data.subarray(0, room) : data);
            passed += Math.min(data.length, Math.max(room, 0));
            return passed >= limit ? 'close' : 'continue';
          },
        };
      },
    };
  },
};
