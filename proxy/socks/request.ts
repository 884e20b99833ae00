// The three requests a SOCKS5 client sends (RFC 1928 §3 and §4, RFC 1929 §2), as bytes. Written
// here rather than borrowed from the npm `socks` client: that client arms a timer it never clears,
// which kept every tunnel (and its session) reachable for the timer's whole length.
import { isIP } from 'node:net';
import { ProxyError } from '../errors.ts';
import { atypDomain, atypIPv4, atypIPv6, authVersion, commandConnect, methodNoAuth, methodUserPass, socksVersion } from './wire.ts';

// +----+----------+----------+
// |VER | NMETHODS | METHODS  |   RFC 1928 §3
// +----+----------+----------+
export function greetingRequest(offerUserPass: boolean): Buffer {
  return Buffer.from(offerUserPass ? [socksVersion, 2, methodNoAuth, methodUserPass] : [socksVersion, 1, methodNoAuth]);
}

// +----+------+----------+------+----------+
// |VER | ULEN |  UNAME   | PLEN |  PASSWD  |   RFC 1929 §2 (each 1 to 255 bytes)
// +----+------+----------+------+----------+
export function authRequest(user: string, pass: string): Buffer {
  const name = Buffer.from(user);
  const password = Buffer.from(pass);
  if (name.length > 255 || password.length > 255) throw new ProxyError('socks.auth_invalid', 'user name and password are at most 255 bytes each (RFC 1929)');
  return Buffer.concat([Buffer.from([authVersion, name.length]), name, Buffer.from([password.length]), password]);
}

// +----+-----+-------+------+----------+----------+
// |VER | CMD |  RSV  | ATYP | DST.ADDR | DST.PORT |   RFC 1928 §4
// +----+-----+-------+------+----------+----------+
export function connectRequest(host: string, port: number): Buffer {
  const portBytes = Buffer.alloc(2);
  portBytes.writeUInt16BE(port);
  return Buffer.concat([Buffer.from([socksVersion, commandConnect, 0x00]), addressBytes(host), portBytes]);
}

function addressBytes(host: string): Buffer {
  const family = isIP(host);
  if (family === 4) return Buffer.from([atypIPv4, ...host.split('.').map(Number)]);
  if (family === 6) return Buffer.concat([Buffer.from([atypIPv6]), ipv6Bytes(host)]);
  const name = Buffer.from(host);
  if (name.length === 0 || name.length > 255) throw new ProxyError('socks.target_invalid', `a name of 1 to 255 bytes (RFC 1928 §5), got ${name.length}`);
  return Buffer.concat([Buffer.from([atypDomain, name.length]), name]);
}

/** The 16 bytes of an IPv6 literal (RFC 4291 §2.2: `::` compression, a dotted IPv4 tail). */
function ipv6Bytes(address: string): Buffer {
  const bytes = Buffer.alloc(16);
  let text = address.replace(/%.*$/, '');
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (v4) {
    const [a = 0, b = 0, c = 0, d = 0] = v4.split('.').map(Number);
    text = text.slice(0, -v4.length) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head = '', tail] = text.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const front = groups(head);
  const back = groups(tail);
  const all = [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
  all.forEach((group, i) => bytes.writeUInt16BE(group, i * 2));
  return bytes;
}
