import { codeBytes, dsubOf, getCode, type ProductQuantizer } from './productQuantizer.js';

/**
 * Asymmetric distance tables of product quantization: `table[s * ksub + c]`
 * is the query's term for centroid c of sub-space s, and a code's distance
 * is the sum of its m terms. L2: the squared distance of the query's
 * sub-vector (minus the list's centroid: codes hold residuals) to the
 * centroid, so the sum is the squared L2 distance to the decoded vector. IP:
 * the inner product of the query's sub-vector with the centroid, to which
 * the caller adds <q, list centroid>.
 *
 * With 4-bit codes (SCANN's, and IVF_PQ's at nbits 4) two codes share a
 * byte, and a second table over whole bytes (256 entries per byte: the sum
 * of both nibbles' terms) halves the reads per code, as Faiss's fast-scan
 * layouts do with SIMD shuffles.
 */

/** L2 terms of the query `q` less `centroid` (dim floats at `cAt`; null: none). */
export function l2Table(pq: ProductQuantizer, q: Float32Array, centroid: Float32Array | null, cAt: number, out: Float32Array): Float32Array {
  const { m, ksub, codebooks } = pq, dsub = dsubOf(pq);
  for (let s = 0; s < m; s++) {
    for (let c = 0, off = s * ksub * dsub; c < ksub; c++, off += dsub) {
      let d = 0;
      for (let j = 0; j < dsub; j++) {
        const x = s * dsub + j, t = q[x]! - (centroid ? centroid[cAt + x]! : 0) - codebooks[off + j]!;
        d += t * t;
      }
      out[s * ksub + c] = d;
    }
  }
  return out;
}

/** Inner-product terms of the query. */
export function ipTable(pq: ProductQuantizer, q: Float32Array, out: Float32Array): Float32Array {
  const { m, ksub, codebooks } = pq, dsub = dsubOf(pq);
  for (let s = 0; s < m; s++) {
    for (let c = 0, off = s * ksub * dsub; c < ksub; c++, off += dsub) {
      let d = 0;
      for (let j = 0; j < dsub; j++) d += q[s * dsub + j]! * codebooks[off + j]!;
      out[s * ksub + c] = d;
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
