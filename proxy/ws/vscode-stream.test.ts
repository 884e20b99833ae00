// Following VS Code's protocol stream through the frames the proxy writes to the browser: where a
// message of the proxy's own may go, whatever the frames' sizes and cuts.
import { describe, expect, it } from 'vitest';
import { speaksVscodeProtocol, VscodeStream, vscodeKeepAlive } from './vscode-stream.ts';

/** A protocol message: type, id, ack, then `data` bytes (ipc.net.ts ProtocolMessage). */
function message(dataBytes: number, type = 1): Buffer {
  const bytes = Buffer.alloc(13 + dataBytes, 0x61);
  bytes.writeUInt8(type, 0);
  bytes.writeUInt32BE(7, 1);
  bytes.writeUInt32BE(3, 5);
  bytes.writeUInt32BE(dataBytes, 9);
  return bytes;
}

/** An unmasked frame (server → browser) with the header RFC 6455 §5.2 gives `payload`. */
function frame(payload: Buffer, { opcode = 2, fin = true } = {}): Buffer {
  const first = (fin ? 0x80 : 0) | opcode;
  if (payload.length < 126) return Buffer.concat([Buffer.from([first, payload.length]), payload]);
  if (payload.length < 65536) {
    const header = Buffer.from([first, 126, 0, 0]);
    header.writeUInt16BE(payload.length, 2);
    return Buffer.concat([header, payload]);
  }
  const header = Buffer.alloc(10);
  header[0] = first;
  header[1] = 127;
  header.writeBigUInt64BE(BigInt(payload.length), 2);
  return Buffer.concat([header, payload]);
}

/** The boundary after each of `chunks`, pushed in order. */
function boundaries(chunks: Buffer[]): boolean[] {
  const stream = new VscodeStream();
  return chunks.map((chunk) => {
    stream.push(chunk);
    return stream.atBoundary;
  });
}

describe('VscodeStream', () => {
  it('is at a boundary after whole messages in whole frames, of every length encoding', () => {
    for (const dataBytes of [0, 100, 200, 70_000]) {
      expect(boundaries([frame(message(dataBytes))]), `${dataBytes} bytes`).toEqual([true]);
    }
  });

  it('is at a boundary after several messages in one frame, and not after half of one', () => {
    const two = Buffer.concat([message(5), message(40)]);
    expect(boundaries([frame(two)])).toEqual([true]);
    expect(boundaries([frame(two.subarray(0, 30)), frame(two.subarray(30))])).toEqual([false, true]);
  });

  it('follows a message whose header is cut between frames, and frames cut at every byte', () => {
    const bytes = frame(message(300));
    const stream = new VscodeStream();
    const seen: boolean[] = [];
    for (let i = 0; i < bytes.length; i++) {
      stream.push(bytes.subarray(i, i + 1));
      seen.push(stream.atBoundary);
    }
    expect(seen.indexOf(true)).toBe(bytes.length - 1);
    const headerCut = message(20);
    expect(boundaries([frame(headerCut.subarray(0, 11)), frame(headerCut.subarray(11))])).toEqual([false, true]);
  });

  it('is not at a boundary inside a fragmented WebSocket message, even between whole protocol messages', () => {
    const fragments = [frame(message(4), { fin: false }), frame(message(4), { opcode: 0, fin: false }), frame(message(4), { opcode: 0 })];
    expect(boundaries(fragments)).toEqual([false, false, true]);
  });

  it('leaves pings, pongs and closes out of the protocol stream', () => {
    const ping = frame(Buffer.from('ping payload'), { opcode: 9 });
    const half = message(50);
    expect(boundaries([ping, frame(half.subarray(0, 20)), ping, frame(half.subarray(20))])).toEqual([true, false, false, true]);
  });

  it('builds the KeepAlive as one binary frame holding one message with no data', () => {
    expect(vscodeKeepAlive.subarray(0, 2)).toEqual(Buffer.from([0x82, 13]));
    expect(vscodeKeepAlive.subarray(2)).toEqual(Buffer.concat([Buffer.from([9]), Buffer.alloc(12)]));
    expect(boundaries([vscodeKeepAlive])).toEqual([true]);
  });
});

describe('speaksVscodeProtocol', () => {
  it.each([
    ['/?reconnectionToken=abc&reconnection=false&skipWebSocketFrames=false', true],
    ['/dev/code/stable-x/?reconnectionToken=abc&reconnection=true&skipWebSocketFrames=false', true],
    ['/?reconnectionToken=abc&reconnection=false&skipWebSocketFrames=true', false],
    ['/terminal-ws', false],
    ['/?token=abc', false],
  ])('%s → %s', (target, expected) => {
    expect(speaksVscodeProtocol(target)).toBe(expected);
  });
});
