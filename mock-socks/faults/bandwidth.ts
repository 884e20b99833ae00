// bandwidth: one direction limited to rateKBps (1 KB = 1000 bytes), sent in pieces of 100 ms
// worth so a large chunk trickles rather than arriving late in one block.
import { FaultConfigError, type FaultType } from './fault.ts';
import { Attributes, directionOf } from './attributes.ts';

const PIECE_MS = 100;

export const bandwidth: FaultType = {
  name: 'bandwidth',
  attributes: ['rateKBps'],
  create(attributes, where) {
    const rateKBps = new Attributes('bandwidth', attributes).number('rateKBps');
    if (rateKBps <= 0) throw new FaultConfigError(`bandwidth: 'rateKBps' must be > 0`);
    const direction = directionOf('bandwidth', where);
    const bytesPerMs = rateKBps;
    const pieceBytes = Math.max(1, Math.floor(bytesPerMs * PIECE_MS));
    return {
      relay(current, ctx) {
        if (current !== direction) return undefined;
        return {
          async chunk(data, _at, emit) {
            for (let offset = 0; offset < data.length; offset += pieceBytes) {
              const piece = data.subarray(offset, offset + pieceBytes);
              if (!(await ctx.sleep(piece.length / bytesPerMs))) return 'close';
              await emit(piece);
            }
            return 'continue';
          },
        };
      },
    };
  },
};
