// code-server's Origin check for WebSocket upgrades (src/node/http.ts authenticateOrigin, 4.10.1+).
import type { IncomingHttpHeaders } from 'node:http';

export type OriginVerdict = { allowed: true } | { allowed: false; reason: string };

function firstHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.split(',')[0]?.trim();
}

/** The host the request was addressed to: `Forwarded: host=`, then `X-Forwarded-Host`, then `Host`. */
export function requestHost(headers: IncomingHttpHeaders): string | undefined {
  const forwarded = headers.forwarded;
  if (typeof forwarded === 'string') {
    for (const part of forwarded.split(/[;,]/)) {
      const equals = part.indexOf('=');
      if (equals < 0) continue;
      const key = part.slice(0, equals).trim().toLowerCase();
      const value = part.slice(equals + 1).trim().replace(/^"(.*)"$/, '$1');
      if (key === 'host' && value) return value.toLowerCase();
    }
  }
  const forwardedHost = firstHeader(headers, 'x-forwarded-host');
  if (forwardedHost) return forwardedHost.toLowerCase();
  const host = firstHeader(headers, 'host');
  return host ? host.toLowerCase() : undefined;
}

export function checkOrigin(headers: IncomingHttpHeaders, trustedOrigins: readonly string[] = []): OriginVerdict {
  const raw = headers.origin;
  // No Origin header: not a browser, allowed (code-server does the same).
  if (raw === undefined || raw === '') return { allowed: true };
  let origin: string;
  try {
    origin = new URL(raw).host.trim().toLowerCase();
  } catch {
    return { allowed: false, reason: `unable to parse malformed origin "${raw}"` };
  }
  if (trustedOrigins.includes(origin) || trustedOrigins.includes('*')) return { allowed: true };
  const host = requestHost(headers);
  if (host === undefined) return { allowed: false, reason: 'no host headers found' };
  if (host !== origin) return { allowed: false, reason: `host "${host}" does not match origin "${origin}"` };
  return { allowed: true };
}
