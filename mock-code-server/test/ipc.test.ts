import { describe, expect, it } from 'vitest';
import { fromHex, hex } from '../common/bytes.ts';
import type { ProtocolError } from '../common/errors.ts';
import { decodeContext, decodeIpc, encodeContext, encodeInitialize, encodeRequest, encodeSuccess, RequestType, ResponseType } from '../common/ipc.ts';
import { deserialize, encodeVarint, SerialReader, serialize } from '../common/serializer.ts';
import { contextJson, recorded } from './recorded-frames.ts';

describe('IPC layer', () => {
  it('encodes Initialize exactly as recorded: 04 01 06 c8 01 00', () => {
    expect(hex(encodeInitialize())).toBe('040106c80100');
    expect(decodeIpc(fromHex('040106c80100'))).toEqual({ header: [ResponseType.Initialize], body: undefined });
  });

  it('encodes the management context exactly as the recorded first Regular', () => {
    const context = JSON.parse(contextJson) as { remoteAuthority: string; clientId: string };
    expect(hex(encodeContext(context))).toBe(hex(recorded.context.subarray(13)));
    expect(decodeContext(recorded.context.subarray(13))).toEqual(context);
  });

  it('round-trips a request and a response', () => {
    const request = encodeRequest(0, 'remoteextensionsenvironment', 'getEnvironmentData', { remoteAuthority: 'x', profile: 'default' });
    expect(request[0]).toBe(4);
    expect(decodeIpc(request)).toEqual({
      header: [RequestType.Promise, 0, 'remoteextensionsenvironment', 'getEnvironmentData'],
      body: { remoteAuthority: 'x', profile: 'default' },
    });
    expect(decodeIpc(encodeSuccess(300, 'é'))).toEqual({ header: [ResponseType.PromiseSuccess, 300], body: 'é' });
  });

  it('keeps bytes, arrays, ints and undefined through the serializer', () => {
    const value = [new Uint8Array([1, 2, 255]), 127, 128, -1, 0, undefined, 'x', [1.5, { a: [1] }]];
    expect(deserialize(new SerialReader(serialize(value)))).toEqual(value);
  });
});

describe('varints', () => {
  const table: [number, string][] = [
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [200, 'c801'],
    [16383, 'ff7f'],
    [16384, '808001'],
    [0x7fffffff, 'ffffffff07'],
  ];
  for (const [value, bytes] of table) {
    it(`${value} ⇄ ${bytes}`, () => {
      expect(hex(encodeVarint(value))).toBe(bytes);
      expect(new SerialReader(fromHex(bytes)).varint()).toBe(value);
    });
  }

  it('rejects truncated and over-long input with serialized.invalid', () => {
    for (const bad of ['80', 'ffffffffff01', '01', '0105', '07']) {
      let code: string | undefined;
      try {
        deserialize(new SerialReader(fromHex(bad)));
      } catch (error) {
        code = (error as ProtocolError).code;
      }
      expect(code, bad).toBe('serialized.invalid');
    }
  });
});
