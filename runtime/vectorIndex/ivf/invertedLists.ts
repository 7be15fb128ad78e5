import { nearestCentroid, squaredNorms } from './kmeans.js';
import type { BuildPacer } from '../buildPacer.js';

/**
 * The coarse layout of an IVF index: nlist centroids and, for each, the rows
 * nearest to it (under L2). Rows are stored list by list, so a probe reads one
 * contiguous stretch of positions: list l holds positions
 * [offsets[l], offsets[l + 1]), and `rows[p]` is the segment row at position p
 * (ascending within a list). The index keeps each position's vector (or its
 * codes) at the same position, for cache-friendly scans.
 */
export interface InvertedLists {
  nlist: number;
  /** nlist x dim floats. */
  centroids: Float32Array;
  /** nlist + 1 positions; offsets[0] = 0 and offsets[nlist] = the row count. */
  offsets: Uint32Array;
  rows: Int32Array;
}

/** The list of every row: the nearest centroid under L2. */
export async function assignRows(vectors: Float32Array, dim: number, count: number, centroids: Float32Array, pacer?: BuildPacer): Promise<Int32Array> {
  const norms = squaredNorms(centroids, dim, new Float32Array(centroids.length / dim));
  const assign = new Int32Array(count);
  for (let r = 0; r < count; r++) {
    assign[r] = nearestCentroid(centroids, norms, dim, vectors.subarray(r * dim, (r + 1) * dim));
    if ((r & 63) === 63 && pacer?.due) await pacer.pause();
  }
  return assign;
}

/** Groups rows by their list (a counting sort, stable: ascending rows within a list). */
export function invertedLists(centroids: Float32Array, dim: number, assign: Int32Array): InvertedLists {
  const nlist = centroids.length / dim;
  const offsets = new Uint32Array(nlist + 1);
  for (const l of assign) offsets[l + 1]!++;
  for (let l = 0; l < nlist; l++) offsets[l + 1]! += offsets[l]!;
  const next = offsets.slice(0, nlist), rows = new Int32Array(assign.length);
  for (let r = 0; r < assign.length; r++) rows[next[assign[r]!]!++] = r;
  return { nlist, centroids, offsets, rows };
}

/** The rows' vectors in list order: position p holds row rows[p]. */
export function vectorsByPosition(vectors: Float32Array, dim: number, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * dim);
  for (let p = 0; p < rows.length; p++) out.set(vectors.subarray(rows[p]! * dim, (rows[p]! + 1) * dim), p * dim);
  return out;
}
