// The page's own lines between two shells: a fresh row first when the cursor is not at column 0,
// the cause of the reconnection, never wider than the terminal.
import { describe, expect, it } from 'vitest';
import { endsAtLineStart, sessionSeparator } from './terminal-text.ts';

/** Without the dim on/off sequences the page uses. */
const strip = (text: string): string => text.replaceAll('\x1b[2m', '').replaceAll('\x1b[22m', '');

describe('endsAtLineStart', () => {
  it('follows the last chunk written: a prompt or a half-typed line is not column 0', () => {
    expect(endsAtLineStart('hello\r\n', false)).toBe(true);
    expect(endsAtLineStart('hello\r\n$ ', true)).toBe(false);
    expect(endsAtLineStart('e', true)).toBe(false);
    expect(endsAtLineStart('', true)).toBe(true);
    expect(endsAtLineStart('', false)).toBe(false);
  });
});

describe('sessionSeparator', () => {
  it('writes nothing before the first shell on a blank terminal', () => {
    expect(sessionSeparator({ blank: true, atLineStart: true, after: undefined, cols: 80 })).toBe('');
  });

  it('breaks the line after a prompt, then names the close that ended the previous socket', () => {
    const text = sessionSeparator({ blank: false, atLineStart: false, after: { code: 1001, reason: 'proxy.lifetime after 700 ms' }, cols: 80 });
    expect(text.startsWith('\r\n')).toBe(true);
    expect(strip(text)).toBe('\r\n— reconnected after 1001 proxy.lifetime after 700 ms —\r\n');
    expect(text).toContain('\x1b[2m');
  });

  it('adds no empty row when the cursor is already at column 0; a manual connect is a new session', () => {
    expect(strip(sessionSeparator({ blank: false, atLineStart: true, after: undefined, cols: 80 }))).toBe('— new session —\r\n');
  });

  it('cuts a long reason so the line never wraps into the greeting', () => {
    const text = strip(sessionSeparator({ blank: false, atLineStart: true, after: { code: 1014, reason: 'x'.repeat(200) }, cols: 40 }));
    const line = text.replace(/\r\n$/, '');
    expect(line.length).toBeLessThanOrEqual(40);
    expect(line).toMatch(/^— reconnected after 1014 x+… —$/);
  });
});
