import { ValidationError } from '../../../messages/errors.js';
import type { MetricType } from '../../../messages/schema.js';
import { distanceFn } from './distance.js';
import { withinRange, type DistanceRange } from './distanceRange.js';
import { TopK } from './topK.js';

/** One hit of a row-level search: the row number inside the searched data and its distance. */
export interface RowHit { row: number; distance: number }

export interface BruteForceSearch {
  /** Columnar vectors: row r occupies [r * dim, (r + 1) * dim). */
  vectors: Float32Array;
  dim: number;
  /** Rows to search, from row 0 (a growing segment may hold spare capacity after them). */
  count: number;
  metric: MetricType;
  queries: Float32Array[];
  k: number;
  /** Rows for which this returns false are skipped (deleted, filtered out, not yet visible). */
  accept?: (row: number) => boolean;
  /** A range search: rows whose distance is outside it are skipped. */
  range?: DistanceRange;
}

/**
 * Exact k-nearest-neighbour search by scanning every row: the search of growing
 * segments and the ground truth of recall measurements. Results per query are
 * best first with ties broken by the lower row.
 */
export function searchBruteForce(s: BruteForceSearch): RowHit[][] {
  const { vectors, dim, count, metric, queries, k, accept } = s;
  const inRange = s.range ? withinRange(metric, s.range) : undefined;
  if (!Number.isInteger(dim) || dim < 1) throw new ValidationError(`dim must be a positive integer, got ${dim}`);
  if (!Number.isInteger(count) || count < 0 || count * dim > vectors.length) throw new ValidationError(`${count} rows of dim ${dim} do not fit in ${vectors.length} floats`);
  if (!Number.isInteger(k) || k < 0) throw new ValidationError(`k must be a non-negative integer, got ${k}`);
  const dist = distanceFn(metric);
  return queries.map((q) => {
    if (q.length !== dim) throw new ValidationError(`query has ${q.length} floats, the vectors have dim ${dim}`);
    const top = new TopK<{ id: number; distance: number }>(k, metric);
    for (let row = 0, off = 0; row < count; row++, off += dim) {
      const d = dist(vectors, off, q, dim);
      // Refuse before calling accept: the filter may be a costly bitset or predicate lookup.
      if (!top.admits(d, row)) continue;
      if (inRange !== undefined && !inRange(d)) continue;
      if (accept !== undefined && !accept(row)) continue;
      top.push({ id: row, distance: d });
    }
    return top.sorted().map((h) => ({ row: h.id, distance: h.distance }));
  });
}

/**
 * Exact top-k of one query over some rows only (`rows`, e.g. the few a
 * selective filter lets through), best first with ties broken by the lower
 * row. Only those rows' distances are computed.
 */
export function searchRows(s: { vectors: Float32Array; dim: number; metric: MetricType; rows: Int32Array; query: Float32Array; k: number; range?: DistanceRange }): RowHit[] {
  const { vectors, dim, metric, rows, query, k } = s;
  const dist = distanceFn(metric);
  const inRange = s.range ? withinRange(metric, s.range) : undefined;
  const top = new TopK<{ id: number; distance: number }>(k, metric);
  for (const row of rows) {
    const d = dist(vectors, row * dim, query, dim);
    if (!top.admits(d, row) || (inRange !== undefined && !inRange(d))) continue;
    top.push({ id: row, distance: d });
  }
  return top.sorted().map((h) => ({ row: h.id, distance: h.distance }));
}
