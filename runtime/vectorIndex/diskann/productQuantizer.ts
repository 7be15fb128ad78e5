import { ValidationError } from '../../../messages/errors.js';
import type { BuildPacer } from '../buildPacer.js';
import { mulberry32 } from '../seededRandom.js';

/**
 * Product quantization (Jégou et al.), as DiskANN keeps its vectors in
 * memory: the dims are cut into `m` contiguous sub-spaces, each sub-space
 * gets a codebook of up to 256 centroids (k-means), and a vector is kept as
 * one byte per sub-space, the index of its nearest centroid there. A query's
 * distance to a code is a sum of m lookups in a table of the query's squared
 * L2 distance to every centroid (pqTable), so the graph walk never touches
 * the full-precision vectors it does not re-rank.
 */
export interface ProductQuantizer {
  /** The dims of the vectors quantized. */
  readonly dim: number;
  /** Sub-spaces, which is also the bytes of one code. */
  readonly m: number;
  /** Centroids per sub-space (256, fewer over fewer rows). */
  readonly ksub: number;
  /** Sub-space s spans dims [starts[s], starts[s + 1]). */
  readonly starts: Int32Array;
  /** Sub-space s's ksub centroids, each starts[s+1]-starts[s] floats, from ksub * starts[s]. */
  readonly centroids: Float32Array;
}

/** Most centroids a sub-space has: a code is one byte. */
export const PQ_CENTROIDS = 256;
/** Rows k-means trains each sub-space's codebook on at most (DiskANN trains on a sample too). */
const TRAIN_ROWS = 10_000;
/** Lloyd iterations per codebook: codebooks of 1..4 dims settle quickly. */
const TRAIN_ITERATIONS = 8;

/**
 * Code bytes a vector of `dim` float32 values gets under Milvus's
 * pq_code_budget_gb_ratio, the PQ codes' size relative to the raw vectors
 * (4 * dim bytes): at least 1, at most one per dim.
 */
export function pqCodeBytes(dim: number, ratio: number): number {
  if (!(ratio > 0 && ratio <= 0.25)) throw new ValidationError(`pq_code_budget_gb_ratio must be in (0, 0.25], got ${ratio}`, { field: 'pq_code_budget_gb_ratio' });
  return Math.max(1, Math.min(dim, Math.floor(ratio * 4 * dim)));
}

/** Sub-space boundaries: `dim` dims cut into m spans whose widths differ by at most one. */
export function pqStarts(dim: number, m: number): Int32Array {
  const starts = new Int32Array(m + 1);
  for (let s = 0; s <= m; s++) starts[s] = Math.floor((s * dim) / m);
  return starts;
}

/** Trains a codebook per sub-space over a seeded sample of the rows. */
export async function trainPq(vectors: Float32Array, dim: number, m: number, seed: number, pacer?: BuildPacer): Promise<ProductQuantizer> {
  const n = vectors.length / dim;
  if (n < 1) throw new ValidationError('product quantization needs at least one row');
  const ksub = Math.min(PQ_CENTROIDS, n), starts = pqStarts(dim, m);
  const sample = sampleRows(n, Math.min(n, TRAIN_ROWS), mulberry32(seed));
  const centroids = new Float32Array(ksub * dim);
  for (let s = 0; s < m; s++) {
    const from = starts[s]!, w = starts[s + 1]! - from, sub = new Float32Array(sample.length * w);
    for (let i = 0; i < sample.length; i++) sub.set(vectors.subarray(sample[i]! * dim + from, sample[i]! * dim + from + w), i * w);
    centroids.set(await codebook(sub, w, ksub, mulberry32(seed + s), pacer), ksub * from);
  }
  return { dim, m, ksub, starts, centroids };
}

/** Each row's code: m bytes, row r's at [r * m, (r + 1) * m). */
export async function encodePq(pq: ProductQuantizer, vectors: Float32Array, pacer?: BuildPacer): Promise<Uint8Array> {
  const { dim, m, ksub, starts, centroids } = pq, n = vectors.length / dim, codes = new Uint8Array(n * m);
  for (let r = 0; r < n; r++) {
    for (let s = 0; s < m; s++) {
      const from = starts[s]!, w = starts[s + 1]! - from, base = r * dim + from;
      let best = 0, bestD = Infinity;
      for (let c = 0, off = ksub * from; c < ksub; c++, off += w) {
        let d = 0;
        for (let j = 0; j < w; j++) { const x = vectors[base + j]! - centroids[off + j]!; d += x * x; }
        if (d < bestD) { bestD = d; best = c; }
      }
      codes[r * m + s] = best;
    }
    if ((r & 255) === 255 && pacer?.due) await pacer.pause();
  }
  return codes;
}

/** The query's squared L2 distance to every centroid: m x ksub floats, sub-space s's from s * ksub. */
export function pqTable(pq: ProductQuantizer, q: Float32Array, out: Float32Array = new Float32Array(pq.m * pq.ksub)): Float32Array {
  const { m, ksub, starts, centroids } = pq;
  for (let s = 0; s < m; s++) {
    const from = starts[s]!, w = starts[s + 1]! - from;
    for (let c = 0, off = ksub * from; c < ksub; c++, off += w) {
      let d = 0;
      for (let j = 0; j < w; j++) { const x = q[from + j]! - centroids[off + j]!; d += x * x; }
      out[s * ksub + c] = d;
    }
  }
  return out;
}

/** The squared L2 distance the table's query has to row `row`'s code (an estimate of its distance to the row). */
export function pqDistance(table: Float32Array, ksub: number, codes: Uint8Array, row: number, m: number): number {
  let d = 0;
  for (let s = 0, at = row * m, t = 0; s < m; s++, t += ksub) d += table[t + codes[at + s]!]!;
  return d;
}

/**
 * One sub-space's codebook: Lloyd's k-means from k distinct sample points,
 * a centroid left empty re-seeded at a random point. A sub-space is a few
 * dims wide, so the loops are written out (ivf/kmeans.ts's kernels would
 * cost a call per centroid and point).
 */
async function codebook(points: Float32Array, w: number, k: number, rand: () => number, pacer?: BuildPacer): Promise<Float32Array> {
  const n = points.length / w, order = sampleRows(n, k, rand), c = new Float32Array(k * w);
  for (let i = 0; i < k; i++) c.set(points.subarray(order[i]! * w, (order[i]! + 1) * w), i * w);
  const sums = new Float64Array(k * w), sizes = new Int32Array(k);
  for (let it = 0; it < TRAIN_ITERATIONS; it++) {
    sums.fill(0); sizes.fill(0);
    for (let i = 0; i < n; i++) {
      const at = i * w;
      let best = 0, bestD = Infinity;
      for (let j = 0, off = 0; j < k; j++, off += w) {
        let d = 0;
        for (let t = 0; t < w; t++) { const x = points[at + t]! - c[off + t]!; d += x * x; }
        if (d < bestD) { bestD = d; best = j; }
      }
      sizes[best]!++;
      for (let t = 0; t < w; t++) sums[best * w + t]! += points[at + t]!;
      if ((i & 1023) === 1023 && pacer?.due) await pacer.pause();
    }
    for (let j = 0; j < k; j++) {
      if (sizes[j] === 0) { const r = Math.floor(rand() * n); c.set(points.subarray(r * w, (r + 1) * w), j * w); continue; }
      for (let t = 0; t < w; t++) c[j * w + t] = sums[j * w + t]! / sizes[j]!;
    }
  }
  return c;
}

/** `size` distinct row numbers drawn without replacement (all rows, in order, when size is n). */
function sampleRows(n: number, size: number, rand: () => number): Int32Array {
  const picks = Int32Array.from({ length: n }, (_, i) => i);
  if (size >= n) return picks;
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(rand() * (n - i));
    const t = picks[j]!; picks[j] = picks[i]!; picks[i] = t;
  }
  return picks.slice(0, size);
}
