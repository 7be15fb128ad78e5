import { boostOf, boostedScore, type ShardBoost } from '../../../messages/boostRanker.js';
import { compileFilter, type Columns, type CompiledFilter } from '../../../messages/filter/index.js';
import type { CollectionSchema, MetricType } from '../../../messages/schema.js';
import type { RowHit } from './bruteForce.js';
import { higherIsBetter } from './distance.js';

/** A shard search's boost with its filters compiled once for the request (bound per segment). */
export interface CompiledBoost { boost: ShardBoost; filters: Array<CompiledFilter | null> }

export function compileBoost(boost: ShardBoost, schema: CollectionSchema): CompiledBoost {
  return { boost, filters: boost.functions.map((f) => (f.filter ? compileFilter(f.filter, schema) : null)) };
}

/**
 * How many candidates a segment ranks for a boosted search of k: Milvus boosts
 * a segment's raw top-k only, so a matching row ranked just past k is lost
 * however strong its weight. Ranking 4×k first keeps every row within the
 * segment's raw top 4k in the running (a weight that lifts a row over more
 * than 3k better ones is a rare, extreme boost), at the cost of four times
 * the candidates the boost re-scores; the merge still keeps k.
 */
export const BOOST_POOL_FACTOR = 4;

export function boostPool(k: number): number {
  return k * BOOST_POOL_FACTOR;
}

/**
 * One segment's candidates boosted (messages/boostRanker.ts) and re-sorted in
 * the metric's order, the best k kept. `columns` are the segment's, the
 * primary key's included, as the search filter binds them.
 */
export function boostRows(cb: CompiledBoost, columns: Columns, hits: readonly RowHit[], metric: MetricType, k: number): RowHit[] {
  if (hits.length === 0) return [];
  const preds = cb.filters.map((f) => (f ? f.bind(columns) : null));
  const sign = higherIsBetter(metric) ? -1 : 1;
  return hits
    .map((h) => {
      const boost = boostOf(cb.boost, (i) => { const p = preds[i]; return !p || p(h.row); }, (field) => columns[field]?.[h.row]);
      return { row: h.row, distance: boostedScore(cb.boost, h.distance, boost) };
    })
    .sort((a, b) => (a.distance !== b.distance ? (a.distance < b.distance ? -sign : sign) : a.row - b.row))
    .slice(0, k);
}
