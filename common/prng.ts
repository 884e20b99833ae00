// A small seeded generator (mulberry32), so a failing fuzz, soak or fault run can be replayed
// exactly. Faults draw from streamFor: each (seed, fault name, connection) gets its own stream, so
// a run's draws do not depend on the order in which connections happen to interleave.

export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the key's UTF-16 code units. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function streamFor(seed: number, faultName: string, connectionId: number): () => number {
  return mulberry32(hash(`${seed}/${faultName}/${connectionId}`));
}
