import type { RowHit } from '../../shared/vector/bruteForce.js';
import { blockWalk, firstBatch, firstPassing, INDEX_WALK_SHARE, type CandidateWalk } from '../../shared/vector/iterativeFilter.js';
import type { SearchShape } from '../../shared/vector/searchShape.js';
import type { VectorBlock } from '../../shared/vector/vectorBlock.js';

/** An ANN index's walk of one query (runtime/vectorIndex/indexWalk.ts): about `first` rows first, about `limit` at most. */
export type SegmentWalk = (query: Float32Array, first: number, limit: number) => CandidateWalk;

/** What iterative filtering reads of one sealed segment. */
export interface IterativeSegment {
  count: number;
  vecs: VectorBlock;
  /** The segment's index walk; null: no index, the rows are walked exactly. */
  walk: SegmentWalk | null;
  /** The read's row filter (filter, deletes, TSO, expiry, presence), each row's answer cached (iterativeFilter.ts memoRows). */
  accept: (row: number) => boolean;
  /** A keyed index's rows of the key the filter pins (partition key isolation): the exact walk reads only these. */
  scope?: Int32Array;
  /** The rows a scalar index lets through (filterPlanner.ts), ascending. */
  candidates?: Int32Array;
}

/**
 * Up to this share of a segment's rows, a scalar index's candidates are
 * walked exactly rather than the ANN index: computing their distances is
 * cheaper than index rounds (sealedSearch.ts scans few passing rows alike).
 */
const FEW_CANDIDATES_SHARE = 0.1;

/**
 * One segment's ranking of one query under iterative filtering: the index
 * walked nearest first and the filter asked of each row met, until k pass;
 * when the walk reaches its share of the segment first (a filter refusing
 * nearly every row near the query), the rows are walked exactly instead, the
 * answers already known reused. Without an index (or with few scalar-index
 * candidates) the exact walk alone: the same hits as a filtered scan.
 */
export function iterativeRank(s: IterativeSegment, q: Float32Array, shape: SearchShape): (k: number) => RowHit[] {
  const { count, vecs, walk, accept } = s, metric = shape.metric;
  const few = s.candidates !== undefined && (walk === null || s.candidates.length <= count * FEW_CANDIDATES_SHARE);
  const rows = few ? s.candidates : s.scope;
  const mh = shape.mhElementBytes !== undefined ? { mhElementBytes: shape.mhElementBytes } : {};
  return (k) => {
    const first = firstBatch(k);
    const exact = () => firstPassing(blockWalk({ block: vecs, count, metric, query: q, ...(rows ? { rows } : {}), ...mh }, first), k, accept, metric);
    if (walk === null || few) return exact();
    const limit = Math.max(first, Math.ceil((s.scope?.length ?? count) * INDEX_WALK_SHARE));
    return firstPassing(walk(q, first, limit), k, accept, metric, exact);
  };
}
