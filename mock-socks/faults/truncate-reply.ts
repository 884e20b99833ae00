// truncate-reply: a handshake reply written in chunkBytes pieces with delayMs between them
// (mode 'chunked'), or only its first `bytes` bytes and then a close (mode 'close-after').
import { FaultConfigError, type FaultType, type ReplyPlan } from './fault.ts';
import { Attributes, phaseOf } from './attributes.ts';

/** Every write split into pieces of `size` bytes, `delayMs` apart; the first piece keeps the write's own wait. */
function inPieces(plan: ReplyPlan, size: number, delayMs: number): ReplyPlan {
  const writes = plan.writes.flatMap(({ bytes, delayMs: before }) => {
    const pieces = [];
    for (let offset = 0; offset < bytes.length; offset += size) pieces.push({ bytes: bytes.subarray(offset, offset + size), delayMs: offset === 0 ? before : delayMs });
    return pieces;
  });
  return { writes, close: plan.close };
}

/** Only the first `limit` bytes of the reply are written, then the connection closes. */
function cutAfter(plan: ReplyPlan, limit: number): ReplyPlan {
  const writes = [];
  let room = limit;
  for (const write of plan.writes) {
    if (room <= 0) break;
    writes.push(write.bytes.length > room ? { bytes: write.bytes.subarray(0, room), delayMs: write.delayMs } : write);
    room -= write.bytes.length;
  }
  return { writes, close: true };
}

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
      shapeReply(current, plan) {
        if (current !== phase) return plan;
        return mode === 'close-after' ? cutAfter(plan, bytes) : inPieces(plan, chunkBytes, delayMs);
      },
    };
  },
};
