import type { CollectionSchema } from '../../../messages/schema.js';
import type { QueryAggregation } from '../../../messages/queryAggregation.js';
import type { PartialBucket } from '../../../messages/searchAggregation.js';
import { formatTimestamptz } from '../../../messages/timestamptz.js';
import { metricOf } from './finalize.js';
import { compareKeys, compareValues } from './order.js';

/**
 * An aggregating query's answer from its buckets merged over every shard:
 * one row per group in ascending order of the group-by values (nulls last),
 * or by the query's order of output columns (nulls last either way, ties in
 * key order), `offset` groups skipped and at most `limit` kept (0: all).
 * Without group-by fields the answer is one row even over no rows (count 0,
 * other aggregates null), as SQL answers an aggregate over an empty table.
 * Timestamptz values (group keys, min and max) are ordered as instants and
 * shown as RFC 3339 text in `tz`.
 */
export function aggregatedRows(buckets: ReadonlyArray<Pick<PartialBucket, 'key' | 'metrics'>>, agg: QueryAggregation, schema: CollectionSchema, tz: string, limit: number, offset: number): Array<Record<string, unknown>> {
  const { level, outputs, order } = agg;
  const all = level.fields.length === 0 && buckets.length === 0
    ? [{ key: [], metrics: level.metrics.map(() => ({ n: 0, sum: 0, min: null, max: null })) }]
    : [...buckets].sort((a, b) => compareKeys(a.key, b.key));
  const columns = all.map((b) => outputs.map((o) => (o.op === undefined ? b.key[level.fields.indexOf(o.field)] ?? null : metricOf(o.op, b.metrics[level.metrics.findIndex((m) => m.alias === o.name)]!))));
  // A stable sort: groups equal on the order keep their key order.
  if (order.length > 0) columns.sort((a, b) => { for (const k of order) { const c = compareValues(a[k.output], b[k.output], k.desc); if (c !== 0) return c; } return 0; });
  const instant = outputs.map((o) => (o.op === undefined || o.op === 'min' || o.op === 'max') && schema.fields.some((f) => f.name === o.field && f.dataType === 'Timestamptz'));
  return columns.slice(offset, limit > 0 ? offset + limit : undefined).map((values) => {
    const row: Record<string, unknown> = {};
    outputs.forEach((o, i) => { const v = values[i]; row[o.name] = instant[i] && typeof v === 'number' ? formatTimestamptz(v, tz) : v; });
    return row;
  });
}
