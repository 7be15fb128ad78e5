import type { CandidateWalk } from '../../actors/shared/vector/iterativeFilter.js';

/** One round of a widening walk: the index's best `n` rows (its round-th widening of its own knobs), and whether it read the whole index. */
export type WideningRound = (n: number, round: number) => { hits: Array<{ row: number; distance: number }>; whole: boolean };

/**
 * An index walk for iterative filtering (actors/shared/vector/iterativeFilter.ts)
 * built from plain searches: round r asks the index for its best `first x 2^r`
 * rows, unfiltered, and hands out those not handed out before, nearest
 * first. An index that keeps no cursor (hnswlib's graph search, IVF's
 * probes) is walked this way: each round costs about as much as a search
 * of that size, so all rounds together about twice the last. The walk ends
 * when a round read the whole index or the next would ask more than `limit` rows.
 */
export function wideningWalk(first: number, limit: number, round: WideningRound): CandidateWalk {
  const seen = new Set<number>();
  let n = Math.max(1, first), r = 0, done = false;
  return () => {
    while (!done && n <= Math.max(limit, first)) {
      const { hits, whole } = round(n, r);
      done = whole;
      n *= 2; r++;
      const fresh = hits.filter((h) => !seen.has(h.row));
      for (const h of fresh) seen.add(h.row);
      if (fresh.length > 0) return fresh;
    }
    return [];
  };
}
