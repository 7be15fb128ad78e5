/**
 * xxHash32 (Yann Collet's XXH32, pure): a fixed, seeded 32-bit hash of
 * bytes. The MinHash function's base hash (minhashSignature.ts): part of the
 * stored format, so it must never change. Checked against the reference
 * vectors in test/minhash/minhashSignature.test.ts.
 */
const P1 = 0x9e3779b1, P2 = 0x85ebca77, P3 = 0xc2b2ae3d, P4 = 0x27d4eb2f, P5 = 0x165667b1;

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));
const u32At = (b: Uint8Array, i: number): number => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
const round = (acc: number, lane: number): number => Math.imul(rotl((acc + Math.imul(lane, P2)) | 0, 13), P1);

export function xxh32(b: Uint8Array, seed: number): number {
  const len = b.length;
  let i = 0, h: number;
  if (len >= 16) {
    let v1 = (seed + P1 + P2) | 0, v2 = (seed + P2) | 0, v3 = seed | 0, v4 = (seed - P1) | 0;
    for (const end = len - 16; i <= end; i += 16) {
      v1 = round(v1, u32At(b, i)); v2 = round(v2, u32At(b, i + 4)); v3 = round(v3, u32At(b, i + 8)); v4 = round(v4, u32At(b, i + 12));
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else h = (seed + P5) | 0;
  h = (h + len) | 0;
  for (; i + 4 <= len; i += 4) h = Math.imul(rotl((h + Math.imul(u32At(b, i), P3)) | 0, 17), P4);
  for (; i < len; i++) h = Math.imul(rotl((h + Math.imul(b[i]!, P5)) | 0, 11), P1);
  return fmix32(h);
}

/** XXH32's (and MurmurHash3's kind of) final avalanche: every input bit moves every output bit. */
export function fmix32(h: number): number {
  h ^= h >>> 15; h = Math.imul(h, P2);
  h ^= h >>> 13; h = Math.imul(h, P3);
  h ^= h >>> 16;
  return h >>> 0;
}
