/**
 * The rerankers of a hybrid search (pure): several searches' hit lists for one
 * query become one ranking, as Milvus's RRFRanker and WeightedRanker make it.
 * - RRF: a hit scores Σ 1 / (k + rank) over the lists it is in (rank from 1).
 * - Weighted: Σ weight × score, a list's score normalised to [0, 1] where
 *   larger is closer when `normScore` (L2 1 − 2·atan(d)/π, IP and BM25 0.5 + atan(d)/π,
 *   COSINE (1 + d)/2), and otherwise the raw distance made larger-is-closer
 *   (L2 negated). A hit missing from a list gains nothing from it.
 * The hybrid hit's distance is its fused score: larger is better, whatever the metrics.
 */
import { ValidationError } from '../../messages/errors.js';
import type { MetricType, PrimaryKey } from '../../messages/schema.js';
import { higherIsBetter } from '../../actors/shared/vector/distance.js';

export type Reranker =
  | { strategy: 'rrf'; k?: number }
  | { strategy: 'weighted'; weights: number[]; normScore?: boolean };

/** Milvus's default smoothing constant for RRF, and its allowed range (0, 16384). */
export const RRF_DEFAULT_K = 60;
const RRF_MAX_K = 16384;

export interface RankedList<H> { metric: MetricType; hits: readonly H[] }
export interface FusedHit<H> { pk: PrimaryKey; score: number; hit: H }

/** Checks a reranker against the number of searches it fuses; throws ValidationError. */
export function checkReranker(r: Reranker | undefined, searches: number): Reranker {
  if (r === undefined) return { strategy: 'rrf', k: RRF_DEFAULT_K };
  if (r === null || typeof r !== 'object') throw new ValidationError('rerank must be {strategy: "rrf", k?} or {strategy: "weighted", weights, normScore?}');
  if (r.strategy === 'rrf') {
    const k = r.k ?? RRF_DEFAULT_K;
    if (typeof k !== 'number' || !Number.isFinite(k) || k <= 0 || k >= RRF_MAX_K) throw new ValidationError(`rrf k must be a number in (0, ${RRF_MAX_K}), got ${String(r.k)}`);
    return { strategy: 'rrf', k };
  }
  if (r.strategy === 'weighted') {
    if (!Array.isArray(r.weights) || r.weights.length !== searches) throw new ValidationError(`weighted rerank needs one weight per search (${searches}), got ${Array.isArray(r.weights) ? r.weights.length : 'none'}`);
    for (const w of r.weights) if (typeof w !== 'number' || !(w >= 0 && w <= 1)) throw new ValidationError(`a rerank weight must be in [0, 1], got ${String(w)}`);
    if (r.normScore !== undefined && typeof r.normScore !== 'boolean') throw new ValidationError('normScore must be a boolean');
    return { strategy: 'weighted', weights: [...r.weights], normScore: r.normScore ?? false };
  }
  throw new ValidationError(`unknown rerank strategy '${String((r as { strategy?: unknown }).strategy)}' (rrf, weighted)`);
}

/** A distance as a larger-is-closer score, normalised to [0, 1] when asked. */
export function scoreOf(metric: MetricType, distance: number, normalise: boolean): number {
  if (!normalise) return higherIsBetter(metric) ? distance : -distance;
  switch (metric) {
    case 'COSINE': return (1 + distance) / 2;
    case 'IP': case 'BM25': return 0.5 + Math.atan(distance) / Math.PI;
    default: return 1 - (2 * Math.atan(distance)) / Math.PI;
  }
}

/**
 * Fuses the lists of one query: the best `limit` hits after `offset`, by fused
 * score (ties by first appearance). A hit's own fields are taken from the
 * first list that holds it.
 */
export function fuse<H extends { pk: PrimaryKey; distance: number }>(lists: readonly RankedList<H>[], rerank: Reranker, limit: number, offset = 0): FusedHit<H>[] {
  return fuseAll(lists, rerank).slice(offset, offset + limit);
}

/**
 * Fuses grouped lists (each search a grouping search) into groups, as
 * Milvus's hybrid search with group_by_field: hits in fused order, each
 * joining the group of its value (null one group too); groups ranked by
 * their best hit, each keeping its best `size`; the `limit` groups after
 * `offset` groups, one after another.
 */
export function fuseGroups<H extends { pk: PrimaryKey; distance: number }>(lists: readonly RankedList<H>[], rerank: Reranker, groupOf: (h: H) => unknown, limit: number, offset: number, size: number): FusedHit<H>[] {
  const groups = new Map<unknown, FusedHit<H>[]>();
  for (const f of fuseAll(lists, rerank)) {
    const key = groupOf(f.hit) ?? null;
    const g = groups.get(key);
    if (g) { if (g.length < size) g.push(f); } else if (groups.size < offset + limit) groups.set(key, [f]);
  }
  return [...groups.values()].slice(offset).flat();
}

function fuseAll<H extends { pk: PrimaryKey; distance: number }>(lists: readonly RankedList<H>[], rerank: Reranker): FusedHit<H>[] {
  const fused = new Map<PrimaryKey, FusedHit<H>>();
  lists.forEach((list, i) => {
    list.hits.forEach((h, rank) => {
      const gain = rerank.strategy === 'rrf'
        ? 1 / ((rerank.k ?? RRF_DEFAULT_K) + rank + 1)
        : rerank.weights[i]! * scoreOf(list.metric, h.distance, rerank.normScore ?? false);
      const f = fused.get(h.pk);
      if (f) f.score += gain; else fused.set(h.pk, { pk: h.pk, score: gain, hit: h });
    });
  });
  // Array.prototype.sort is stable: equal scores keep the order hits were first met.
  return [...fused.values()].sort((a, b) => b.score - a.score);
}
