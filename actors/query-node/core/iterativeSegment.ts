import type { RowHit } from '../../shared/vector/bruteForce.js';
import { blockWalk, firstBatch, firstPassing, INDEX_WALK_SHARE, type CandidateWalk } from '../../shared/vector/iterativeFilter.js';
import type { SearchShape } from '../../shared/vector/searchShape.js';
import type { VectorBlock } from '../../shared/vector/vectorBlock.js';

/** An ANN index's walk of one query (runtime/vectorIndex/indexWalk.ts): about `first` rows first, about `limit` at most. */
export type SegmentWalk = (query: Float32Array, first: number, limit: number) => CandidateWalk;

/** An index's filtered search that asks `accept` only of the rows it reaches, each once per query (HNSW's graph search). */
export type LazyFilteredSearch = (query: Float32Array, k: number, accept: (row: number) => boolean) => RowHit[];

/** What iterative filtering reads of one sealed segment having an ANN index. */
export interface IterativeSegment {
  count: number;
  vecs: VectorBlock;
  /**
   * The index's own filtered search, when it asks the filter only of the rows
   * it reaches (vectorIndex.ts filtersLazily): one search, no rounds. Taken
   * before `walk`.
   */
  filtered?: LazyFilteredSearch;
  /** The index's walk in unfiltered rounds, for an index whose filtered search is not lazy (IVF, DISKANN). */
  walk?: SegmentWalk;
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
 * One segment's ranking of one query under iterative filtering. An index
 * whose filtered search is lazy (HNSW) runs it once, the filter asked of the
 * nodes it reaches: the graph search explores as deep as the standard
 * filtered search, so recall is the same, while the rows it never reaches
 * are never asked (a tight filter is not decided for the whole segment
 * first). Any other index is walked nearest first in rounds and the filter
 * asked of each row met, until k pass. When either ends short of k (the
 * round walk at its share of the segment, the graph search out of reachable
 * rows), the rows are walked exactly, the answers already known reused.
 * Few scalar-index candidates are walked exactly alone.
 */
export function iterativeRank(s: IterativeSegment, q: Float32Array, shape: SearchShape): (k: number) => RowHit[] {
  const { count, vecs, walk, filtered, accept } = s, metric = shape.metric;
  const few = s.candidates !== undefined && s.candidates.length <= count * FEW_CANDIDATES_SHARE;
  const rows = few ? s.candidates : s.scope;
  const mh = shape.mhElementBytes !== undefined ? { mhElementBytes: shape.mhElementBytes } : {};
  return (k) => {
    const first = firstBatch(k);
    const exact = () => firstPassing(blockWalk({ block: vecs, count, metric, query: q, ...(rows ? { rows } : {}), ...mh }, first), k, accept, metric);
    if (few || (!filtered && !walk)) return exact();
    if (filtered) {
      const hits = filtered(q, k, accept);
      return hits.length >= k ? hits : exact();
    }
    const limit = Math.max(first, Math.ceil((s.scope?.length ?? count) * INDEX_WALK_SHARE));
    return firstPassing(walk!(q, first, limit), k, accept, metric, exact);
  };
}
