// RFC 6455 on the browser-facing side, one row per case in the manner of the Autobahn|Testsuite
// (sections 1–7): the bytes a browser sends once the session is open, the close code it must get,
// and what the upstream must receive of them — for a refused frame, nothing at all (at most the
// proxy's own close frame, 1001). Accepted rows are relayed byte for byte and closed cleanly.
// Broke: every invalid close frame was answered with 1000 and relayed upstream, unmasked frames,
// RSV bits, unknown opcodes and orphan continuations reached code-server, and a close frame
// announcing 64 MiB was buffered whole.
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type ProxyHandle } from '../server.ts';
import { closePayload, maskedFrame, openRawSession } from '../soak/raw-client.ts';
import { startScriptedUpstream } from '../test/scripted-upstream.ts';
import { tailnetUpstream } from '../test/stack.ts';
import type { TinySocks } from '../test/tiny-socks.ts';

interface Row {
  id: string;
  /** RFC 6455 section the row is about. */
  section: '5.1' | '5.2' | '5.4' | '5.5' | '7.4';
  bytes: Buffer;
  /** The close code the browser must get. */
  code: number;
  /** Of `bytes`, the part the upstream must receive (refused rows: the frames before the refused one). */
  forwarded: Buffer;
}

const zeroKey = Buffer.alloc(4);
const frame = (opcode: number, payload: Buffer | string = '', fin = true) => maskedFrame(opcode, Buffer.from(payload), fin, zeroKey);
/** A frame whose first header byte is `b0` as given (RSV bits, opcodes no library sends). */
const rawFirstByte = (b0: number, payload = '') => Buffer.concat([Buffer.from([b0, 0x80 | payload.length]), zeroKey, Buffer.from(payload)]);
const close = (code: number, reason: string | Buffer = '') => frame(0x8, Buffer.concat([closePayload(code), Buffer.from(reason)]));
const unmaskedText = Buffer.concat([Buffer.from([0x81, 5]), Buffer.from('Hello')]);
const hello = frame(0x1, 'Hello');

const refused = (id: string, section: Row['section'], bytes: Buffer, code = 1002, forwarded: Buffer = Buffer.alloc(0)): Row => ({ id, section, bytes, code, forwarded });
const accepted = (id: string, section: Row['section'], bytes: Buffer, code = 1000): Row => ({ id, section, bytes, code, forwarded: bytes });

const validCodes = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999];
const invalidCodes = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535];

const rows: Row[] = [
  // §5.1: a client masks every frame.
  refused('5.1 unmasked text frame', '5.1', unmaskedText),
  refused('5.1 unmasked frame after a valid one', '5.1', Buffer.concat([hello, unmaskedText]), 1002, hello),
  // §5.2: no extension is negotiated, so RSV bits must be 0; opcodes 3–7 and B–F are reserved.
  ...[0x40, 0x20, 0x10, 0x70].map((rsv) => refused(`5.2 RSV 0x${rsv.toString(16)} on a text frame`, '5.2', rawFirstByte(0x81 | rsv, 'Hello'))),
  refused('5.2 RSV1 on a ping', '5.2', rawFirstByte(0x89 | 0x40)),
  ...[3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf].map((opcode) => refused(`5.2 reserved opcode 0x${opcode.toString(16)}`, '5.2', rawFirstByte(0x80 | opcode))),
  refused('5.2 reserved opcode after a valid frame', '5.2', Buffer.concat([hello, rawFirstByte(0x83)]), 1002, hello),
  // §5.4: fragmentation.
  accepted('5.4 text in three fragments', '5.4', Buffer.concat([frame(0x1, 'Hel', false), frame(0x0, 'l', false), frame(0x0, 'o')])),
  accepted('5.4 a ping between fragments', '5.4', Buffer.concat([frame(0x1, 'Hel', false), frame(0x9, 'ping'), frame(0x0, 'lo')])),
  refused('5.4 continuation with nothing to continue (FIN)', '5.4', frame(0x0, 'x')),
  refused('5.4 continuation with nothing to continue (no FIN)', '5.4', frame(0x0, 'x', false)),
  refused('5.4 a new text message inside a fragmented one', '5.4', Buffer.concat([frame(0x1, 'Hel', false), frame(0x1, 'lo')]), 1002, frame(0x1, 'Hel', false)),
  refused('5.4 a new binary message inside a fragmented one', '5.4', Buffer.concat([frame(0x2, 'Hel', false), frame(0x2, 'lo')]), 1002, frame(0x2, 'Hel', false)),
  // §5.5: control frames carry at most 125 bytes and are never fragmented.
  accepted('5.5 ping of 125 bytes', '5.5', frame(0x9, Buffer.alloc(125, 0x61))),
  accepted('5.5 pong of 0 bytes', '5.5', frame(0xa)),
  refused('5.5 ping of 126 bytes', '5.5', frame(0x9, Buffer.alloc(126, 0x61))),
  refused('5.5 fragmented ping', '5.5', frame(0x9, 'ping', false)),
  refused('5.5 fragmented pong', '5.5', frame(0xa, 'pong', false)),
  refused('5.5 fragmented close', '5.5', Buffer.concat([frame(0x8, closePayload(1000), false)])),
  refused('5.5 close of 126 bytes (124-byte reason)', '5.5', close(1000, Buffer.alloc(124, 0x61))),
  refused('5.5 close announcing 64 MiB, sent as its header only', '5.5', Buffer.concat([Buffer.from([0x88, 0xff, 0, 0, 0, 0, 4, 0, 0, 0]), zeroKey])),
  // §7.4: close codes and reasons.
  accepted('7.4 close without a code', '7.4', frame(0x8), 1000),
  refused('7.4 close payload of 1 byte', '7.4', frame(0x8, Buffer.from([0x03]))),
  accepted('7.4 close 1000 with a 123-byte reason', '7.4', close(1000, Buffer.alloc(123, 0x61))),
  accepted('7.4 close 1000 with a UTF-8 reason', '7.4', close(1000, 'ça va ✓'), 1000),
  refused('7.4 close 1000 with a reason that is not UTF-8', '7.4', close(1000, Buffer.from([0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80, 0x65, 0x64, 0x69, 0x74, 0x65, 0x64])), 1007),
  ...validCodes.map((code) => accepted(`7.4 close ${code}`, '7.4', close(code), code)),
  ...invalidCodes.map((code) => refused(`7.4 close ${code}`, '7.4', close(code))),
];

interface Tunnel {
  received: Buffer;
  ended: Promise<void>;
}

let socks: TinySocks;
let proxy: ProxyHandle;
const tunnels: Tunnel[] = [];

beforeAll(async () => {
  socks = await startScriptedUpstream((socket: Socket) => {
    let endTunnel!: () => void;
    const tunnel: Tunnel = { received: Buffer.alloc(0), ended: new Promise((resolve) => (endTunnel = resolve)) };
    tunnels.push(tunnel);
    socket.on('data', (chunk: Buffer) => {
      tunnel.received = Buffer.concat([tunnel.received, chunk]);
      // code-server ends TCP when it gets a close frame, and never sends one.
      if (clientFrames(tunnel.received).some((f) => f.opcode === 0x8)) socket.end();
    });
    socket.once('end', () => socket.end());
    socket.once('close', () => endTunnel());
  });
  proxy = await startProxy({ socksUrl: socks.url(), upstreamUrl: tailnetUpstream, accessLog: false, shutdownGraceMs: 200, upstreamEndSettleMs: 2000 });
});
afterAll(async () => {
  await proxy?.close();
  await socks?.close();
});

/** Client frames (masked) in `bytes`, as far as they are complete. */
function clientFrames(bytes: Buffer): { opcode: number; payload: Buffer; bytes: Buffer }[] {
  const frames = [];
  let at = 0;
  while (bytes.length - at >= 2) {
    const len7 = (bytes[at + 1] ?? 0) & 0x7f;
    const extended = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
    const masked = ((bytes[at + 1] ?? 0) & 0x80) !== 0;
    if (bytes.length - at < 2 + extended) break;
    const length = len7 === 126 ? bytes.readUInt16BE(at + 2) : len7 === 127 ? Number(bytes.readBigUInt64BE(at + 2)) : len7;
    const end = at + 2 + extended + (masked ? 4 : 0) + length;
    if (end > bytes.length) break;
    const key = bytes.subarray(at + 2 + extended, at + 6 + extended);
    const payload = Buffer.from(bytes.subarray(end - length, end)).map((b, i) => (masked ? b ^ (key[i & 3] ?? 0) : b));
    frames.push({ opcode: (bytes[at] ?? 0) & 0x0f, payload: Buffer.from(payload), bytes: bytes.subarray(at, end) });
    at = end;
  }
  return frames;
}

describe('RFC 6455 on the browser-facing side', () => {
  it('covers §5.1, §5.2, §5.4, §5.5 and §7.4', () => {
    expect(new Set(rows.map((r) => r.section))).toEqual(new Set(['5.1', '5.2', '5.4', '5.5', '7.4']));
    console.log(`conformance rows: ${rows.length} (${rows.filter((r) => r.forwarded !== r.bytes).length} refused, ${rows.filter((r) => r.forwarded === r.bytes).length} relayed)`);
  });

  it.each(rows)('$id → $code', async (row) => {
    const browser = await openRawSession('127.0.0.1', proxy.port, '/dev/code/stable-x');
    expect((await browser.next())?.payload.toString()).toBe('ready'); // the relay is up: the upstream is ours to watch
    const tunnel = tunnels.at(-1)!;
    browser.raw(row.bytes);
    const relayed = row.forwarded === row.bytes;
    const code = relayed && clientFrames(row.bytes).every((f) => f.opcode !== 0x8) ? await browser.close(1000) : await browser.closed;
    expect(code).toBe(row.code);
    await tunnel.ended;
    if (relayed) {
      const sent = clientFrames(row.bytes).some((f) => f.opcode === 0x8) ? row.bytes : Buffer.concat([row.bytes, frame(0x8, closePayload(1000))]);
      expect(tunnel.received.subarray(0, row.forwarded.length).equals(row.forwarded)).toBe(true);
      expect(clientFrames(tunnel.received).map((f) => f.opcode)).toEqual(clientFrames(sent).map((f) => f.opcode));
    } else {
      // Nothing of the refused frame: the frames before it, then at most the proxy's own close (1001, the browser is gone).
      expect(tunnel.received.subarray(0, row.forwarded.length).equals(row.forwarded)).toBe(true);
      const after = clientFrames(tunnel.received.subarray(row.forwarded.length));
      expect(Buffer.concat(after.map((f) => f.bytes)).length).toBe(tunnel.received.length - row.forwarded.length);
      expect(after.map((f) => [f.opcode, f.payload.readUInt16BE(0)])).toEqual([[0x8, 1001]]);
    }
  });
});
