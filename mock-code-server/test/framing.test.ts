import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromUtf8, hex, utf8 } from '../common/bytes.ts';
import { ProtocolError } from '../common/errors.ts';
import { encodeMessage, HEADER_LENGTH, MessageType, protocolMessage, ProtocolReader, type ProtocolMessage } from '../common/framing.ts';
import { authJson, connectionTypeJson, contextJson, recorded, signJson } from './recorded-frames.ts';

function readAll(chunks: Uint8Array[]): ProtocolMessage[] {
  const reader = new ProtocolReader();
  const out: ProtocolMessage[] = [];
  for (const chunk of chunks) out.push(...reader.acceptChunk(chunk));
  expect(reader.bufferedBytes).toBe(0);
  return out;
}

const sequence = [
  recorded.auth,
  recorded.sign,
  recorded.connectionType,
  recorded.ok,
  recorded.context,
  recorded.clientInitialize,
  recorded.serverInitialize,
  recorded.extHostPause,
  recorded.extHostEmptyControl,
  recorded.extHostResume,
  recorded.extHostReady,
];

describe('recorded code-server frames', () => {
  it('decodes the handshake byte for byte', () => {
    const [auth, sign, connectionType, ok] = readAll([recorded.auth, recorded.sign, recorded.connectionType, recorded.ok]);
    expect(auth).toMatchObject({ type: MessageType.Control, id: 0, ack: 0 });
    expect(fromUtf8(auth!.data)).toBe(authJson);
    expect(fromUtf8(sign!.data)).toBe(signJson);
    expect(fromUtf8(connectionType!.data)).toBe(connectionTypeJson);
    expect(fromUtf8(ok!.data)).toBe('{"type":"ok"}');
  });

  it('re-encodes every recorded frame to the same bytes', () => {
    for (const bytes of sequence) {
      const [message] = readAll([bytes]);
      expect(hex(encodeMessage(message!))).toBe(hex(bytes));
    }
  });

  it('reads the two messages the client packed into one WebSocket frame', () => {
    const [context, initialize] = readAll([concatBytes([recorded.context, recorded.clientInitialize])]);
    expect(context).toMatchObject({ type: MessageType.Regular, id: 1, ack: 0 });
    expect(hex(context!.data.subarray(0, 2))).toBe('053b');
    expect(fromUtf8(context!.data.subarray(2))).toBe(contextJson);
    expect(initialize).toMatchObject({ type: MessageType.Regular, id: 2, ack: 0 });
    expect(hex(initialize!.data)).toBe('040106c80100');
  });

  it('reads the extension host Pause + {} pair from one frame', () => {
    const [pause, empty] = readAll([concatBytes([recorded.extHostPause, recorded.extHostEmptyControl])]);
    expect(pause).toMatchObject({ type: MessageType.Pause, id: 0, ack: 0 });
    expect(pause!.data.byteLength).toBe(0);
    expect(empty).toMatchObject({ type: MessageType.Control });
    expect(fromUtf8(empty!.data)).toBe('{}');
  });
});

describe('splitting', () => {
  const stream = concatBytes(sequence);
  const expected = sequence.map((bytes) => hex(bytes));

  it('gives the same messages for the whole stream cut at every byte boundary', () => {
    for (let cut = 0; cut <= stream.byteLength; cut++) {
      const messages = readAll([stream.subarray(0, cut), stream.subarray(cut)]);
      expect(messages.map((m) => hex(encodeMessage(m)))).toEqual(expected);
    }
  });

  it('gives the same messages when cut at every pair of boundaries inside the first 3 frames', () => {
    const head = concatBytes(sequence.slice(0, 3));
    const headExpected = expected.slice(0, 3);
    for (let a = 0; a <= head.byteLength; a += 3) {
      for (let b = a; b <= head.byteLength; b += 5) {
        const messages = readAll([head.subarray(0, a), head.subarray(a, b), head.subarray(b)]);
        expect(messages.map((m) => hex(encodeMessage(m)))).toEqual(headExpected);
      }
    }
  });

  it('reads a stream fed one byte at a time', () => {
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < stream.byteLength; i++) chunks.push(stream.subarray(i, i + 1));
    expect(readAll(chunks).map((m) => hex(encodeMessage(m)))).toEqual(expected);
  });

  it('reads a message spanning many 256 KiB frames, as the server splits large output', () => {
    const data = new Uint8Array(1_012_503);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    const bytes = encodeMessage(protocolMessage(MessageType.Regular, 7, 3, data));
    const chunks: Uint8Array[] = [];
    for (let offset = 0; offset < bytes.byteLength; offset += 256 * 1024) chunks.push(bytes.subarray(offset, offset + 256 * 1024));
    const [message] = readAll(chunks);
    expect(message).toMatchObject({ type: MessageType.Regular, id: 7, ack: 3 });
    expect(Buffer.from(message!.data).equals(data)).toBe(true);
  });

  it('reads a frame that ends one message, holds several, and starts another', () => {
    const small = [1, 2, 3, 4].map((id) => encodeMessage(protocolMessage(MessageType.Regular, id, 0, utf8(`m${id}`))));
    const stream2 = concatBytes(small);
    const first = small[0]!.byteLength;
    const messages = readAll([stream2.subarray(0, first - 2), stream2.subarray(first - 2, stream2.byteLength - 4), stream2.subarray(stream2.byteLength - 4)]);
    expect(messages.map((m) => fromUtf8(m.data))).toEqual(['m1', 'm2', 'm3', 'm4']);
  });
});

describe('lengths at the boundaries', () => {
  for (const length of [0, 1, 12, 13, 14, 125, 126, 127, 255, 256, 65535, 65536, 65537, 256 * 1024 - 1, 256 * 1024, 256 * 1024 + 1]) {
    it(`round-trips a ${length}-byte message`, () => {
      const data = new Uint8Array(length);
      for (let i = 0; i < length; i++) data[i] = (i + length) & 0xff;
      const bytes = encodeMessage(protocolMessage(MessageType.Regular, 0xffffffff, 0x80000000, data));
      expect(bytes.byteLength).toBe(HEADER_LENGTH + length);
      expect(new DataView(bytes.buffer).getUint32(9)).toBe(length);
      const [message] = readAll([bytes.subarray(0, 13), bytes.subarray(13)]);
      expect(message).toMatchObject({ type: MessageType.Regular, id: 0xffffffff, ack: 0x80000000 });
      expect(Buffer.from(message!.data).equals(data)).toBe(true);
    });
  }

  it('refuses a declared length above its limit with frame.too_large', () => {
    const reader = new ProtocolReader({ maxMessageBytes: 1000 });
    const header = encodeMessage(protocolMessage(MessageType.Regular, 1, 0, new Uint8Array(1001))).subarray(0, HEADER_LENGTH);
    expect(() => reader.acceptChunk(header)).toThrowError(ProtocolError);
    try {
      new ProtocolReader({ maxMessageBytes: 1000 }).acceptChunk(header);
    } catch (error) {
      expect((error as ProtocolError).code).toBe('frame.too_large');
    }
  });
});
