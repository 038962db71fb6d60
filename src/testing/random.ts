/**
 * The one seeded random generator of the tests, benchmarks and generated caches: mulberry32 —
 * tiny, fast, good enough for test data; its state is one 32-bit integer, so a failing run
 * replays from its seed.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
