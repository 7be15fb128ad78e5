/**
 * MurmurHash3, x86 32-bit variant (Austin Appleby's public-domain algorithm),
 * the hash Milvus routes an Int64 partition key with. Pure, no allocation.
 */
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** Mixes one 4-byte block into the running hash. */
function mixBlock(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** The final avalanche, with the input length folded in. */
function finish(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** murmur3_32 of bytes with a seed (0 by default), as an unsigned 32-bit number. */
export function murmur3(bytes: Uint8Array, seed = 0): number {
  let h = seed | 0;
  const n = bytes.length, blocks = n - (n & 3);
  for (let i = 0; i < blocks; i += 4) {
    h = mixBlock(h, bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
  }
  const tail = n & 3;
  if (tail > 0) {
    let k = bytes[blocks]!;
    if (tail > 1) k |= bytes[blocks + 1]! << 8;
    if (tail > 2) k |= bytes[blocks + 2]! << 16;
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, C2);
  }
  return finish(h, n);
}

/**
 * murmur3_32 (seed 0) of a safe integer's eight little-endian two's-complement
 * bytes, the same as `murmur3` of those bytes, without building them.
 */
export function murmur3Int64(v: number): number {
  const hi = Math.floor(v / 0x1_0000_0000);
  const lo = v - hi * 0x1_0000_0000;
  return finish(mixBlock(mixBlock(0, lo | 0), hi | 0), 8);
}
