import { describe, expect, it } from 'vitest';
import { closeFrame, FrameSplitter, FrameTooLargeError, FrameTracker, Opcode } from './frames.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// RFC 6455 §5.7 examples: a masked "Hello", an unmasked "Hello", and a 256-byte binary frame.
const maskedHello = hex('81 85 37 fa 21 3d 7f 9f 4d 51 58');
const unmaskedHello = hex('81 05 48 65 6c 6c 6f');
const binary256 = Buffer.concat([hex('82 7e 01 00'), Buffer.alloc(256, 7)]);
const close1001 = hex('88 82 00 00 00 00 03 e9'); // masked with a zero key

describe('FrameSplitter', () => {
  const stream = Buffer.concat([maskedHello, unmaskedHello, binary256, close1001]);

  it('forwards every byte of every whole frame, however the bytes are split, and holds only a partial frame', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const splitter = new FrameSplitter(1024);
      const first = splitter.push(stream.subarray(0, cut));
      const held = splitter.heldBytes;
      const frames = [...first, ...splitter.push(stream.subarray(cut))];
      expect(Buffer.concat(frames.flatMap((f) => f.parts)).equals(stream)).toBe(true);
      expect(Buffer.concat(first.flatMap((f) => f.parts)).length + held).toBe(cut);
      expect(frames.at(-1)).toMatchObject({ opcode: Opcode.close, closeCode: 1001 });
      expect(splitter.heldBytes).toBe(0);
    }
  });

  it('gives consecutive data frames as one run (one write) and close frames alone', () => {
    const frames = new FrameSplitter(1024).push(stream);
    expect(frames.map((f) => f.opcode)).toEqual([Opcode.text, Opcode.close]);
    expect(frames[0]?.parts).toHaveLength(1); // adjacent slices of the chunk, merged
  });

  it('reassembles byte by byte', () => {
    const splitter = new FrameSplitter(1024);
    const frames = [...stream].flatMap((byte) => splitter.push(Buffer.from([byte])));
    expect(Buffer.concat(frames.flatMap((f) => f.parts)).equals(stream)).toBe(true);
    // A frame completes only when its last byte arrives: one run per data frame here.
    expect(frames.map((f) => f.opcode)).toEqual([Opcode.text, Opcode.text, Opcode.binary, Opcode.close]);
    expect(frames.map((f) => Buffer.concat(f.parts).length)).toEqual([maskedHello.length, unmaskedHello.length, binary256.length, close1001.length]);
    expect(frames[3]).toMatchObject({ closeCode: 1001, closeReason: '' });
  });

  it('reads a masked close frame’s code and reason', () => {
    const [frame] = new FrameSplitter(1024).push(Buffer.concat([hex('88 86 01 02 03 04'), Buffer.from([0x03 ^ 1, 0xe8 ^ 2, 0x62 ^ 3, 0x79 ^ 4, 0x65 ^ 1, 0x21 ^ 2])]));
    expect(frame).toMatchObject({ closeCode: 1000, closeReason: 'bye!' });
  });

  it('reads 64-bit lengths and refuses frames over the limit', () => {
    expect(() => new FrameSplitter(64 * 1024 * 1024).push(hex('82 7f 00 00 00 00 04 00 00 01'))).toThrow(FrameTooLargeError);
    expect(new FrameSplitter(128).push(hex('82 7e 00 10'))).toEqual([]);
  });
});

describe('FrameTracker', () => {
  const stream = Buffer.concat([maskedHello, binary256, hex('89 80 00 00 00 00'), close1001]); // + an empty masked ping
  const boundaries = new Set([0, maskedHello.length, maskedHello.length + binary256.length, maskedHello.length + binary256.length + 6, stream.length]);

  it('knows at every byte whether the stream is between two frames, however it is split', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const tracker = new FrameTracker(1024);
      const closes = [...tracker.push(stream.subarray(0, cut))];
      expect(tracker.atBoundary).toBe(boundaries.has(cut));
      closes.push(...tracker.push(stream.subarray(cut)));
      expect(closes).toHaveLength(1);
      expect(closes[0]).toMatchObject({ closeCode: 1001 });
      expect(tracker.atBoundary).toBe(true);
    }
  });

  it('byte by byte', () => {
    const tracker = new FrameTracker(1024);
    const seen: boolean[] = [];
    const closes = [...stream].flatMap((byte) => {
      const found = tracker.push(Buffer.from([byte]));
      seen.push(tracker.atBoundary);
      return found;
    });
    expect(closes.map((c) => c.closeCode)).toEqual([1001]);
    expect(seen.flatMap((at, i) => (at ? [i + 1] : []))).toEqual([...boundaries].filter((b) => b > 0));
  });

  it('refuses a frame over the limit from its header', () => {
    expect(() => new FrameTracker(100).push(binary256.subarray(0, 4))).toThrow(FrameTooLargeError);
  });
});

describe('closeFrame', () => {
  it('writes an unmasked frame to the browser and a zero-key masked one upstream', () => {
    expect(closeFrame(1014, 'x', false)).toEqual(hex('88 03 03 f6 78'));
    expect(closeFrame(1001, '', true)).toEqual(close1001);
  });
});
