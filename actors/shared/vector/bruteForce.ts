import { ValidationError } from '../../../messages/errors.js';
import type { MetricType } from '../../../messages/schema.js';
import { withinRange, type DistanceRange } from './distanceRange.js';
import { TopK } from './topK.js';
import { blockRows, floatBlock, rowScorer, slotScorer, type VectorBlock } from './vectorBlock.js';

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
  /** MHJACCARD: bytes of one MinHash value (vectorBlock.ts rowScorer). */
  mhElementBytes?: number;
}

/** A brute-force search over any block (vectorBlock.ts): float32 rows or a packed field's bytes, read in place. */
export type BlockSearch = Omit<BruteForceSearch, 'vectors' | 'dim'> & { block: VectorBlock };

/**
 * Exact k-nearest-neighbour search by scanning every row: the search of growing
 * segments and the ground truth of recall measurements. Results per query are
 * best first with ties broken by the lower row.
 */
export function searchBruteForce(s: BruteForceSearch): RowHit[][] {
  if (!Number.isInteger(s.dim) || s.dim < 1) throw new ValidationError(`dim must be a positive integer, got ${s.dim}`);
  if (!Number.isInteger(s.count) || s.count < 0 || s.count * s.dim > s.vectors.length) throw new ValidationError(`${s.count} rows of dim ${s.dim} do not fit in ${s.vectors.length} floats`);
  return searchBlock({ ...s, block: floatBlock(s.vectors, s.dim) });
}

/** searchBruteForce over a block of any vector type. */
export function searchBlock(s: BlockSearch): RowHit[][] {
  const { block, count, metric, queries, k, accept } = s;
  const inRange = s.range ? withinRange(metric, s.range) : undefined;
  if (!Number.isInteger(block.dim) || block.dim < 1) throw new ValidationError(`dim must be a positive integer, got ${block.dim}`);
  if (!Number.isInteger(count) || count < 0 || count > blockRows(block)) throw new ValidationError(`${count} rows of dim ${block.dim} do not fit in the ${block.type} block`);
  if (!Number.isInteger(k) || k < 0) throw new ValidationError(`k must be a non-negative integer, got ${k}`);
  if (block.map) return queries.map((q) => scanSlots(s, block.map!.rows, q, inRange));
  return queries.map((q) => {
    const score = rowScorer(block, metric, q, s.mhElementBytes);
    const top = new TopK<{ id: number; distance: number }>(k, metric);
    for (let row = 0; row < count; row++) {
      const d = score(row);
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
 * searchBlock's scan of a compact block (a nullable field's, compactColumn.ts):
 * slot after slot, so a null row is never looked at; `rows` maps each slot
 * to its row (ascending: ties still go to the lower row). A loop of its own,
 * so a required field's scan stays as it was.
 */
function scanSlots(s: BlockSearch, rows: Int32Array, q: Float32Array, inRange: ((d: number) => boolean) | undefined): RowHit[] {
  const { block, count, metric, k, accept } = s;
  const score = slotScorer(block, metric, q, s.mhElementBytes);
  const top = new TopK<{ id: number; distance: number }>(k, metric);
  for (let slot = 0; slot < rows.length; slot++) {
    const row = rows[slot]!;
    if (row >= count) break;
    const d = score(slot);
    if (!top.admits(d, row)) continue;
    if (inRange !== undefined && !inRange(d)) continue;
    if (accept !== undefined && !accept(row)) continue;
    top.push({ id: row, distance: d });
  }
  return top.sorted().map((h) => ({ row: h.id, distance: h.distance }));
}

/**
 * Exact top-k of one query over some rows only (`rows`, e.g. the few a
 * selective filter lets through), best first with ties broken by the lower
 * row. Only those rows' distances are computed; `accept`, when given, is
 * asked only of rows that would enter the top k (as searchBlock asks it).
 */
export function searchRows(s: { vectors: Float32Array; dim: number; metric: MetricType; rows: Int32Array; query: Float32Array; k: number; range?: DistanceRange }): RowHit[] {
  const { vectors, dim, ...rest } = s;
  return searchBlockRows({ ...rest, block: floatBlock(vectors, dim) });
}

/** searchRows over a block of any vector type. */
export function searchBlockRows(s: { block: VectorBlock; metric: MetricType; rows: Int32Array; query: Float32Array; k: number; range?: DistanceRange; mhElementBytes?: number; accept?: (row: number) => boolean }): RowHit[] {
  const { block, metric, rows, query, k, accept } = s;
  const score = rowScorer(block, metric, query, s.mhElementBytes);
  const inRange = s.range ? withinRange(metric, s.range) : undefined;
  const top = new TopK<{ id: number; distance: number }>(k, metric);
  for (const row of rows) {
    const d = score(row);
    if (!top.admits(d, row) || (inRange !== undefined && !inRange(d))) continue;
    if (accept !== undefined && !accept(row)) continue;
    top.push({ id: row, distance: d });
  }
  return top.sorted().map((h) => ({ row: h.id, distance: h.distance }));
}
