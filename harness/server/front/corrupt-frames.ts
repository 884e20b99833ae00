// corrupt-frames: a middlebox that rewrites a WebSocket frame — here the reserved bits of its first
// byte, which is what a frame compressed with permessage-deflate looks like to a peer that never
// negotiated it (RFC 7692 uses RSV1). An endpoint must fail the connection (RFC 6455 §5.2): Chromium
// drops it with "One or more reserved bits are on: reserved1 = 1" and reports 1006; the proxy, for
// a frame on its way to it, answers 1002 naming the bits.
import { Attributes, FaultConfigError } from '../../../mock-socks/index.ts';
import { FrameWatch } from '../frame-watch.ts';
import type { HopFaultType } from './fault.ts';

export const corruptFrames: HopFaultType = {
  name: 'corrupt-frames',
  attributes: ['afterFrames', 'bits', 'direction'],
  create(attributes) {
    const read = new Attributes('corrupt-frames', attributes);
    const afterFrames = read.number('afterFrames', 0);
    const bits = read.number('bits', 0x40);
    if (!Number.isInteger(bits) || bits === 0 || (bits & ~0x70) !== 0) throw new FaultConfigError("corrupt-frames: 'bits' must be RSV bits: 0x40 (RSV1), 0x20, 0x10 or a sum of them");
    const direction = read.string('direction') ?? 'to-browser';
    if (direction !== 'to-browser' && direction !== 'to-proxy') throw new FaultConfigError("corrupt-frames: 'direction' must be to-browser or to-proxy");
    const rsv = [0x40, 0x20, 0x10].map((bit, i) => `reserved${i + 1} = ${bits & bit ? 1 : 0}`).join(', ');
    const cause =
      direction === 'to-browser'
        ? `front end: a frame on its way to the browser had its reserved bits set (${rsv}) — what a compressed frame looks like when permessage-deflate was not negotiated end to end — so the browser failed the connection: "One or more reserved bits are on: ${rsv}", then 1006; a middlebox that rewrites or compresses frames, or an extension negotiated on one hop only`
        : `front end: a frame on its way to the proxy had its reserved bits set (${rsv}), as a middlebox that compresses or rewrites frames would: the proxy refuses it (RFC 6455 §5.2) and closes with 1002`;
    return {
      relay(link) {
        const frames = new FrameWatch();
        let seen = 0;
        let done = false;
        const corrupt = (chunk: Buffer): void => {
          if (done) return;
          frames.scan(chunk, {
            start: (offset) => {
              if (done || seen++ < afterFrames) return;
              chunk[offset] = (chunk[offset] ?? 0) | bits;
              done = true;
              link.name(cause);
            },
          });
        };
        return direction === 'to-browser' ? { toBrowser: corrupt } : { toProxy: corrupt };
      },
    };
  },
};
