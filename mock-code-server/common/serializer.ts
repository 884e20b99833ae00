// The IPC serializer of VS Code's channels (base/parts/ipc/common/ipc.ts): a tag byte, then for
// variable-length values a 7-bit little-endian varint ("VQL") length.
import { concatBytes, fromUtf8, utf8 } from './bytes.ts';
import { ProtocolError } from './errors.ts';

export const DataTag = { Undefined: 0, String: 1, Buffer: 2, VSBuffer: 3, Array: 4, Object: 5, Int: 6 } as const;

export function encodeVarint(value: number): Uint8Array {
  let rest = value >>> 0;
  if (rest === 0) return new Uint8Array([0]);
  const out: number[] = [];
  while (rest !== 0) {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    out.push(byte);
  }
  return new Uint8Array(out);
}

export class SerialReader {
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.offset >= this.bytes.byteLength;
  }

  byte(): number {
    const value = this.bytes[this.offset];
    if (value === undefined) throw new ProtocolError('serialized.invalid', 'serialized data ends early');
    this.offset++;
    return value;
  }

  varint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.byte();
      value |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value | 0;
    }
    throw new ProtocolError('serialized.invalid', 'varint longer than 5 bytes');
  }

  take(length: number): Uint8Array {
    if (length < 0 || this.offset + length > this.bytes.byteLength) {
      throw new ProtocolError('serialized.invalid', `length ${length} runs past the data`);
    }
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }
}

export function serialize(value: unknown): Uint8Array {
  const parts: Uint8Array[] = [];
  writeValue(parts, value);
  return concatBytes(parts);
}

function writeValue(parts: Uint8Array[], value: unknown): void {
  if (value === undefined) {
    parts.push(new Uint8Array([DataTag.Undefined]));
  } else if (typeof value === 'string') {
    const bytes = utf8(value);
    parts.push(new Uint8Array([DataTag.String]), encodeVarint(bytes.byteLength), bytes);
  } else if (value instanceof Uint8Array) {
    // VS Code distinguishes Node Buffers (2) from VSBuffer (3); both carry raw bytes. We send VSBuffer.
    parts.push(new Uint8Array([DataTag.VSBuffer]), encodeVarint(value.byteLength), value);
  } else if (Array.isArray(value)) {
    parts.push(new Uint8Array([DataTag.Array]), encodeVarint(value.length));
    for (const element of value) writeValue(parts, element);
  } else if (typeof value === 'number' && (value | 0) === value) {
    parts.push(new Uint8Array([DataTag.Int]), encodeVarint(value));
  } else {
    const bytes = utf8(JSON.stringify(value));
    parts.push(new Uint8Array([DataTag.Object]), encodeVarint(bytes.byteLength), bytes);
  }
}

export function deserialize(reader: SerialReader): unknown {
  const tag = reader.byte();
  switch (tag) {
    case DataTag.Undefined:
      return undefined;
    case DataTag.String:
      return fromUtf8(reader.take(reader.varint()));
    case DataTag.Buffer:
    case DataTag.VSBuffer:
      return reader.take(reader.varint()).slice();
    case DataTag.Array: {
      const count = reader.varint();
      if (count < 0) throw new ProtocolError('serialized.invalid', `negative array length ${count}`);
      const out: unknown[] = [];
      for (let i = 0; i < count; i++) out.push(deserialize(reader));
      return out;
    }
    case DataTag.Object: {
      const text = fromUtf8(reader.take(reader.varint()));
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new ProtocolError('serialized.invalid', 'object tag holds invalid JSON');
      }
    }
    case DataTag.Int:
      return reader.varint();
    default:
      throw new ProtocolError('serialized.invalid', `unknown serializer tag ${tag}`);
  }
}
