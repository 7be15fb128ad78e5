/**
 * HAMMING and JACCARD over packed bits (pure): a BinaryVector row is dim/8
 * bytes (messages/packedVectors.ts) and is compared 32 bits at a time with a
 * SWAR popcount, never widened to one float a bit. Word kernels read a
 * Uint32Array view when a block's rows start on 4-byte boundaries; byte
 * kernels assemble the same words from bytes and finish a row's last 1-3
 * bytes through a table. Distances are the ones the widened floats gave
 * (integers for HAMMING; 1 - both / either for JACCARD, 0 for two empty
 * vectors), to the last bit.
 */

/** Bits set in a 32-bit word. */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Bits set in each byte value. */
const BYTE_BITS = Uint8Array.from({ length: 256 }, (_, b) => popcount32(b));

/** Differing bits of `words` words from `off` against the query's first words. */
export function hammingWords(data: Uint32Array, off: number, q: Uint32Array, words: number): number {
  let n = 0;
  for (let i = 0; i < words; i++) n += popcount32(data[off + i]! ^ q[i]!);
  return n;
}

/** 1 - |a and b| / |a or b| over `words` words from `off` against the query's first words. */
export function jaccardWords(data: Uint32Array, off: number, q: Uint32Array, words: number): number {
  let both = 0, either = 0;
  for (let i = 0; i < words; i++) {
    const a = data[off + i]!, b = q[i]!;
    both += popcount32(a & b);
    either += popcount32(a | b);
  }
  return either === 0 ? 0 : 1 - both / either;
}

/** A query row as the byte kernels take it: its bytes, and its whole words assembled little-endian. */
export interface BitQuery { bytes: Uint8Array; words: Uint32Array }

export function bitQuery(bytes: Uint8Array): BitQuery {
  const words = new Uint32Array(bytes.length >> 2);
  for (let i = 0; i < words.length; i++) words[i] = wordAt(bytes, i << 2);
  return { bytes, words };
}

function wordAt(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24);
}

/** Differing bits of the `len` bytes of `data` from byte `off`, read as words whatever their alignment. */
export function hammingBytes(data: Uint8Array, off: number, q: BitQuery, len: number): number {
  const whole = len >> 2, qw = q.words, qb = q.bytes;
  let n = 0;
  for (let i = 0, at = off; i < whole; i++, at += 4) n += popcount32(wordAt(data, at) ^ qw[i]!);
  for (let j = whole << 2; j < len; j++) n += BYTE_BITS[data[off + j]! ^ qb[j]!]!;
  return n;
}

/** JACCARD of the `len` bytes of `data` from byte `off`, read as words whatever their alignment. */
export function jaccardBytes(data: Uint8Array, off: number, q: BitQuery, len: number): number {
  const whole = len >> 2, qw = q.words, qb = q.bytes;
  let both = 0, either = 0;
  for (let i = 0, at = off; i < whole; i++, at += 4) {
    const a = wordAt(data, at), b = qw[i]!;
    both += popcount32(a & b);
    either += popcount32(a | b);
  }
  for (let j = whole << 2; j < len; j++) {
    const a = data[off + j]!, b = qb[j]!;
    both += BYTE_BITS[a & b]!;
    either += BYTE_BITS[a | b]!;
  }
  return either === 0 ? 0 : 1 - both / either;
}

/**
 * Bits 0 and 1 as floats (a widened binary query, runtime/client/searchOptions.ts)
 * packed back into bytes, the high bit of a byte first as widenRow reads them.
 */
export function packBits(v: Float32Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(v.length / 8));
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) out[i >> 3]! |= 0x80 >> (i & 7);
  return out;
}
