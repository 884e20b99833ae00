import { describe, expect, it } from 'vitest';
import { fromUtf8, utf8 } from '../common/bytes.ts';
import { MessageType, ProtocolReader, protocolMessage, type ProtocolMessage } from '../common/framing.ts';
import { PersistentSession } from '../common/persistent-session.ts';
import { FrameWriter } from '../common/writer.ts';
import { ManualClock } from './manual-clock.ts';
import { MemoryWire, type Peer } from './memory-wire.ts';
import { mulberry32 } from '../../common/prng.ts';

const types = (peer: Peer) => peer.log.map((entry) => entry.message.type);
const texts = (peer: Peer) => peer.received.map((data) => fromUtf8(data));

function setup(): { clock: ManualClock; wire: MemoryWire } {
  const clock = new ManualClock();
  const wire = new MemoryWire(clock);
  wire.connect();
  return { clock, wire };
}

describe('acks', () => {
  it('acknowledges a Regular 2 s after it arrived, not before', () => {
    const { clock, wire } = setup();
    wire.a.session.send(utf8('hello'));
    wire.settle();
    expect(texts(wire.b)).toEqual(['hello']);
    expect(wire.a.session.unackedCount).toBe(1);
    clock.advance(1999, () => wire.settle());
    expect(types(wire.a)).toEqual([]);
    clock.advance(1, () => wire.settle());
    expect(wire.a.log).toEqual([{ at: 2000, message: expect.objectContaining({ type: MessageType.Ack, ack: 1 }) }]);
    expect(wire.a.session.unackedCount).toBe(0);
  });

  it('sends no Ack when a Regular going the other way already carried it', () => {
    const { clock, wire } = setup();
    wire.a.session.send(utf8('question'));
    wire.settle();
    clock.advance(500);
    wire.b.session.send(utf8('answer'));
    wire.settle();
    expect(wire.a.log[0]?.message).toMatchObject({ type: MessageType.Regular, id: 1, ack: 1 });
    expect(wire.a.session.unackedCount).toBe(0);
    clock.advance(2000, () => wire.settle());
    expect(types(wire.a).filter((t) => t === MessageType.Ack)).toEqual([]);
  });

  it('restarts the 2 s wait when more Regulars keep arriving', () => {
    const { clock, wire } = setup();
    for (let i = 0; i < 4; i++) {
      wire.a.session.send(utf8(`m${i}`));
      wire.settle();
      clock.advance(800, () => wire.settle());
    }
    expect(types(wire.a)).toEqual([]);
    clock.advance(1200, () => wire.settle());
    // The last Regular arrived at 2400 ms; its Ack leaves 2 s later, before the 5 s keepalive.
    expect(wire.a.log).toEqual([{ at: 4400, message: expect.objectContaining({ type: MessageType.Ack, ack: 4 }) }]);
  });
});

describe('keepalive and the dead-socket rule', () => {
  it('sends a KeepAlive every 5 s from socket creation, carrying the last received id', () => {
    const { clock, wire } = setup();
    wire.b.session.send(utf8('x'));
    wire.settle();
    clock.advance(15_000, () => wire.settle());
    const keepAlives = wire.b.log.filter((entry) => entry.message.type === MessageType.KeepAlive);
    expect(keepAlives.map((entry) => entry.at)).toEqual([5000, 10000, 15000]);
    expect(keepAlives.every((entry) => entry.message.ack === 1)).toBe(true);
  });

  // ipc.net.ts PersistentProtocol._recvAckCheck: dead = a Regular un-acked for TimeoutTime AND
  // nothing received for TimeoutTime (AND the last timeout TimeoutTime ago).
  it('declares the socket dead 20 s after an un-acked Regular went out with nothing received since, and not while keepalives flow', () => {
    const { clock, wire } = setup();
    clock.advance(60_000, () => wire.settle());
    expect(wire.a.timeouts).toBe(0);
    // From now on nothing reaches A (the peer stopped sending), while A's own writes still leave.
    const silencedAt = clock.now();
    wire.a.session.send(utf8('unanswered'));
    clock.advance(19_999);
    expect(wire.a.timeouts).toBe(0);
    clock.advance(1);
    expect(wire.a.timeouts).toBe(1);
    expect(clock.now() - silencedAt).toBe(20_000);
    // One timeout per check chain: the next check starts with the next send (or a reconnection).
    clock.advance(60_000);
    expect(wire.a.timeouts).toBe(1);
  });

  it('never declares a quiet session dead, however long the peer is silent, when nothing it sent is un-acked', () => {
    const { clock, wire } = setup();
    wire.a.session.send(utf8('acked'));
    clock.advance(10_000, () => wire.settle());
    expect(wire.a.session.unackedCount).toBe(0);
    clock.advance(60 * 60 * 1000);
    expect(wire.a.timeouts).toBe(0);
  });
});

describe('accepting a reconnection (beginAcceptReconnection / endAcceptReconnection)', () => {
  it('holds Regulars sent meanwhile, keeps the keepalive going, then acks and replays everything un-acked', () => {
    const clock = new ManualClock();
    const sent: ProtocolMessage[] = [];
    const reader = new ProtocolReader();
    const session = new PersistentSession({ onMessage: () => undefined }, { clock });
    session.attachFirst(new FrameWriter(() => undefined));
    session.send(utf8('before the drop'));
    session.detach();
    session.beginAcceptReconnection(new FrameWriter((bytes) => sent.push(...reader.acceptChunk(bytes))));
    session.send(utf8('during the handshake'));
    clock.advance(5_000);
    session.sendControl(protocolMessage(MessageType.Control, 0, 0, utf8('{}')));
    const flush = () => new Promise((resolve) => queueMicrotask(() => resolve(undefined)));
    return flush().then(async () => {
      expect(sent.map((m) => m.type)).toEqual([MessageType.KeepAlive, MessageType.Control]);
      session.endAcceptReconnection();
      await flush();
      expect(sent.slice(2).map((m) => [m.type, m.id])).toEqual([
        [MessageType.Ack, 0],
        [MessageType.Regular, 1],
        [MessageType.Regular, 2],
      ]);
      session.dispose();
    });
  });
});

describe('replay', () => {
  it('asks for a replay on a gap and receives the missing messages in order', () => {
    const { wire } = setup();
    wire.a.session.send(utf8('one'));
    wire.settle();
    // 'two' is lost on a socket that dies mid-message; 'three' arrives on the next socket alone.
    wire.a.session.send(utf8('two'));
    wire.drop((inFlight) => inFlight - 3);
    wire.connect();
    wire.settle();
    expect(texts(wire.b)).toEqual(['one', 'two']);
    wire.a.session.send(utf8('three'));
    wire.settle();
    expect(texts(wire.b)).toEqual(['one', 'two', 'three']);
  });

  it('answers ReplayRequest with every un-acked message under its original id', () => {
    const { wire } = setup();
    wire.a.session.send(utf8('a'));
    wire.a.session.send(utf8('b'));
    wire.settle();
    const before = wire.b.log.length;
    wire.b.session.acceptMessage({ type: MessageType.Regular, id: 9, ack: 0, data: utf8('gap') }); // forces a gap
    wire.settle();
    const replayed = wire.b.log.slice(before).map((entry) => entry.message);
    expect(replayed.map((m) => [m.type, m.id])).toEqual([
      [MessageType.Regular, 1],
      [MessageType.Regular, 2],
    ]);
    expect(texts(wire.b)).toEqual(['a', 'b']);
  });

  it('holds writes while paused and sends them on Resume', () => {
    const { wire } = setup();
    wire.b.session.sendPause();
    wire.settle();
    wire.a.session.send(utf8('held'));
    wire.settle();
    expect(texts(wire.b)).toEqual([]);
    wire.b.session.sendResume();
    wire.settle();
    expect(texts(wire.b)).toEqual(['held']);
  });
});

describe('10,000 messages each way across random socket drops', () => {
  for (const seed of [1, 2, 3]) {
    it(`loses none, duplicates none, keeps order (seed ${seed})`, () => {
      const rand = mulberry32(seed);
      const clock = new ManualClock();
      const wire = new MemoryWire(clock);
      wire.connect();
      const total = 10_000;
      let sentA = 0;
      let sentB = 0;
      let drops = 0;
      while (sentA < total || sentB < total) {
        const burst = 1 + Math.floor(rand() * 40);
        for (let i = 0; i < burst && sentA < total; i++) wire.a.session.send(utf8(`a${sentA++}`));
        for (let i = 0; i < burst && sentB < total; i++) wire.b.session.send(utf8(`b${sentB++}`));
        if (!wire.connected) {
          wire.connect();
        } else if (rand() < 0.05) {
          drops++;
          wire.drop((inFlight) => Math.floor(rand() * inFlight));
          if (rand() < 0.5) wire.connect();
        } else {
          wire.pump(Math.floor(rand() * 4000), () => 1 + Math.floor(rand() * 300));
        }
        clock.advance(Math.floor(rand() * 3000), () => wire.pump());
      }
      if (!wire.connected) wire.connect();
      wire.settle();
      clock.advance(2000, () => wire.settle());
      wire.settle();

      const expectA = Array.from({ length: total }, (_, i) => `a${i}`);
      const expectB = Array.from({ length: total }, (_, i) => `b${i}`);
      expect(drops).toBeGreaterThan(10);
      expect(texts(wire.b)).toEqual(expectA);
      expect(texts(wire.a)).toEqual(expectB);
      expect(wire.a.session.unackedCount).toBe(0);
      expect(wire.b.session.unackedCount).toBe(0);
    });
  }
});
