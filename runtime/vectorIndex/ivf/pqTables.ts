import { codeBytes, dsubOf, getCode, type ProductQuantizer } from './productQuantizer.js';

/**
 * Asymmetric distance tables of product quantization: `table[s * ksub + c]`
 * is the query's term for centroid c of sub-space s, and a code's term is
 * the sum of its m entries: the inner product of the query with the decoded
 * residual. IP adds <q, list centroid>; L2 adds |q - c|^2 and the row's own
 * term (rowTermL2). One table per query, whatever the lists probed.
 *
 * With 4-bit codes (SCANN's, and IVF_PQ's at nbits 4) two codes share a
 * byte, and a second table over whole bytes (256 entries per byte: the sum
 * of both nibbles' terms) halves the reads per code, as Faiss's fast-scan
 * layouts do with SIMD shuffles.
 */

/**
 * L2 by residual without a table per list (Faiss's precomputed-term
 * decomposition, kept per row rather than per list and centroid):
 *   |q - c - r|^2 = |q - c|^2 + (|r|^2 + 2 <c, r>) - 2 <q, r>
 * The middle term is the row's (rowTermL2, computed once from its code);
 * the last is an inner-product table of the query, scaled by -2, read once
 * per query whatever the lists probed.
 */
export function rowTermL2(pq: ProductQuantizer, codes: Uint8Array, at: number, centroids: Float32Array, cAt: number): number {
  const { m, ksub, codebooks, nbits } = pq, dsub = dsubOf(pq);
  let t = 0;
  for (let s = 0; s < m; s++) {
    const off = (s * ksub + getCode(codes, at, s, nbits)) * dsub;
    for (let j = 0; j < dsub; j++) { const r = codebooks[off + j]!; t += r * (r + 2 * centroids[cAt + s * dsub + j]!); }
  }
  return t;
}

/** Inner-product terms of the query, times `scale` (-2 for L2's last term). */
export function ipTable(pq: ProductQuantizer, q: Float32Array, out: Float32Array, scale = 1): Float32Array {
  const { m, ksub, codebooks } = pq, dsub = dsubOf(pq);
  for (let s = 0; s < m; s++) {
    for (let c = 0, off = s * ksub * dsub; c < ksub; c++, off += dsub) {
      let d = 0;
      for (let j = 0; j < dsub; j++) d += q[s * dsub + j]! * codebooks[off + j]!;
      out[s * ksub + c] = scale * d;
    }
  }
  return out;
}

/** The byte table of 4-bit codes: entry [b * 256 + byte] sums the terms of byte b's two codes (an odd m's last high nibble is padding). */
export function byteTable(pq: ProductQuantizer, table: Float32Array, out: Float32Array): Float32Array {
  const { m, ksub } = pq, bytes = codeBytes(m, 4);
  for (let b = 0; b < bytes; b++) {
    const lo = 2 * b * ksub, hi = 2 * b + 1 < m ? (2 * b + 1) * ksub : -1;
    for (let byte = 0; byte < 256; byte++) {
      const l = byte & 15, h = byte >> 4;
      // Nibbles past ksub never occur (a codebook trained on fewer than 16 rows).
      out[(b << 8) | byte] = (l < ksub ? table[lo + l]! : 0) + (hi >= 0 && h < ksub ? table[hi + h]! : 0);
    }
  }
  return out;
}

/** The table a scan reads: the byte table for 4-bit codes, the plain table otherwise. */
export function scanTableSize(pq: ProductQuantizer): number {
  return pq.nbits === 4 ? codeBytes(pq.m, 4) * 256 : pq.m * pq.ksub;
}

/**
 * The sum of the terms of the code at byte `at`: one read per byte for 8-bit
 * codes (stride ksub) and for 4-bit ones through the byte table (stride 256);
 * other widths read each code's bits.
 */
export function codeDistance(pq: ProductQuantizer, t: Float32Array, codes: Uint8Array, at: number): number {
  if (pq.nbits === 8) return byteSum(t, pq.ksub, codes, at, pq.m);
  if (pq.nbits === 4) return byteSum(t, 256, codes, at, codeBytes(pq.m, 4));
  let d = 0;
  for (let s = 0; s < pq.m; s++) d += t[s * pq.ksub + getCode(codes, at, s, pq.nbits)]!;
  return d;
}

function byteSum(t: Float32Array, stride: number, codes: Uint8Array, at: number, bytes: number): number {
  let s0 = 0, s1 = 0, j = 0;
  for (; j + 1 < bytes; j += 2) {
    s0 += t[j * stride + codes[at + j]!]!;
    s1 += t[(j + 1) * stride + codes[at + j + 1]!]!;
  }
  if (j < bytes) s0 += t[j * stride + codes[at + j]!]!;
  return s0 + s1;
}
