import type { BuildPacer } from '../buildPacer.js';
import type { InvertedLists } from './invertedLists.js';
import type { MetricType } from '../../../messages/schema.js';
import { rowTermL2 } from './pqTables.js';
import { codeBytes, encodePq, trainPq, type ProductQuantizer } from './productQuantizer.js';

/**
 * What IVF_PQ and SCANN keep per position: the PQ code of the row's
 * residual (the row less its list's centroid, as Faiss's IndexIVFPQ with
 * by_residual), one global quantizer trained on every list's residuals.
 * SCANN is Knowhere's: 4-bit codes over sub-spaces of 2 dimensions (m =
 * dim / 2), and with `with_raw_data` the vectors themselves (unit for
 * COSINE), read only to re-rank the best reorder_k candidates exactly.
 */
export interface PqStore {
  kind: 'IVF_PQ' | 'SCANN';
  pq: ProductQuantizer;
  /** count x codeBytes(m, nbits), position p at [p * bytes, (p + 1) * bytes). */
  codes: Uint8Array;
  /** SCANN with raw data: count x dim floats in position order. */
  raw?: Float32Array;
  /** L2: each position's |r|^2 + 2 <c, r> of its decoded residual (pqTables.ts), computed from the codes, never stored in the file. */
  rowTerms?: Float32Array;
}

/** Narrows an IVF store to IVF_PQ's or SCANN's. */
export const isPqStore = (s: { kind: string }): s is PqStore => s.kind === 'IVF_PQ' || s.kind === 'SCANN';

/** SCANN's sub-space width and code bits (Knowhere's IVF_SCANN: fast-scan PQ of 4-bit codes over pairs of dimensions). */
export const SCANN_SUB_DIM = 2;
export const SCANN_NBITS = 4;

/** Trains and encodes `count` vectors in position order against their lists' centroids. */
export async function buildPqStore(kind: PqStore['kind'], byPosition: Float32Array, dim: number, count: number, lists: InvertedLists, m: number, nbits: number, withRaw: boolean, seed: number, pacer?: BuildPacer): Promise<PqStore> {
  const residuals = new Float32Array(count * dim);
  for (let l = 0; l < lists.nlist; l++) {
    for (let p = lists.offsets[l]!, end = lists.offsets[l + 1]!; p < end; p++) {
      for (let j = 0; j < dim; j++) residuals[p * dim + j] = byPosition[p * dim + j]! - lists.centroids[l * dim + j]!;
    }
  }
  const pq = await trainPq(residuals, dim, count, m, nbits, seed, pacer);
  const bytes = codeBytes(m, nbits), codes = new Uint8Array(count * bytes);
  for (let p = 0; p < count; p++) {
    encodePq(pq, residuals, p * dim, codes, p * bytes);
    if ((p & 255) === 255 && pacer?.due) await pacer.pause();
  }
  return { kind, pq, codes, ...(withRaw ? { raw: byPosition.slice(0, count * dim) } : {}) };
}

/** The store with its L2 row terms (every position's, against its list's centroid); other metrics need none. */
export function withRowTerms(store: PqStore, lists: InvertedLists, metric: MetricType): PqStore {
  if (metric !== 'L2') return store;
  const { pq, codes } = store, bytes = codeBytes(pq.m, pq.nbits), rowTerms = new Float32Array(lists.rows.length);
  for (let l = 0; l < lists.nlist; l++) {
    for (let p = lists.offsets[l]!, end = lists.offsets[l + 1]!; p < end; p++) rowTerms[p] = rowTermL2(pq, codes, p * bytes, lists.centroids, l * pq.dim);
  }
  return { ...store, rowTerms };
}
