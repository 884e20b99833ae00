/** `length` bytes drawn from a seeded generator (common/prng.ts), so a failing run can be replayed. */
export function randomBytes(rand: () => number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(rand() * 256);
  return out;
}
