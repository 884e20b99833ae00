// truncate-reply: a handshake reply written in chunkBytes pieces with delayMs between them
// (mode 'chunked'), or only its first `bytes` bytes and then a close (mode 'close-after').
import { FaultConfigError, type FaultType } from './fault.ts';
import { Attributes, phaseOf } from './attributes.ts';

export const truncateReply: FaultType = {
  name: 'truncate-reply',
  attributes: ['mode', 'chunkBytes', 'delayMs', 'bytes'],
  create(attributes, where) {
    const a = new Attributes('truncate-reply', attributes);
    const mode = a.string('mode') ?? 'chunked';
    if (mode !== 'chunked' && mode !== 'close-after') throw new FaultConfigError(`truncate-reply: 'mode' must be chunked or close-after`);
    const chunkBytes = mode === 'chunked' ? a.number('chunkBytes', 1, 1) : 0;
    const delayMs = mode === 'chunked' ? a.number('delayMs', 0) : 0;
    const bytes = mode === 'close-after' ? a.number('bytes', 0) : 0;
    const phase = phaseOf('truncate-reply', where, ['greeting', 'auth', 'connect'], 'connect');
    return {
      async writeReply(current, reply, ctx) {
        if (current !== phase) {
          ctx.write(reply);
          return 'continue';
        }
        if (mode === 'close-after') {
          if (bytes > 0) ctx.write(reply.subarray(0, bytes));
          ctx.end('close');
          return 'stop';
        }
        for (let offset = 0; offset < reply.length; offset += chunkBytes) {
          if (offset > 0 && !(await ctx.sleep(delayMs))) return 'stop';
          ctx.write(reply.subarray(offset, offset + chunkBytes));
        }
        return 'continue';
      },
    };
  },
};
