// Legacy knob `singleReadReplies`: the SOCKS handshake as the seed notes' hand-written python did
// it — `sock.send(request)`, then `sock.recv(n)` taken as the whole reply. Whatever the first read
// after each request returns is parsed as that reply; the rest of a reply that arrived in pieces
// is left in the stream, where it lands in front of the upstream's HTTP response. A server whose
// replies arrive a byte at a time (scenario `truncated-reply-split`, mock-socks `truncate-reply`
// chunked) is misparsed and the dial fails. It exists so the harness can show that; the product's
// dialer (../socks/dial.ts) reassembles every reply. Only the handshake is replaced: the TCP
// connect, the requests' bytes and the step records are the product's.
import { isIP, type Socket } from 'node:net';
import { ProxyError } from '../errors.ts';
import { elapsed, SocksDialer, type DialStep, type SocksTarget } from '../socks/dial.ts';
import type { SocksStep } from '../socks/reply.ts';
import { authRequest, greetingRequest } from '../socks/request.ts';

export class SingleReadSocksDialer extends SocksDialer {
  protected override async handshake(socket: Socket, destination: SocksTarget, steps: DialStep[]): Promise<void> {
    try {
      await this.naiveHandshake(socket, destination, steps);
    } catch (error) {
      socket.destroy();
      throw error;
    }
    // Bytes left unread stay buffered for whoever reads the tunnel next, as the socks client does.
    setImmediate(() => socket.resume());
  }

  private async naiveHandshake(socket: Socket, destination: SocksTarget, steps: DialStep[]): Promise<void> {
    const { user, pass } = this.server;
    const withAuth = Boolean(user || pass);
    // python: `if sock.recv(2) != b'\x05\x00'` — one byte of a split reply is not that.
    const greeting = await this.exchange(socket, 'greeting', greetingRequest(withAuth), steps, (r) => r.length === 2 && r[0] === 5 && (r[1] === 0 || (withAuth && r[1] === 2)));
    if (greeting[1] === 2) await this.exchange(socket, 'auth', authRequest(user, pass), steps, (r) => r.length === 2 && r[1] === 0);
    // python: `resp = sock.recv(10); if resp[1] != 0` — a one-byte read has no REP at all.
    await this.exchange(socket, 'connect_reply', connectRequest(destination), steps, (r) => r.length >= 2 && r[0] === 5 && r[1] === 0);
  }

  /** Writes a request and takes the first chunk read after it as the whole reply, which `accepted` judges. */
  private exchange(socket: Socket, step: SocksStep, request: Buffer, steps: DialStep[], accepted: (reply: Buffer) => boolean): Promise<Buffer> {
    const started = performance.now();
    const ms = step === 'connect_reply' ? this.options.connectReplyTimeoutMs : this.options.greetingTimeoutMs;
    return new Promise<Buffer>((resolve, reject) => {
      const settle = (error: ProxyError | undefined, chunk?: Buffer) => {
        clearTimeout(deadline);
        socket.off('data', onData);
        socket.off('close', onClose);
        socket.off('error', onError);
        socket.pause(); // the rest of a reply that came in pieces waits in the stream
        steps.push({ step, ok: !error, ms: elapsed(started), ...(error ? { detail: error.message } : {}) });
        if (error) reject(error);
        else resolve(chunk ?? Buffer.alloc(0));
      };
      const onData = (chunk: Buffer) => settle(accepted(chunk) ? undefined : misparsed(step, chunk), chunk);
      let socketError: Error | undefined;
      const onError = (error: Error) => (socketError = error);
      const onClose = () => settle(new ProxyError(`socks.closed.${step}`, socketError ? socketError.message : 'server closed the connection'));
      const deadline = setTimeout(() => settle(new ProxyError(`socks.timeout.${step}`, `after ${ms} ms`)), ms);
      socket.on('data', onData);
      socket.once('close', onClose);
      socket.on('error', onError);
      socket.write(request);
      socket.resume();
    });
  }
}

/**
 * RFC 1928 §4 CONNECT: an IPv4 literal as ATYP 1, anything else as a name (ATYP 3) — an IPv6
 * literal too, as the seeds' code sent whatever host string it had (tailscaled parses it).
 */
function connectRequest(target: SocksTarget): Buffer {
  const port = Buffer.alloc(2);
  port.writeUInt16BE(target.port);
  const address = isIP(target.host) === 4 ? Buffer.from([1, ...target.host.split('.').map(Number)]) : Buffer.concat([Buffer.from([3, Buffer.byteLength(target.host)]), Buffer.from(target.host)]);
  return Buffer.concat([Buffer.from([5, 1, 0]), address, port]);
}

function misparsed(step: SocksStep, got: Buffer): ProxyError {
  const hex = got.toString('hex').replace(/(..)(?!$)/g, '$1 ');
  return new ProxyError('socks.reply_misparsed', `(legacy single read) the ${step.replace('_', ' ')} read as ${got.length} byte${got.length === 1 ? '' : 's'}: ${hex || 'none'}`);
}
