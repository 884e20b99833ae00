// reset: a TCP RST (socket.resetAndDestroy) at a phase, or in the relay once `afterBytes` bytes
// have gone through in the chosen direction (those bytes are delivered first).
import type { Socket } from 'node:net';
import type { FaultContext, FaultType } from './fault.ts';
import { Attributes, directionOf, phaseOf } from './attributes.ts';
import type { Phase } from '../types.ts';

/** After the delivered bytes, before the RST: time for a client in another process to read them. */
const RESET_AFTER_DATA_MS = 5;

/** Resolves once everything written to the socket has been handed to the kernel. */
function flushed(socket: Socket): Promise<void> {
  if (socket.writableLength === 0 || socket.destroyed || socket.writableEnded) return Promise.resolve();
  return new Promise((resolve) => socket.write(Buffer.alloc(0), () => resolve()));
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A Node (libuv) client that reads the last bytes and the RST in one wakeup reports EOF, not the
 * reset: uv__stream_io (src/unix/stream.c) ends a partial read on POLLHUP as EOF without reading the
 * error. So the RST waits until the bytes have left this socket (an unsent write would be discarded
 * with it) and the event loop has come round twice — a client in this process has read them by
 * then — plus a few ms for one in another process; its next read then fails with ECONNRESET.
 */
async function readBeforeReset(ctx: FaultContext): Promise<void> {
  await flushed(ctx.socket);
  await nextTurn();
  await nextTurn();
  await ctx.sleep(RESET_AFTER_DATA_MS);
}

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
            await readBeforeReset(ctx);
            ctx.end('reset');
            return 'close';
          },
        };
      },
    };
  },
};
