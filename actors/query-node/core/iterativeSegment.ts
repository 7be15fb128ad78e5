import { searchBlock, searchBlockRows, type RowHit } from '../../shared/vector/bruteForce.js';
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
   * it reaches (vectorIndex.ts filtersLazily): one search, no rounds, for
   * the filters that the walk's first round shows to pass neither about half
   * the rows nor very few of them.
   */
  filtered?: LazyFilteredSearch;
  /** The index's walk in unfiltered rounds (HNSW, the IVF family, DISKANN). */
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
 * A filter that lets k rows through within the first 2k rows of the walk's
 * first round passes about half the rows near the query: that round (2 x ef
 * rows over HNSW) then holds about ef passing rows, as many as a filtered
 * search keeps, so its first k passing rows are as good an answer.
 */
const LOOSE_ASKS_PER_HIT = 2;

/**
 * Under this share of the first round passing, the segment is scanned (every
 * distance computed, the filter asked only of rows entering the top k), as
 * the standard search scans a filter passing under 5% (sealedSearch.ts): the
 * rounds would go deep into a weak graph and miss rows (bench iterativeFilter
 * at M 4 and 1%: recall 0.67), the filtered graph search wade through refused
 * rows (0.7-0.9x the standard search).
 */
const SCAN_BELOW_SHARE = 0.05;

/**
 * One segment's ranking of one query under iterative filtering: the index
 * walked nearest first and the filter asked of each row met. The walk's
 * first round decides how: a filter passing about half the rows near the
 * query is done within it (a few rows asked); one passing fewer rows but k
 * within the round, on an index whose filtered search is lazy (HNSW), gets
 * that search (recall: the rounds would stop at the first k passing rows of
 * a shallower unfiltered search than the filtered one explores), the rows
 * already asked answered from the cache; one passing fewer than k in the
 * round is walked on in wider rounds, which ask far fewer rows than a graph
 * search finding ef passing ones (bench iterativeFilter), unless it passes
 * under 5% of the round's rows: the segment is then scanned, exactly.
 * When the walk reaches its share of the segment first, or the filtered
 * search ends short of k, the rows are walked exactly instead. Without a
 * walk, the filtered search alone; few scalar-index candidates are walked
 * exactly alone.
 */
export function iterativeRank(s: IterativeSegment, q: Float32Array, shape: SearchShape): (k: number) => RowHit[] {
  const { count, vecs, walk, filtered, accept } = s, metric = shape.metric;
  const few = s.candidates !== undefined && s.candidates.length <= count * FEW_CANDIDATES_SHARE;
  const rows = few ? s.candidates : s.scope;
  const mh = shape.mhElementBytes !== undefined ? { mhElementBytes: shape.mhElementBytes } : {};
  return (k) => {
    const first = firstBatch(k);
    const exact = () => firstPassing(blockWalk({ block: vecs, count, metric, query: q, ...(rows ? { rows } : {}), ...mh }, first), k, accept, metric);
    const scanned = (kk: number) => (rows
      ? searchBlockRows({ block: vecs, metric, rows, query: q, k: kk, accept, ...mh })
      : searchBlock({ block: vecs, count, metric, queries: [q], k: kk, accept, ...mh })[0]!);
    const searched = () => {
      const hits = filtered!(q, k, accept);
      return hits.length >= k ? hits : exact();
    };
    if (few || (!filtered && !walk)) return exact();
    if (!walk) return searched();
    const limit = Math.max(first, Math.ceil((s.scope?.length ?? count) * INDEX_WALK_SHARE));
    const rounds = walk(q, first, limit), head = rounds();
    if (filtered && k > 0) {
      const asked = asksForK(head, k, accept);
      if (asked > LOOSE_ASKS_PER_HIT * k && asked <= head.length) return searched();
      if (asked > head.length && passingIn(head, accept) < head.length * SCAN_BELOW_SHARE) return scanned(k);
    }
    // The first round again (its rows' answers cached), then the later ones.
    let replay: RowHit[] | null = head;
    const again: CandidateWalk = () => { const batch = replay ?? rounds(); replay = null; return batch; };
    return firstPassing(again, k, accept, metric, exact);
  };
}

/** Rows of `batch` that pass (each answer already cached when asksForK asked them all). */
function passingIn(batch: RowHit[], accept: (row: number) => boolean): number {
  let passed = 0;
  for (const h of batch) if (accept(h.row)) passed++;
  return passed;
}

/** Rows of `batch` asked, in order, until k pass; past its length when fewer than k pass in it. */
function asksForK(batch: RowHit[], k: number, accept: (row: number) => boolean): number {
  let passed = 0;
  for (let i = 0; i < batch.length; i++) if (accept(batch[i]!.row) && ++passed === k) return i + 1;
  return batch.length + 1;
}
