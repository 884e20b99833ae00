// slicer: each chunk of one direction cut into slices of averageSizeBytes ± sizeVariationBytes
// (seeded), delayUs microseconds apart — Toxiproxy's slicer, for readers that assume one read
// is one message.
import { FaultConfigError, type FaultType } from './fault.ts';
import { Attributes, directionOf } from './attributes.ts';

export const slicer: FaultType = {
  name: 'slicer',
  attributes: ['averageSizeBytes', 'sizeVariationBytes', 'delayUs'],
  create(attributes, where) {
    const a = new Attributes('slicer', attributes);
    const averageSizeBytes = a.number('averageSizeBytes', undefined, 1);
    const sizeVariationBytes = a.number('sizeVariationBytes', 0);
    if (sizeVariationBytes >= averageSizeBytes) throw new FaultConfigError(`slicer: 'sizeVariationBytes' must be below 'averageSizeBytes'`);
    const delayUs = a.number('delayUs', 0);
    const direction = directionOf('slicer', where);
    return {
      relay(current, ctx) {
        if (current !== direction) return undefined;
        return {
          async chunk(data, _at, emit) {
            for (let offset = 0; offset < data.length; ) {
              if (offset > 0 && !(await ctx.sleep(delayUs / 1000))) return 'close';
              const size = Math.max(1, Math.round(averageSizeBytes + sizeVariationBytes * (2 * ctx.random() - 1)));
              await emit(data.subarray(offset, offset + size));
              offset += size;
            }
            return 'continue';
          },
        };
      },
    };
  },
};
