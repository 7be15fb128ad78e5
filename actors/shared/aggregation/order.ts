import type { AggHitRow, AggKeyValue, SearchAggregationSort } from '../../../messages/searchAggregation.js';

/**
 * Orders of a search aggregation. Values compare as their type does (false
 * before true, strings by code unit); null, an empty field or metric, sorts
 * last whichever the direction, as Milvus's AggregationOrder does by default,
 * or first with `null_first`.
 */

/** Two values in ascending order, nulls last (first with `nullFirst`); `desc` reverses non-null values only. */
export function compareValues(a: unknown, b: unknown, desc = false, nullFirst = false): number {
  const an = a === null || a === undefined, bn = b === null || b === undefined;
  if (an || bn) return an === bn ? 0 : (an ? 1 : -1) * (nullFirst ? -1 : 1);
  const c = (a as number | string | boolean) < (b as number | string | boolean) ? -1 : (a as number | string | boolean) > (b as number | string | boolean) ? 1 : 0;
  return desc ? -c : c;
}

/** Two composite keys, component by component. */
export function compareKeys(a: readonly AggKeyValue[], b: readonly AggKeyValue[], desc = false, nullFirst = false): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareValues(a[i], b[i], desc, nullFirst);
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * A bucket's top hits in order: by the sort keys (`_score` is the hit's
 * distance or score), then by rank among the candidates, which is the
 * search's own order (and the whole order when there are no sort keys).
 */
export function compareHits(a: AggHitRow, b: AggHitRow, sort: readonly SearchAggregationSort[]): number {
  for (const s of sort) {
    const va = s.field_name === '_score' ? a.score : a.fields[s.field_name];
    const vb = s.field_name === '_score' ? b.score : b.fields[s.field_name];
    const c = compareValues(va, vb, s.direction === 'desc', s.null_first === true);
    if (c !== 0) return c;
  }
  return a.rank - b.rank;
}
