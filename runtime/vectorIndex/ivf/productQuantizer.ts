import { ValidationError } from '../../../messages/errors.js';
import { PQ_NBITS_MAX } from '../../../messages/pqParams.js';
import type { BuildPacer } from '../buildPacer.js';
import { kmeans } from './kmeans.js';

/**
 * Product quantization, as Faiss's ProductQuantizer: a vector of `dim`
 * floats is cut into `m` sub-vectors of dim/m floats, and each is replaced
 * by the number of its nearest centroid among the 2^nbits of its sub-space's
 * codebook (k-means per sub-space). A code is m x nbits bits, packed
 * least-significant bit first (code s at bits [s * nbits, (s + 1) * nbits)),
 * ceil(m * nbits / 8) bytes a vector.
 *
 * Distances are asymmetric (ADC): the query stays float, and a table of its
 * distance to every centroid of every sub-space (m x ksub floats) turns a
 * code's distance into m table reads (pqTables.ts).
 */
export interface ProductQuantizer {
  dim: number;
  m: number;
  nbits: number;
  /** Centroids per sub-space: 2^nbits, or the number of training rows when fewer. */
  ksub: number;
  /** Sub-space s's centroid c at [(s * ksub + c) * dsub, +dsub). */
  codebooks: Float32Array;
}

/** Bits a code of one sub-space may take: codebooks of at most 2^16 centroids. */
export const MAX_PQ_NBITS = PQ_NBITS_MAX;
/** Training rows per centroid at most (a seeded sample; Faiss trains PQ on at most 256 a centroid). */
const TRAIN_ROWS_PER_CENTROID = 64;

export const dsubOf = (pq: Pick<ProductQuantizer, 'dim' | 'm'>): number => pq.dim / pq.m;
/** Bytes of one vector's code. */
export const codeBytes = (m: number, nbits: number): number => Math.ceil((m * nbits) / 8);

/** Refuses an m that does not divide dim, or nbits outside 1..16, with a typed error. */
export function checkPqShape(dim: number, m: number, nbits: number): void {
  if (!Number.isInteger(m) || m < 1 || m > dim || dim % m !== 0) throw new ValidationError(`PQ needs m, the sub-quantizers, to divide dim ${dim}; got m ${m}`, { field: 'm' });
  if (!Number.isInteger(nbits) || nbits < 1 || nbits > MAX_PQ_NBITS) throw new ValidationError(`PQ takes nbits in 1..${MAX_PQ_NBITS}, got ${nbits}`, { field: 'nbits' });
}

/**
 * Trains the codebooks on `count` vectors (rows of `dim` floats; IVF gives
 * residuals): k-means under L2 in each sub-space, over a seeded sample of at
 * most 64 rows a centroid.
 */
export async function trainPq(vectors: Float32Array, dim: number, count: number, m: number, nbits: number, seed: number, pacer?: BuildPacer): Promise<ProductQuantizer> {
  checkPqShape(dim, m, nbits);
  const dsub = dim / m, ksub = Math.max(1, Math.min(2 ** nbits, count));
  const codebooks = new Float32Array(m * ksub * dsub);
  if (count === 0) return { dim, m, nbits, ksub, codebooks };
  const sub = new Float32Array(count * dsub);
  for (let s = 0; s < m; s++) {
    for (let r = 0; r < count; r++) for (let j = 0; j < dsub; j++) sub[r * dsub + j] = vectors[r * dim + s * dsub + j]!;
    const { centroids } = await kmeans(sub, dsub, { k: ksub, seed: seed + s, maxPointsPerCentroid: TRAIN_ROWS_PER_CENTROID, ...(pacer ? { pacer } : {}) });
    codebooks.set(centroids, s * ksub * dsub);
  }
  return { dim, m, nbits, ksub, codebooks };
}

/** Writes the code of one vector (`dim` floats of `v` from `from`) at byte `at` of `codes` (zeroed). */
export function encodePq(pq: ProductQuantizer, v: Float32Array, from: number, codes: Uint8Array, at: number): void {
  const { m, ksub, codebooks, nbits } = pq, dsub = dsubOf(pq);
  for (let s = 0; s < m; s++) {
    let best = 0, bestD = Infinity;
    for (let c = 0, off = s * ksub * dsub; c < ksub; c++, off += dsub) {
      let d = 0;
      for (let j = 0; j < dsub; j++) { const t = v[from + s * dsub + j]! - codebooks[off + j]!; d += t * t; }
      if (d < bestD) { bestD = d; best = c; }
    }
    putCode(codes, at, s, nbits, best);
  }
}

/** The vector a code stands for, into `out` (dim floats). */
export function decodePq(pq: ProductQuantizer, codes: Uint8Array, at: number, out: Float32Array): Float32Array {
  const dsub = dsubOf(pq);
  for (let s = 0; s < pq.m; s++) {
    const from = (s * pq.ksub + getCode(codes, at, s, pq.nbits)) * dsub;
    out.set(pq.codebooks.subarray(from, from + dsub), s * dsub);
  }
  return out;
}

/** Code s of the vector whose code starts at byte `at`. */
export function getCode(codes: Uint8Array, at: number, s: number, nbits: number): number {
  const bit = at * 8 + s * nbits, byte = bit >> 3, shift = bit & 7;
  // Up to 16 bits from any shift span three bytes; a byte past the end reads as 0 (masked off).
  const word = codes[byte]! | ((codes[byte + 1] ?? 0) << 8) | ((codes[byte + 2] ?? 0) << 16);
  return (word >>> shift) & ((1 << nbits) - 1);
}

function putCode(codes: Uint8Array, at: number, s: number, nbits: number, v: number): void {
  let bit = at * 8 + s * nbits, left = nbits, val = v;
  while (left > 0) {
    const byte = bit >> 3, shift = bit & 7, take = Math.min(8 - shift, left);
    codes[byte]! |= (val & ((1 << take) - 1)) << shift;
    val >>>= take; bit += take; left -= take;
  }
}
