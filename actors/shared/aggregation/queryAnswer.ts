import type { CollectionSchema } from '../../../messages/schema.js';
import type { QueryAggregation } from '../../../messages/queryAggregation.js';
import type { PartialBucket } from '../../../messages/searchAggregation.js';
import { formatTimestamptz } from '../../../messages/timestamptz.js';
import { metricOf } from './finalize.js';
import { compareKeys } from './order.js';

/**
 * An aggregating query's answer from its buckets merged over every shard:
 * one row per group in ascending order of the group-by values (nulls last),
 * `offset` groups skipped and at most `limit` kept (0: all). Without group-by
 * fields the answer is one row even over no rows (count 0, other aggregates
 * null), as SQL answers an aggregate over an empty table. Timestamptz values
 * (group keys, min and max) are shown as RFC 3339 text in `tz`.
 */
export function aggregatedRows(buckets: readonly PartialBucket[], agg: QueryAggregation, schema: CollectionSchema, tz: string, limit: number, offset: number): Array<Record<string, unknown>> {
  const { level, outputs } = agg;
  const all = level.fields.length === 0 && buckets.length === 0
    ? [{ key: [], count: 0, best: 0, metrics: level.metrics.map(() => ({ n: 0, sum: 0, min: null, max: null })), hits: [], sub: [] }]
    : [...buckets].sort((a, b) => compareKeys(a.key, b.key));
  const page = all.slice(offset, limit > 0 ? offset + limit : undefined);
  const isInstant = (field: string) => schema.fields.some((f) => f.name === field && f.dataType === 'Timestamptz');
  return page.map((b) => {
    const row: Record<string, unknown> = {};
    for (const o of outputs) {
      const i = o.op === undefined ? level.fields.indexOf(o.field) : level.metrics.findIndex((m) => m.alias === o.name);
      const v = o.op === undefined ? b.key[i] ?? null : metricOf(o.op, b.metrics[i]!);
      const instant = typeof v === 'number' && (o.op === undefined || o.op === 'min' || o.op === 'max') && isInstant(o.field);
      row[o.name] = instant ? formatTimestamptz(v, tz) : v;
    }
    return row;
  });
}
