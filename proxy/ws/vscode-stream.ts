// The workbench's side of VS Code's remote protocol, as far as the proxy needs it to keep a
// connection open while its upstream is away (./ride-out.ts). The protocol is a byte stream of
// messages — a 13-byte header (type u8, id u32, ack u32, length u32) and the data — carried in
// WebSocket data frames whose boundaries need not match the messages' (ipc.net.ts ProtocolReader
// reads it as a stream). A message of the proxy's own may go to the browser only where the stream
// is between two messages and no fragmented WebSocket message is open, so the bytes written
// towards the browser — whole frames, unmasked (./ws-session.ts) — are followed down to those
// boundaries, with no allocation.
//
// The message is a KeepAlive: ipc.net.ts PersistentProtocol._receiveMessage ignores its type, and
// its ack 0 is never above the ack the workbench already has, so it changes nothing but the time
// of the last read — which is all `_recvAckCheck` looks at before it declares the socket dead
// (no read for TimeoutTime, 20 s, while a message waits for its ack).

/** VS Code's ProtocolMessageType.KeepAlive with id 0, ack 0 and no data, as one unmasked binary frame. */
export const vscodeKeepAlive = Buffer.from([0x82, 13, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

const protocolHeaderBytes = 13;

/**
 * Whether an upgrade's request target is a workbench connection: VS Code's browser client asks for
 * `?reconnectionToken=…&reconnection=…&skipWebSocketFrames=false` (remoteAgentConnection.ts
 * connectToRemoteExtensionHostAgent). With skipWebSocketFrames=true the protocol would not be in
 * WebSocket frames at all (a node client), so it is not one.
 */
export function speaksVscodeProtocol(target: string): boolean {
  const query = target.indexOf('?');
  if (query < 0) return false;
  const params = new URLSearchParams(target.slice(query + 1));
  return params.has('reconnectionToken') && params.get('skipWebSocketFrames') !== 'true';
}

/** Follows the frames written to the browser; `atBoundary` says whether a message of ours may go between them now. */
export class VscodeStream {
  /** The frame header being read: how many bytes it has, how many it needs (2, then with the length and mask). */
  private frameHave = 0;
  private frameNeed = 2;
  private frameFin = false;
  private frameData = false;
  /** Bytes of extended length after the first two (0, 2 or 8), and the length as it is read. */
  private extendedBytes = 0;
  private frameLength = 0;
  private payloadLeft = 0;
  /** A data message whose final frame has not been written. */
  private messageOpen = false;
  /** The protocol message being read: header bytes so far (0–12), its length, its data still to come. */
  private headerHave = 0;
  private messageLength = 0;
  private dataLeft = 0;

  get atBoundary(): boolean {
    return this.frameHave === 0 && this.payloadLeft === 0 && !this.messageOpen && this.headerHave === 0 && this.dataLeft === 0;
  }

  push(bytes: Buffer): void {
    let i = 0;
    while (i < bytes.length) {
      if (this.payloadLeft > 0) {
        const end = i + Math.min(bytes.length - i, this.payloadLeft);
        if (this.frameData) this.protocolBytes(bytes, i, end);
        this.payloadLeft -= end - i;
        i = end;
        if (this.payloadLeft === 0) this.frameEnded();
        continue;
      }
      this.frameHeaderByte(bytes[i] as number);
      i++;
    }
  }

  private frameHeaderByte(byte: number): void {
    const at = this.frameHave++;
    if (at === 0) {
      this.frameFin = (byte & 0x80) !== 0;
      // Continuation (0), text (1) and binary (2) carry the stream; pings, pongs and closes do not.
      this.frameData = (byte & 0x0f) < 8;
      if (this.frameData && (byte & 0x0f) !== 0) this.messageOpen = true;
      return;
    }
    if (at === 1) {
      const length = byte & 0x7f;
      this.extendedBytes = length === 126 ? 2 : length === 127 ? 8 : 0;
      this.frameNeed = 2 + this.extendedBytes + ((byte & 0x80) !== 0 ? 4 : 0);
      this.frameLength = this.extendedBytes === 0 ? length : 0;
    } else if (at < 2 + this.extendedBytes) {
      this.frameLength = this.frameLength * 256 + byte;
    }
    if (this.frameHave < this.frameNeed) return;
    this.frameHave = 0;
    this.frameNeed = 2;
    this.payloadLeft = this.frameLength;
    if (this.payloadLeft === 0) this.frameEnded();
  }

  private frameEnded(): void {
    if (this.frameData && this.frameFin) this.messageOpen = false;
  }

  private protocolBytes(bytes: Buffer, start: number, end: number): void {
    let i = start;
    while (i < end) {
      if (this.dataLeft > 0) {
        const n = Math.min(end - i, this.dataLeft);
        this.dataLeft -= n;
        i += n;
        continue;
      }
      // Bytes 9–12 of the header are the data's length, big-endian.
      if (this.headerHave >= 9) this.messageLength = this.messageLength * 256 + (bytes[i] as number);
      i++;
      if (++this.headerHave < protocolHeaderBytes) continue;
      this.dataLeft = this.messageLength;
      this.headerHave = 0;
      this.messageLength = 0;
    }
  }
}
