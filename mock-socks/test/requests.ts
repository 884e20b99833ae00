// Request bytes for tests, built from the codec's own constants so a test reads like the RFC.
import { ATYP_DOMAIN, CMD_CONNECT, SOCKS_VERSION, encodeAddress } from '../codec.ts';

export const GREETING_NO_AUTH = '050100';

export function connectRequest(host: string, port: number): string {
  return Buffer.concat([Buffer.from([SOCKS_VERSION, CMD_CONNECT, 0x00]), encodeAddress(host, port)]).toString('hex');
}

/** A CONNECT naming a domain even when it looks like an IP (socks5h-style). */
export function connectDomain(name: string, port: number): string {
  const bytes = Buffer.from(name, 'utf8');
  return Buffer.concat([Buffer.from([SOCKS_VERSION, CMD_CONNECT, 0x00, ATYP_DOMAIN, bytes.length]), bytes, Buffer.from([port >> 8, port & 0xff])]).toString('hex');
}

export const GENERAL_FAILURE = '05010001000000000000';
