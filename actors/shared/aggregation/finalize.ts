import type { AggHitRow, AggKeyValue, AggLevel, MetricAcc, PartialBucket } from '../../../messages/searchAggregation.js';
import { compareKeys, compareValues } from './order.js';

/** One key component of a bucket, as Milvus returns it. */
export interface AggregationBucketKey { field_name: string; value: AggKeyValue }

/** One bucket of a search aggregation's answer (Milvus's AggregationBucket). */
export interface AggregationBucket<H = AggHitRow> {
  key: AggregationBucketKey[];
  /** Candidates in the bucket. */
  count: number;
  /** Metric values by alias; null where the bucket holds no value of the field. */
  metrics: Record<string, number | null>;
  /** The bucket's top hits (empty without top_hits). */
  hits: H[];
  /** Buckets of the sub-aggregation within this bucket (empty at a leaf). */
  sub_groups: Array<AggregationBucket<H>>;
}

/** A metric's value from its merged state (min and max of a VarChar field are text: only a query's aggregates read one). */
export function metricOf(op: AggLevel['metrics'][number]['op'], acc: MetricAcc): number | string | null {
  switch (op) {
    case 'count': return acc.n;
    case 'sum': return acc.n === 0 ? null : acc.sum;
    case 'avg': return acc.n === 0 ? null : acc.sum / acc.n;
    case 'min': return acc.min;
    case 'max': return acc.max;
  }
}

/**
 * A level's candidate buckets under its `search_size` budget: the first
 * `budget` met in ranking order (lowest best rank first, as a grouping search
 * meets groups); all without a budget. Cut here, once every part is merged,
 * so the budget holds over all shards exactly.
 */
export function candidateBuckets(parts: readonly PartialBucket[], budget: number | undefined): readonly PartialBucket[] {
  if (budget === undefined || parts.length <= budget) return parts;
  return [...parts].sort((a, b) => a.best - b.best).slice(0, budget);
}

/**
 * The merged partial buckets of a level as the answer: its candidate buckets
 * (`search_size`), metric values, then
 * buckets ordered by the level's order keys (none: by their best hit, as a
 * grouping search ranks groups), ties by key ascending, the first `size` kept;
 * each bucket's sub-buckets likewise. `hit` shapes each top hit.
 */
export function finalizeBuckets<H>(parts: readonly PartialBucket[], level: AggLevel, hit: (h: AggHitRow) => H): Array<AggregationBucket<H>> {
  const rows = candidateBuckets(parts, level.searchSize).map((p) => ({ p, metrics: Object.fromEntries(level.metrics.map((m, i) => [m.alias, metricOf(m.op, p.metrics[i]!)])) as Record<string, number | null> }));
  rows.sort((a, b) => {
    for (const o of level.order) {
      const desc = o.direction === 'desc', nulls = o.null_first === true;
      const c = o.key === '_count' ? compareValues(a.p.count, b.p.count, desc)
        : o.key === '_key' ? compareKeys(a.p.key, b.p.key, desc, nulls)
          : compareValues(a.metrics[o.key], b.metrics[o.key], desc, nulls);
      if (c !== 0) return c;
    }
    return level.order.length === 0 ? a.p.best - b.p.best : compareKeys(a.p.key, b.p.key);
  });
  return rows.slice(0, level.size).map(({ p, metrics }) => ({
    key: level.fields.map((field_name, i) => ({ field_name, value: p.key[i] ?? null })),
    count: p.count,
    metrics,
    hits: p.hits.map(hit),
    sub_groups: level.sub ? finalizeBuckets(p.sub, level.sub, hit) : [],
  }));
}
