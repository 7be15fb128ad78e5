/**
 * mulberry32: a tiny, fast, well-mixed 32-bit PRNG; same seed, same sequence.
 * Index builds draw from it so that the same data and seed give the same
 * index (and tests and benchmarks draw their data from it).
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
