import { describe, expect, it } from 'vitest';
import { ClientFrameReader, type ClientFrameSink } from './client-frames.ts';
import { FrameSplitter, FrameTooLargeError, FrameViolationError, holdLimitBytes, Opcode, type Frame, type FrameSink } from './frames.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
/** A read as the socket hands it over: a buffer of its own (push may rewrite a large frame's header in it). */
const read = (bytes: Buffer) => Buffer.from(bytes);

// RFC 6455 §5.7 examples: a masked "Hello", an unmasked "Hello", and a 256-byte binary frame.
const maskedHello = hex('81 85 37 fa 21 3d 7f 9f 4d 51 58');
const unmaskedHello = hex('81 05 48 65 6c 6c 6f');
const binary256 = Buffer.concat([hex('82 7e 01 00'), Buffer.alloc(256, 7)]);
const maskedBinary256 = Buffer.concat([hex('82 fe 01 00 00 00 00 00'), Buffer.alloc(256, 7)]);
const close1001 = hex('88 82 00 00 00 00 03 e9'); // masked with a zero key
const serverClose1001 = hex('88 02 03 e9');

/** A sink that records each write (its buffers) and each close frame, in order. */
function splitterRecorder(): FrameSink & { events: ({ parts: Buffer[] } | { close: Frame })[]; bytes(): Buffer } {
  const events: ({ parts: Buffer[] } | { close: Frame })[] = [];
  return {
    events,
    upstreamBytes: (bytes) => events.push({ parts: [bytes] }),
    upstreamPair: (first, second) => events.push({ parts: [first, second] }),
    upstreamParts: (parts) => events.push({ parts }),
    upstreamClose: (frame) => events.push({ close: frame }),
    bytes: () => Buffer.concat(events.flatMap((e) => ('parts' in e ? e.parts : e.close.parts))),
  };
}

describe('FrameSplitter (the upstream\'s frames: unmasked)', () => {
  const stream = Buffer.concat([unmaskedHello, unmaskedHello, binary256, serverClose1001]);

  it('forwards every byte of every whole frame, however the bytes are split, and holds only a partial frame', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const splitter = new FrameSplitter(1024);
      const sink = splitterRecorder();
      splitter.push(stream.subarray(0, cut), sink);
      expect(sink.bytes().length + splitter.heldBytes).toBe(cut);
      splitter.push(stream.subarray(cut), sink);
      expect(sink.bytes().equals(stream)).toBe(true);
      expect(sink.events.at(-1)).toMatchObject({ close: { opcode: Opcode.close, closeCode: 1001 } });
      expect(splitter.heldBytes).toBe(0);
    }
  });

  it('forwards a chunk of whole data frames as the chunk itself, in one write, and a close frame alone', () => {
    const sink = splitterRecorder();
    new FrameSplitter(1024).push(stream, sink);
    expect(sink.events.map((e) => ('parts' in e ? 'data' : 'close'))).toEqual(['data', 'close']);
    expect(sink.events[0]).toEqual({ parts: [stream.subarray(0, stream.length - serverClose1001.length)] });
    const data = Buffer.concat([unmaskedHello, binary256]);
    const whole = splitterRecorder();
    new FrameSplitter(1024).push(data, whole);
    expect(whole.events).toHaveLength(1);
    expect((whole.events[0] as { parts: Buffer[] }).parts[0]).toBe(data); // no slice, no copy
  });

  it('writes a frame that spanned chunks together with the whole frames after it', () => {
    const splitter = new FrameSplitter(1024);
    const sink = splitterRecorder();
    splitter.push(binary256.subarray(0, 1), sink);
    splitter.push(binary256.subarray(1, 100), sink);
    expect(sink.events).toEqual([]);
    splitter.push(Buffer.concat([binary256.subarray(100), unmaskedHello]), sink);
    expect(sink.events).toHaveLength(1);
    expect(Buffer.concat((sink.events[0] as { parts: Buffer[] }).parts).equals(Buffer.concat([binary256, unmaskedHello]))).toBe(true);
  });

  it('reassembles byte by byte', () => {
    const splitter = new FrameSplitter(1024);
    const sink = splitterRecorder();
    for (const byte of stream) splitter.push(Buffer.from([byte]), sink);
    expect(sink.bytes().equals(stream)).toBe(true);
    // A frame completes only when its last byte arrives: one write per frame here.
    expect(sink.events.map((e) => Buffer.concat('parts' in e ? e.parts : e.close.parts).length)).toEqual([unmaskedHello.length, unmaskedHello.length, binary256.length, serverClose1001.length]);
    expect(sink.events[3]).toMatchObject({ close: { closeCode: 1001, closeReason: '' } });
  });

  it('reads a close frame’s code and reason', () => {
    const sink = splitterRecorder();
    new FrameSplitter(1024).push(hex('88 06 03 e8 62 79 65 21'), sink);
    expect(sink.events[0]).toMatchObject({ close: { closeCode: 1000, closeReason: 'bye!' } });
  });

  it.each([
    ['a masked frame (§5.1)', maskedHello],
    ['a close frame announcing 64 MiB, at its header (§5.5)', hex('88 7f 00 00 00 00 04 00 00 00')],
    ['close code 1006 (§7.4.1)', hex('88 02 03 ee')],
    ['RSV1 with no extension (§5.2)', hex('c1 00')],
  ])('refuses %s, forwarding nothing of the chunk', (_name, bytes) => {
    const sink = splitterRecorder();
    expect(() => new FrameSplitter(128 * 1024 * 1024).push(Buffer.concat([unmaskedHello, bytes]), sink)).toThrow(FrameViolationError);
    expect(sink.events).toEqual([]);
  });

  it('reads 64-bit lengths and refuses frames over the limit', () => {
    const sink = splitterRecorder();
    expect(() => new FrameSplitter(64 * 1024 * 1024).push(hex('82 7f 00 00 00 00 04 00 00 01'), sink)).toThrow(FrameTooLargeError);
    const splitter = new FrameSplitter(128);
    splitter.push(hex('82 7e 00 10'), sink);
    expect([sink.events, splitter.heldBytes]).toEqual([[], 4]);
  });
});

/** Server frames (unmasked) of `bytes`, which must end on a frame boundary. */
function serverFrames(bytes: Buffer): { fin: boolean; opcode: number; payload: Buffer }[] {
  const frames: { fin: boolean; opcode: number; payload: Buffer }[] = [];
  for (let at = 0; at < bytes.length; ) {
    const len7 = (bytes[at + 1] ?? 0) & 0x7f;
    const header = len7 === 126 ? 4 : len7 === 127 ? 10 : 2;
    const length = len7 === 126 ? bytes.readUInt16BE(at + 2) : len7 === 127 ? Number(bytes.readBigUInt64BE(at + 2)) : len7;
    if (at + header + length > bytes.length) throw new Error(`a partial frame at byte ${at}`);
    frames.push({ fin: ((bytes[at] ?? 0) & 0x80) !== 0, opcode: (bytes[at] ?? 0) & 0x0f, payload: bytes.subarray(at + header, at + header + length) });
    at += header + length;
  }
  return frames;
}

/** Messages (opcode, payload) of a sequence of frames, control frames as their own. */
function messages(frames: { fin: boolean; opcode: number; payload: Buffer }[]): [number, string][] {
  const out: [number, string][] = [];
  let open: { opcode: number; parts: Buffer[] } | undefined;
  for (const f of frames) {
    if (f.opcode >= 8) out.push([f.opcode, f.payload.toString('hex')]);
    else {
      open ??= { opcode: f.opcode, parts: [] };
      open.parts.push(f.payload);
      if (f.fin) {
        out.push([open.opcode, Buffer.concat(open.parts).toString('hex')]);
        open = undefined;
      }
    }
  }
  return out;
}

describe('FrameSplitter: a large frame goes on as fragments', () => {
  const large = Buffer.alloc(holdLimitBytes + 5000);
  for (let i = 0; i < large.length; i++) large[i] = i * 7;
  const largeFrame = Buffer.concat([hex('82 7e'), Buffer.from([large.length >> 8, large.length & 0xff]), large]);
  const ping = hex('89 02 68 69');
  // A large binary message, a ping, a large text frame that opens a fragmented message and a small continuation that ends it, a close.
  const textStart = Buffer.concat([hex('01 7e'), Buffer.from([large.length >> 8, large.length & 0xff]), large]);
  const stream = Buffer.concat([unmaskedHello, largeFrame, ping, textStart, hex('80 02 21 21'), serverClose1001]);
  const expected = messages(serverFrames(stream));

  it('sends only whole frames on every push, the same messages, and holds at most a small frame, wherever the reads are cut', () => {
    for (const step of [1, 7, 1000, 4096, holdLimitBytes - 1, 65536]) {
      const splitter = new FrameSplitter(1024 * 1024);
      const sink = splitterRecorder();
      let maxHeld = 0;
      for (let at = 0; at < stream.length; at += step) {
        const before = sink.events.length;
        splitter.push(read(stream.subarray(at, at + step)), sink);
        maxHeld = Math.max(maxHeld, splitter.heldBytes);
        for (const event of sink.events.slice(before)) serverFrames(Buffer.concat('parts' in event ? event.parts : event.close.parts)); // throws on a partial frame
      }
      expect(messages(serverFrames(sink.bytes()))).toEqual(expected);
      expect(maxHeld).toBeLessThanOrEqual(holdLimitBytes);
    }
  });

  it('passes a large frame on unchanged when one read holds it whole, and splits it along the reads otherwise', () => {
    const whole = splitterRecorder();
    new FrameSplitter(1024 * 1024).push(read(largeFrame), whole);
    expect(whole.bytes().equals(largeFrame)).toBe(true);
    const split = splitterRecorder();
    const splitter = new FrameSplitter(1024 * 1024);
    splitter.push(read(largeFrame.subarray(0, 1000)), split);
    splitter.push(read(largeFrame.subarray(1000)), split);
    // The first fragment is one slice of its read (its header written over the frame's own), not a header buffer and a payload.
    expect(split.events[0]).toMatchObject({ parts: [expect.any(Buffer)] });
    expect(serverFrames(split.bytes()).map((f) => [f.fin, f.opcode, f.payload.length])).toEqual([
      [false, Opcode.binary, 1000 - 4],
      [true, Opcode.continuation, large.length - 996],
    ]);
  });

  it('sends whole frames and the first fragment of a large frame after them in one buffer, moving the shorter side', () => {
    const small = Buffer.concat(Array.from({ length: 700 }, () => unmaskedHello)); // 4,900 bytes of whole frames
    for (const [before, cut] of [
      [unmaskedHello, 1000], // a few bytes before, much payload after: the frames move
      [small, 14], // much before, 10 payload bytes after: the payload moves
    ] as const) {
      const stream = Buffer.concat([before, largeFrame]);
      const sink = splitterRecorder();
      const splitter = new FrameSplitter(1024 * 1024);
      splitter.push(read(stream.subarray(0, before.length + cut)), sink);
      expect(sink.events).toHaveLength(1);
      expect((sink.events[0] as { parts: Buffer[] }).parts).toHaveLength(1);
      splitter.push(read(stream.subarray(before.length + cut)), sink);
      expect(messages(serverFrames(sink.bytes()))).toEqual(messages(serverFrames(stream)));
    }
  });

  it('refuses a large frame over the limit at its header, before any of it goes on', () => {
    const sink = splitterRecorder();
    expect(() => new FrameSplitter(holdLimitBytes).push(read(largeFrame.subarray(0, 1000)), sink)).toThrow(FrameTooLargeError);
    expect(sink.events).toEqual([]);
  });
});

describe('FrameSplitter: reads into one reused buffer with room in front (./tunnel-reads.ts)', () => {
  const room = 2048;
  /** Each read lands in the same buffer, after `room` bytes; what went on is taken (copied) at once, and the buffer is scribbled over before the next read. */
  function pushReused(stream: Buffer, step: number): { writes: Buffer[][]; maxHeld: number } {
    const splitter = new FrameSplitter(1024 * 1024);
    const arena = Buffer.alloc(room + step);
    const writes: Buffer[][] = [];
    const take = (parts: Buffer[]) => writes.push(parts.map((part) => Buffer.from(part)));
    const sink: FrameSink = { upstreamBytes: (b) => take([b]), upstreamPair: (a, b) => take([a, b]), upstreamParts: take, upstreamClose: (frame) => take(frame.parts) };
    let maxHeld = 0;
    for (let at = 0; at < stream.length; at += step) {
      const bytes = stream.copy(arena, room, at, at + step);
      splitter.push(arena.subarray(room, room + bytes), sink, room);
      maxHeld = Math.max(maxHeld, splitter.heldBytes);
      arena.fill(0xee);
    }
    return { writes, maxHeld };
  }
  const payload = (bytes: number, seed: number) => Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 31 + seed) & 0xff));
  const frame = (body: Buffer) => Buffer.concat([body.length < 126 ? Buffer.from([0x82, body.length]) : Buffer.from([0x82, 126, body.length >> 8, body.length & 0xff]), body]);

  it('sends pipelined small messages cut anywhere as one buffer per read: the held start of a frame goes in front', () => {
    const stream = Buffer.concat(Array.from({ length: 40 }, (_, i) => frame(payload(1000 + i, i))));
    for (const step of [700, 1024, 4096, 9999]) {
      const { writes, maxHeld } = pushReused(stream, step);
      expect(writes.every((parts) => parts.length === 1)).toBe(true);
      expect(messages(serverFrames(Buffer.concat(writes.flat())))).toEqual(messages(serverFrames(stream)));
      expect(maxHeld).toBeLessThan(1039 + 4); // never more than the largest frame's start
    }
  });

  it('sends each later read of a large frame as one buffer, its fragment header in front', () => {
    const large = Buffer.concat([hex('82 7f 00 00 00 00 00 01 00 00'), payload(65536, 3)]);
    for (const step of [1000, 16 * 1024, 65536]) {
      const { writes } = pushReused(large, step);
      expect(writes.every((parts) => parts.length === 1)).toBe(true);
      expect(writes).toHaveLength(Math.ceil(large.length / step));
      expect(messages(serverFrames(Buffer.concat(writes.flat())))).toEqual(messages(serverFrames(large)));
    }
  });

  it('keeps what it holds of a read as its own copy, and goes on as before when the held start does not fit the room', () => {
    const stream = Buffer.concat([frame(payload(5000, 1)), frame(payload(3000, 2)), serverClose1001]);
    for (const step of [1, 7, 100, 2500, 6000]) {
      const { writes } = pushReused(stream, step);
      expect(messages(serverFrames(Buffer.concat(writes.flat())))).toEqual(messages(serverFrames(stream)));
    }
  });
});

/** A sink that records what the reader forwards, the close it reports and what it refuses. */
function recorder(): ClientFrameSink & { forwarded: Buffer[]; closes: Frame[]; refused: Error[] } {
  const forwarded: Buffer[] = [];
  const closes: Frame[] = [];
  const refused: Error[] = [];
  return { forwarded, closes, refused, browserBytes: (b) => forwarded.push(Buffer.from(b)), browserClose: (f) => closes.push(f), browserRefused: (e) => refused.push(e) };
}

describe('ClientFrameReader (the browser\'s frames: masked, forwarded as they arrive)', () => {
  const emptyPing = hex('89 80 00 00 00 00');
  const data = Buffer.concat([maskedHello, maskedBinary256, emptyPing]);
  const stream = Buffer.concat([data, close1001]);
  /** Inside a payload whose header went on (hello: header 6 bytes; binary: 8): a close frame of ours cannot go in here. */
  const insidePayload = (at: number) => (at >= 6 && at < maskedHello.length) || (at >= maskedHello.length + 8 && at < maskedHello.length + maskedBinary256.length);

  it('forwards every data byte, holds the close frame back, and knows where the stream stands, however it is split', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const reader = new ClientFrameReader(1024);
      const sink = recorder();
      reader.push(stream.subarray(0, cut), sink);
      // No byte of a frame goes on before its header is whole and checked.
      const sent = Buffer.concat(sink.forwarded).length;
      expect(data.subarray(0, sent).equals(Buffer.concat(sink.forwarded))).toBe(true);
      expect(reader.atBoundary).toBe(!insidePayload(cut));
      reader.push(stream.subarray(cut), sink);
      expect(Buffer.concat(sink.forwarded).equals(data)).toBe(true);
      expect(sink.closes.map((c) => [c.closeCode, Buffer.concat(c.parts).equals(close1001)])).toEqual([[1001, true]]);
      expect(sink.refused).toEqual([]);
    }
  });

  it('byte by byte', () => {
    const reader = new ClientFrameReader(1024);
    const sink = recorder();
    for (const byte of stream) reader.push(Buffer.from([byte]), sink);
    expect(Buffer.concat(sink.forwarded).equals(data)).toBe(true);
    expect(sink.closes[0]).toMatchObject({ closeCode: 1001 });
  });

  it('reads a masked close frame’s code and reason', () => {
    const reader = new ClientFrameReader(1024);
    const sink = recorder();
    reader.push(Buffer.concat([hex('88 86 01 02 03 04'), Buffer.from([0x03 ^ 1, 0xe8 ^ 2, 0x62 ^ 3, 0x79 ^ 4, 0x65 ^ 1, 0x21 ^ 2])]), sink);
    expect(sink.closes[0]).toMatchObject({ closeCode: 1000, closeReason: 'bye!' });
  });

  it('refuses a frame over the limit from its header, forwarding none of it', () => {
    const reader = new ClientFrameReader(100);
    const sink = recorder();
    reader.push(Buffer.concat([maskedHello, maskedBinary256.subarray(0, 8)]), sink);
    expect(Buffer.concat(sink.forwarded).equals(maskedHello)).toBe(true);
    expect(sink.refused[0]).toBeInstanceOf(FrameTooLargeError);
  });

  it('is at a boundary between frames and while a header or a close frame is held, not inside a forwarded payload', () => {
    const reader = new ClientFrameReader(1024);
    const sink = recorder();
    reader.push(maskedBinary256.subarray(0, 3), sink); // part of a header: nothing forwarded
    expect([reader.atBoundary, sink.forwarded.length]).toEqual([true, 0]);
    reader.push(maskedBinary256.subarray(3, 20), sink);
    expect(reader.atBoundary).toBe(false);
    reader.push(maskedBinary256.subarray(20), sink);
    expect(reader.atBoundary).toBe(true);
  });
});
