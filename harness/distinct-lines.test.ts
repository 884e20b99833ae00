import { describe, expect, it } from 'vitest';
import { distinctTail } from './distinct-lines.ts';

describe('distinctTail', () => {
  it('shows a traceback repeated per connection once, at its last position, with its count', () => {
    const traceback = (port: number) => [
      'Traceback (most recent call last):',
      `  File "app.py", line 12, in bridge`,
      `ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', ${port})`,
    ];
    const lines = [...traceback(41000), 'INFO: started', ...traceback(41001), ...traceback(41002)];
    expect(distinctTail(lines, 10)).toEqual([
      'INFO: started',
      'Traceback (most recent call last): (×3)',
      '  File "app.py", line 12, in bridge (×3)',
      "ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 41002) (×3)",
    ]);
  });

  it('takes lines that differ only in a session id or a commit for the same line', () => {
    const upgrade = (token: string) => `upgrade /dev/code/stable-409c64e0df4d53530e59c16acc2b5d5766f717b0?reconnectionToken=${token}: Socks5 proxy rejected connection - Failure`;
    expect(distinctTail([upgrade('809bf117-322f-444c-bcef-245427154892'), upgrade('e91f474a-ccfc-4704-9b4c-a9b51764745e')], 5)).toEqual([`${upgrade('e91f474a-ccfc-4704-9b4c-a9b51764745e')} (×2)`]);
  });

  it('keeps only the last lines, and drops blank ones', () => {
    expect(distinctTail(['a', '', 'b', 'c', 'b'], 2)).toEqual(['c', 'b (×2)']);
  });
});
