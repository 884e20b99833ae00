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

  it('keeps only the last lines, and drops blank ones', () => {
    expect(distinctTail(['a', '', 'b', 'c', 'b'], 2)).toEqual(['c', 'b (×2)']);
  });
});
