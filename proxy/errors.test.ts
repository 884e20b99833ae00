import { describe, expect, it } from 'vitest';
import { closeCodeFor, ProxyError, statusFor } from './errors.ts';

describe('closeCodeFor', () => {
  it.each([
    ['socks.connect_refused [::1]:1055', 1014],
    ['socks.timeout.connect_reply', 1014],
    ['socks.reply_general_failure', 1014],
    ['upstream.upgrade_refused (HTTP 403)', 1014],
    ['upstream.ended_without_close', 1014],
    ['route.not_configured', 1014],
    ['proxy.shutdown', 1001],
    ['proxy.lifetime', 1001],
    ['proxy.connection_limit', 1013],
    ['proxy.internal boom', 1011],
    ['anything.else', 1011],
  ])('%s → %i', (cause, code) => {
    expect(closeCodeFor(cause)).toBe(code);
    expect(new ProxyError(cause.split(' ')[0] ?? '').closeCode).toBe(code);
  });

  it('maps deadlines to 504 and other gateway failures to 502', () => {
    expect(statusFor('socks.timeout.greeting')).toBe(504);
    expect(statusFor('upstream.timeout.response')).toBe(504);
    expect(statusFor('socks.not_socks')).toBe(502);
    expect(statusFor('proxy.internal')).toBe(500);
  });
});
