import { boostPool } from './boostSegment.js';
import { bm25DocWeight, type Bm25Params, type QueryTerms } from '../../../messages/bm25.js';
import type { RowHit } from './bruteForce.js';
import { withinRange, type DistanceRange } from './distanceRange.js';
import { collectGroups, type GroupBySpec } from './groupBy.js';
import type { PostingList, SparsePostings } from './sparsePostings.js';

/** How a row's value for a term weighs: as is (IP), or BM25's saturated, length-normalised tf. */
export type SparseScoring = { metric: 'IP' } | { metric: 'BM25'; params: Bm25Params; avgdl: number };

/**
 * Top-k over inverted lists, term at a time, with MaxScore-style pruning
 * (what Milvus's SPARSE_WAND and DAAT_MAXSCORE are for), exact: the answer
 * is the one scoring every row would give (`exhaustive`), scores included.
 *
 * Terms go in order of their bound (the most a row can gain from them),
 * largest first. Once k accepted rows are known, the k-th best partial score
 * θ is a floor for the final k-th score; when the terms left could add less
 * than θ in all, a row not scored yet cannot reach the top k, so the rest of
 * the lists only add to rows already scored, and a row whose score plus the
 * terms left is below θ is dropped. Long lists of common terms come last and
 * are then probed for the few rows still in the running instead of read
 * whole. Bounds need non-negative contributions: a query or list with a
 * negative value (plain IP allows them) is scored exhaustively.
 *
 * Every row sums its terms in the same order either way, so pruned and
 * exhaustive scores are equal to the last bit; ties go to the lower row.
 */
export function searchPostings(p: SparsePostings, q: QueryTerms, scoring: SparseScoring, k: number, accept: ((row: number) => boolean) | undefined, keep?: (score: number) => boolean): RowHit[] {
  return search(p, q, scoring, k, accept, keep === undefined, keep);
}

/** The same answer, every row of every list scored: the reference the pruning is checked and measured against. */
export function exhaustive(p: SparsePostings, q: QueryTerms, scoring: SparseScoring, k: number, accept: ((row: number) => boolean) | undefined): RowHit[] {
  return search(p, q, scoring, k, accept, false);
}

/**
 * The hits of one segment or chunk for a search's shape: the top k, only
 * scores inside a range search's bounds (then every row is scored: a bound
 * from above leaves out the best, which pruning relies on), or the best
 * groups by a field's value (collectGroups asks for more rows until found).
 */
export function sparseHits(p: SparsePostings, count: number, q: QueryTerms, scoring: SparseScoring, shape: SparseShape, accept: ((row: number) => boolean) | undefined, valueOf: (row: number) => unknown, boost?: (pool: RowHit[]) => RowHit[]): Array<RowHit & { group?: unknown }> {
  const keep = shape.range ? withinRange('IP', shape.range) : undefined;
  const rank = (k: number) => searchPostings(p, q, scoring, k, accept, keep);
  // A boosted search ranks a larger pool, boosts it and keeps k (shared/vector/boostSegment.ts).
  if (!shape.group) return boost ? boost(rank(boostPool(shape.k))) : rank(shape.k);
  return collectGroups(count, valueOf, shape.group, shape.k, rank, false).map((h) => ({ ...h, group: valueOf(h.row) ?? null }));
}

/** What a sparse search asks of each segment: k hits (or groups), and optionally a score range. */
export interface SparseShape { k: number; range?: DistanceRange; group?: GroupBySpec }

interface Term { list: PostingList; w: number; bound: number; index: number }

/**
 * Scratch space reused across calls (searches are synchronous): scores by
 * row, each row's state, and the rows dropped (to reset them after).
 */
let scores = new Float64Array(0);
let state = new Int8Array(0);
const dropped: number[] = [];
/** Not scored yet; scored (acceptance unknown); out of the running; scored and accepted. Live states are odd. */
const UNSEEN = 0, LIVE = 1, DROPPED = 2, ACCEPTED = 3;
const isLive = (row: number) => (state[row]! & 1) === 1;

function search(p: SparsePostings, q: QueryTerms, scoring: SparseScoring, k: number, accept: ((row: number) => boolean) | undefined, prune: boolean, keep?: (score: number) => boolean): RowHit[] {
  if (k <= 0) return [];
  const terms = termsOf(p, q, scoring);
  if (terms.length === 0) return [];
  const n = p.lengths.length;
  if (scores.length < n) { scores = new Float64Array(n); state = new Int8Array(n); }
  const canPrune = prune && terms.every((t) => t.w > 0 && t.list.minValue > 0);
  // left[i]: the most the terms from i on can add to any row.
  const left = new Float64Array(terms.length + 1);
  for (let i = terms.length - 1; i >= 0; i--) left[i] = left[i + 1]! + terms[i]!.bound;
  const weigh = weigher(scoring, p.lengths);
  let live: number[] = [];
  try {
    let open = true;
    for (let ti = 0; ti < terms.length; ti++) {
      const { list, w } = terms[ti]!;
      if (canPrune && ti > 0) {
        const theta = kthAccepted(live, k, accept);
        if (theta !== undefined) {
          if (open && left[ti]! < theta) open = false;
          if (!open) live = stillInRunning(live, left[ti]!, theta);
        }
      }
      if (open) {
        for (let j = 0; j < list.rows.length; j++) {
          const row = list.rows[j]!;
          if (state[row] === UNSEEN) { state[row] = LIVE; live.push(row); }
          scores[row]! += w * weigh(list.values[j]!, row);
        }
      } else {
        addToLive(list, w, weigh, live);
      }
    }
    return topK(live, k, accept, keep);
  } finally {
    // Only the rows touched were written: reset them.
    for (const row of live) { scores[row] = 0; state[row] = UNSEEN; }
    for (const row of dropped) { scores[row] = 0; state[row] = UNSEEN; }
    dropped.length = 0;
  }
}

/** The query's terms that have a list, with their bounds, largest bound first (ties by query position). */
function termsOf(p: SparsePostings, q: QueryTerms, scoring: SparseScoring): Term[] {
  const out: Term[] = [];
  for (let i = 0; i < q.indices.length; i++) {
    const list = p.lists.get(q.indices[i]!);
    if (!list) continue;
    const w = q.weights[i]!;
    const best = scoring.metric === 'IP' ? list.maxValue : bm25DocWeight(list.maxValue, list.minLength, scoring.avgdl, scoring.params);
    out.push({ list, w, bound: w * best, index: i });
  }
  return out.sort((a, b) => b.bound - a.bound || a.index - b.index);
}

/** A row's weight for a term it holds with value x. BM25's is largest at the largest tf and shortest row, so bounds hold. */
function weigher(scoring: SparseScoring, lengths: Float64Array): (x: number, row: number) => number {
  if (scoring.metric === 'IP') return (x) => x;
  const { params, avgdl } = scoring;
  return (x, row) => bm25DocWeight(x, lengths[row]!, avgdl, params);
}

/** Adds a term to the rows still in the running: by probing the list when they are few, else by reading it. */
function addToLive(list: PostingList, w: number, weigh: (x: number, row: number) => number, live: number[]): void {
  const rows = list.rows;
  if (live.length * 16 < rows.length) {
    for (const row of live) {
      const j = lowerBound(rows, row);
      if (j < rows.length && rows[j] === row) scores[row]! += w * weigh(list.values[j]!, row);
    }
    return;
  }
  for (let j = 0; j < rows.length; j++) {
    const row = rows[j]!;
    if (isLive(row)) scores[row]! += w * weigh(list.values[j]!, row);
  }
}

function lowerBound(rows: Int32Array, row: number): number {
  let lo = 0, hi = rows.length;
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (rows[mid]! < row) lo = mid + 1; else hi = mid; }
  return lo;
}

function drop(row: number): void { state[row] = DROPPED; dropped.push(row); }

/** Rows that can still reach θ with the terms left; the others are marked dropped. */
function stillInRunning(live: number[], left: number, theta: number): number[] {
  const out: number[] = [];
  for (const row of live) {
    if (scores[row]! + left < theta) drop(row);
    else out.push(row);
  }
  return out;
}

/** The k-th best partial score among accepted rows, or undefined while fewer than k are accepted. Rejected rows are dropped from `live` in place. */
function kthAccepted(live: number[], k: number, accept: ((row: number) => boolean) | undefined): number | undefined {
  if (accept) {
    let kept = 0;
    for (const row of live) {
      if (state[row] !== ACCEPTED) { if (!accept(row)) { drop(row); continue; } state[row] = ACCEPTED; }
      live[kept++] = row;
    }
    live.length = kept;
  }
  if (live.length < k) return undefined;
  const s = Float64Array.from(live, (row) => scores[row]!);
  return select(s, s.length - k);
}

/** The value that would sit at position `i` of `a` sorted ascending (quickselect; `a` is reordered). */
function select(a: Float64Array, i: number): number {
  let lo = 0, hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let l = lo, h = hi;
    while (l <= h) {
      while (a[l]! < pivot) l++;
      while (a[h]! > pivot) h--;
      if (l <= h) { const t = a[l]!; a[l] = a[h]!; a[h] = t; l++; h--; }
    }
    if (i <= h) hi = h; else if (i >= l) lo = l; else return a[i]!;
  }
  return a[i]!;
}

/** The best k accepted rows (inside the range, if any), best first, ties by row. */
function topK(live: number[], k: number, accept: ((row: number) => boolean) | undefined, keep: ((score: number) => boolean) | undefined): RowHit[] {
  const hits: RowHit[] = [];
  for (const row of live) {
    if ((accept === undefined || state[row] === ACCEPTED || accept(row)) && (keep === undefined || keep(scores[row]!))) hits.push({ row, distance: scores[row]! });
  }
  if (hits.length > 4 * k) {
    // Cut to the rows at or above the k-th score before sorting: few survive.
    const s = Float64Array.from(hits, (h) => h.distance);
    const kth = select(s, s.length - k);
    return hits.filter((h) => h.distance >= kth).sort((a, b) => b.distance - a.distance || a.row - b.row).slice(0, k);
  }
  return hits.sort((a, b) => b.distance - a.distance || a.row - b.row).slice(0, k);
}
