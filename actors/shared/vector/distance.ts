import { ValidationError } from '../../../messages/errors.js';
import type { MetricType } from '../../../messages/schema.js';

/**
 * Distance kernels over columnar vector data: `data` holds many vectors back to
 * back (count * dim floats) and a kernel reads the one starting at `offset`
 * (a float index, i.e. row * dim) against `query` (dim floats from index 0).
 *
 * Values follow what Milvus reports: L2 is the *squared* Euclidean distance
 * (smaller is closer); IP is the inner product and COSINE the cosine similarity
 * (larger is closer). Loops are unrolled by four with independent accumulators,
 * which V8 turns into noticeably faster code than the plain loop.
 */
export type DistanceFn = (data: Float32Array, offset: number, query: Float32Array, dim: number) => number;

/** Squared Euclidean distance. */
export function l2Squared(data: Float32Array, offset: number, query: Float32Array, dim: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  const end4 = dim - (dim & 3);
  for (; i < end4; i += 4) {
    const d0 = data[offset + i]! - query[i]!;
    const d1 = data[offset + i + 1]! - query[i + 1]!;
    const d2 = data[offset + i + 2]! - query[i + 2]!;
    const d3 = data[offset + i + 3]! - query[i + 3]!;
    s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
  }
  for (; i < dim; i++) { const d = data[offset + i]! - query[i]!; s0 += d * d; }
  return s0 + s1 + s2 + s3;
}

/** Inner product. */
export function innerProduct(data: Float32Array, offset: number, query: Float32Array, dim: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  const end4 = dim - (dim & 3);
  for (; i < end4; i += 4) {
    s0 += data[offset + i]! * query[i]!;
    s1 += data[offset + i + 1]! * query[i + 1]!;
    s2 += data[offset + i + 2]! * query[i + 2]!;
    s3 += data[offset + i + 3]! * query[i + 3]!;
  }
  for (; i < dim; i++) s0 += data[offset + i]! * query[i]!;
  return s0 + s1 + s2 + s3;
}

/**
 * Cosine similarity in [-1, 1]. A zero vector has no direction; its similarity
 * is 0 with everything (Milvus refuses zero vectors for COSINE, we stay total).
 */
export function cosine(data: Float32Array, offset: number, query: Float32Array, dim: number): number {
  let dot0 = 0, dot1 = 0, a0 = 0, a1 = 0, b0 = 0, b1 = 0;
  let i = 0;
  const end2 = dim - (dim & 1);
  for (; i < end2; i += 2) {
    const x0 = data[offset + i]!, y0 = query[i]!;
    const x1 = data[offset + i + 1]!, y1 = query[i + 1]!;
    dot0 += x0 * y0; a0 += x0 * x0; b0 += y0 * y0;
    dot1 += x1 * y1; a1 += x1 * x1; b1 += y1 * y1;
  }
  if (i < dim) { const x = data[offset + i]!, y = query[i]!; dot0 += x * y; a0 += x * x; b0 += y * y; }
  const norms = Math.sqrt((a0 + a1) * (b0 + b1));
  return norms === 0 ? 0 : (dot0 + dot1) / norms;
}

/**
 * Jaccard distance of two bit vectors read as 0 and 1 floats (a binary field
 * widened, messages/packedVectors.ts): 1 - |a and b| / |a or b|; two empty
 * vectors are at distance 0. Binary fields are searched over their packed
 * bits (bitDistance.ts), which give the same values; this float form is the
 * reference they are held to (bench/support/widenedSearch.ts).
 */
export function jaccard(data: Float32Array, offset: number, query: Float32Array, dim: number): number {
  let both = 0, either = 0;
  for (let i = 0; i < dim; i++) {
    const x = data[offset + i]!, y = query[i]!;
    both += x * y; either += x + y;
  }
  either -= both;
  return either === 0 ? 0 : 1 - both / either;
}

/** The kernel for a metric. */
export function distanceFn(metric: MetricType): DistanceFn {
  switch (metric) {
    // Over bits widened to 0 and 1, the squared L2 distance counts the bits that differ: Hamming's.
    case 'L2': case 'HAMMING': return l2Squared;
    // BM25 only scores sparse fields (sparseSearch.ts); on a dense block it would be an inner product.
    case 'IP': case 'BM25': return innerProduct;
    case 'COSINE': return cosine;
    case 'JACCARD': return jaccard;
    // MHJACCARD compares packed signatures element by element (minhashDistance.ts), never widened floats.
    case 'MHJACCARD': throw new ValidationError('MHJACCARD compares the packed bytes of a BinaryVector field, not float vectors');
  }
}

/** True when a larger value means closer (IP, COSINE, BM25, MHJACCARD); L2, HAMMING and JACCARD are distances. */
export function higherIsBetter(metric: MetricType): boolean {
  return metric === 'IP' || metric === 'COSINE' || metric === 'BM25' || metric === 'MHJACCARD';
}

/** A value every real distance beats: the seed of a "best so far". */
export function worstDistance(metric: MetricType): number {
  return higherIsBetter(metric) ? -Infinity : Infinity;
}

/** `isBetter(metric)(a, b)` is true when distance a is strictly closer than b. */
export function isBetter(metric: MetricType): (a: number, b: number) => boolean {
  return higherIsBetter(metric) ? (a, b) => a > b : (a, b) => a < b;
}

/** A comparator that sorts distances best first (ascending for L2, descending otherwise). */
export function compareDistance(metric: MetricType): (a: number, b: number) => number {
  return higherIsBetter(metric)
    ? (a, b) => (a > b ? -1 : a < b ? 1 : 0)
    : (a, b) => (a < b ? -1 : a > b ? 1 : 0);
}
