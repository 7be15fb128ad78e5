import { innerProduct, l2Squared } from '../../../actors/shared/vector/distance.js';
import { unitRows } from '../../../actors/shared/vector/unitVectors.js';
import type { MetricType } from '../../../messages/schema.js';

/**
 * The space a DiskANN graph and its PQ codes live in: squared L2 always, as
 * DiskANN builds them. COSINE rows and queries are scaled to unit length
 * (their L2 order is the cosine order). IP rows get one more dim,
 * sqrt(N^2 - |x|^2) with N the largest row norm, and queries a 0 there
 * (Bachrach et al.'s MIPS-to-L2 reduction, as DiskANN does for IP): then
 * |q - x|^2 = |q|^2 + N^2 - 2 q.x, which orders rows as IP does. The exact
 * distance of a re-ranked row is the metric's own, on its first `dim` floats.
 */
export function graphDim(dim: number, metric: MetricType): number {
  return metric === 'IP' ? dim + 1 : dim;
}

/** The rows as the graph takes them (gdim floats a row). */
export function graphRows(vectors: Float32Array, dim: number, count: number, metric: MetricType): Float32Array {
  if (metric === 'COSINE') return unitRows(vectors, dim, count);
  if (metric !== 'IP') return vectors;
  let most = 0;
  const norms = new Float64Array(count);
  for (let r = 0; r < count; r++) { norms[r] = innerProduct(vectors, r * dim, vectors.subarray(r * dim, (r + 1) * dim), dim); most = Math.max(most, norms[r]!); }
  const out = new Float32Array(count * (dim + 1));
  for (let r = 0; r < count; r++) {
    out.set(vectors.subarray(r * dim, (r + 1) * dim), r * (dim + 1));
    out[r * (dim + 1) + dim] = Math.sqrt(Math.max(0, most - norms[r]!));
  }
  return out;
}

/** The query as the graph takes it (gdim floats). */
export function graphQuery(query: Float32Array, metric: MetricType): Float32Array {
  if (metric === 'COSINE') return unitRows(query, query.length, 1);
  if (metric !== 'IP') return query;
  const q = new Float32Array(query.length + 1);
  q.set(query);
  return q;
}

/** The metric's distance (Milvus's convention) of a stored graph row at `offset` to the graph query. */
export function exactDistance(metric: MetricType): (row: Float32Array, offset: number, q: Float32Array, dim: number) => number {
  return metric === 'L2' ? l2Squared : innerProduct;
}
