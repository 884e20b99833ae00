// Optional password login: code-server's `/login` form and its `code-server-session` cookie.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const SESSION_COOKIE = 'code-server-session';

/** The cookie holds a hash of the password, never the password itself. */
export function sessionValue(password: string): string {
  return createHash('sha256').update(`code-server-session:${password}`).digest('hex');
}

export function cookieValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const header = headers.cookie;
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const equals = pair.indexOf('=');
    if (equals < 0) continue;
    if (pair.slice(0, equals).trim() === name) return decodeURIComponent(pair.slice(equals + 1).trim());
  }
  return undefined;
}

export function isAuthenticated(headers: IncomingHttpHeaders, password: string | undefined): boolean {
  if (password === undefined) return true;
  const presented = cookieValue(headers, SESSION_COOKIE);
  if (presented === undefined) return false;
  const expected = Buffer.from(sessionValue(password));
  const actual = Buffer.from(presented);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
