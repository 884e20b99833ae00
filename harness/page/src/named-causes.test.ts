import { describe, expect, it } from 'vitest';
import { causeFor, remember, NAMED_CAUSES_KEPT } from './named-causes.ts';
import type { NamedCause } from './named-causes.ts';

describe('the cause shown beside a socket', () => {
  const causes: NamedCause[] = [
    { t: 50, text: 'earlier: another socket' },
    { t: 150, text: 'front end: idle timeout — no byte either way for 1000 ms' },
  ];

  it('is the last one named while it lived, or just after its close', () => {
    expect(causeFor({ createdAt: 100, closedAt: 140, code: 1006 }, causes)).toBe('front end: idle timeout — no byte either way for 1000 ms');
    expect(causeFor({ createdAt: 100, closedAt: 1000, code: 1006 }, causes)).toBe('front end: idle timeout — no byte either way for 1000 ms');
    expect(causeFor({ createdAt: 160, closedAt: 200, code: 1006 }, causes)).toBeUndefined();
  });

  it('is none for an open socket or a clean close', () => {
    expect(causeFor({ createdAt: 100, closedAt: undefined, code: undefined }, causes)).toBeUndefined();
    expect(causeFor({ createdAt: 100, closedAt: 140, code: 1000 }, causes)).toBeUndefined();
  });

  it('keeps the latest causes only', () => {
    const kept: NamedCause[] = [];
    for (let t = 0; t < NAMED_CAUSES_KEPT + 10; t++) remember(kept, { t, text: String(t) });
    expect(kept).toHaveLength(NAMED_CAUSES_KEPT);
    expect(kept[0]?.t).toBe(10);
  });
});
