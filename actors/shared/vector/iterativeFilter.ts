/**
 * Iterative filtering (Milvus's search hint `iterative_filter`): instead of
 * deciding the filter for every row of a segment before the vector search,
 * walk the rows nearest the query first and ask the filter of each row met,
 * until k rows pass or the walk ends. An expensive filter (a `like` over
 * long strings, JSON or array predicates, a long boolean) then costs only
 * the rows visited. Pure: walks are functions, the filter a row predicate.
 */
import type { MetricType } from '../../../messages/schema.js';
import type { RowHit } from './bruteForce.js';
import { higherIsBetter } from './distance.js';
import { compareRanked, TopK } from './topK.js';
import { rowScorer, slotScorer, type VectorBlock } from './vectorBlock.js';

/**
 * Candidates of one query, nearest first within each call, never a row
 * twice; [] once there are no more. An exact walk's calls follow one
 * another in distance order; an index's are only roughly ordered (a later,
 * wider round may find a row nearer than one handed out before).
 */
export type CandidateWalk = () => RowHit[];

type RowFilter = (row: number) => boolean;

/**
 * A row filter that asks `accept` of each row at most once (rows below
 * `count`): the queries of one search walk overlapping rows of a segment,
 * and an index walk that falls back to the exact one meets rows again.
 */
export function memoRows(accept: RowFilter, count: number): RowFilter {
  // 0: not asked yet, 1: passes, 2: refused.
  const known = new Uint8Array(count);
  return (row) => {
    const k = known[row];
    if (k !== 0) return k === 1;
    const ok = accept(row);
    known[row] = ok ? 1 : 2;
    return ok;
  };
}

/**
 * The first `k` candidates of the walk that `accept` lets through, best
 * first; `accept` is asked of no other row. `exact`, when given, answers
 * instead when the walk ends before k passed (an index walk stops at its
 * row budget: the segment's rows are then walked exactly).
 */
export function firstPassing(walk: CandidateWalk, k: number, accept: RowFilter, metric: MetricType, exact?: () => RowHit[]): RowHit[] {
  const out: RowHit[] = [];
  if (k <= 0) return out;
  for (let batch = walk(); batch.length > 0; batch = walk()) {
    for (const h of batch) {
      if (!accept(h.row)) continue;
      out.push(h);
      if (out.length === k) return sortHits(out, metric);
    }
  }
  return exact ? exact() : sortHits(out, metric);
}

function sortHits(hits: RowHit[], metric: MetricType): RowHit[] {
  const cmp = compareRanked(metric);
  return hits.sort((a, b) => cmp({ id: a.row, distance: a.distance }, { id: b.row, distance: b.distance }));
}

/** What the exact walk reads: a segment's (or growing chunk's) vectors and the rows it holds. */
export interface BlockWalk {
  block: VectorBlock;
  /** Rows 0..count-1 (a growing chunk may hold spare capacity after them). */
  count: number;
  metric: MetricType;
  query: Float32Array;
  /** Only these rows, ascending (a scalar index's candidates, a partition key's rows); absent: every row having a vector. */
  rows?: Int32Array;
  /** MHJACCARD: bytes of one MinHash value (vectorBlock.ts rowScorer). */
  mhElementBytes?: number;
}

/**
 * The exact walk: every row's distance computed once (what a plain scan
 * costs), then rows handed out in the order an exact search ranks them
 * (distance, ties to the lower row), in batches doubling from `first`, so
 * the first k passing rows are exactly the filtered search's answer.
 */
export function blockWalk(s: BlockWalk, first: number): CandidateWalk {
  const { ids, dist } = distances(s);
  const n = ids.length, metric = s.metric;
  const higher = higherIsBetter(metric);
  let size = Math.max(1, first), handed = 0;
  // The last row handed out: the next batch starts strictly after it.
  let lastD = 0, lastRow = -1;
  const after = (d: number, row: number) => (lastRow < 0 ? true : d !== lastD ? (higher ? d < lastD : d > lastD) : row > lastRow);
  return () => {
    if (handed >= n) return [];
    const top = new TopK<{ id: number; distance: number }>(Math.min(size, n - handed), metric);
    for (let i = 0; i < n; i++) {
      const d = dist[i]!, row = ids[i]!;
      if (after(d, row) && top.admits(d, row)) top.push({ id: row, distance: d });
    }
    const batch = top.sorted().map((h) => ({ row: h.id, distance: h.distance }));
    handed += batch.length;
    size *= 2;
    const last = batch[batch.length - 1];
    if (last) { lastD = last.distance; lastRow = last.row; }
    return batch;
  };
}

/** Each walked row and its distance (a compact block's scan reads only the rows having a vector). */
function distances(s: BlockWalk): { ids: Int32Array; dist: Float64Array } {
  const { block, count, metric, query } = s;
  if (s.rows) {
    const score = rowScorer(block, metric, query, s.mhElementBytes);
    const ids = s.rows.filter((row) => row < count);
    return { ids, dist: Float64Array.from(ids, (row) => score(row)) };
  }
  if (block.map) {
    const score = slotScorer(block, metric, query, s.mhElementBytes), rows = block.map.rows;
    let m = 0;
    while (m < rows.length && rows[m]! < count) m++;
    const dist = new Float64Array(m);
    for (let slot = 0; slot < m; slot++) dist[slot] = score(slot);
    return { ids: rows.subarray(0, m), dist };
  }
  const score = rowScorer(block, metric, query, s.mhElementBytes);
  const ids = new Int32Array(count), dist = new Float64Array(count);
  for (let row = 0; row < count; row++) { ids[row] = row; dist[row] = score(row); }
  return { ids, dist };
}

/** Candidates a walk's first batch holds for a search of k: a few times k, so a filter passing half the rows is done in one. */
export function firstBatch(k: number): number {
  return Math.max(2 * k, 32);
}

/**
 * At most this share of a segment's rows is taken from an index walk; past
 * it the exact walk is cheaper than ever wider index rounds (an HNSW round
 * of n candidates searches with ef = n), and answers exactly.
 */
export const INDEX_WALK_SHARE = 1 / 8;
