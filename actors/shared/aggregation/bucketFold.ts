import { DecodeError } from '../../../messages/errors.js';
import { checkGroupCount, type PackedBuckets } from '../../../messages/queryAggregation.js';
import type { AggKeyValue, AggLevel, MetricAcc } from '../../../messages/searchAggregation.js';
import type { ColumnarRows } from '../segment/outputFields.js';
import { addValue, emptyAcc } from './partial.js';

interface Bucket { key: AggKeyValue[]; count: number; metrics: MetricAcc[] }
type Read = (row: number) => unknown;

/**
 * An aggregating query's buckets, folded straight from columns (sealed
 * segments, growing chunks: each matching row read field by field, no row
 * object made) and from other parts' buckets as they cross the bus (columns
 * too, messages/queryAggregation.ts PackedBuckets), merged in place: counts
 * and sums add, min and max keep the extreme, so every level's fold equals
 * one pass over all rows. One group-by field keys its buckets by the value
 * itself; several (or none), by their values' JSON. Past MAX_QUERY_GROUPS
 * buckets the query is refused.
 */
export class BucketFold {
  private readonly buckets = new Map<unknown, Bucket>();

  constructor(private readonly level: AggLevel, private readonly pkName: string, private readonly defaults?: ReadonlyMap<string, unknown>) {}

  /** A function folding row `row` of `src` in (its columns looked up once). */
  adder(src: ColumnarRows): (row: number) => void {
    const { fields, metrics } = this.level;
    const keys = fields.map((f) => this.column(src, f)), values = metrics.map((m) => (m.field === '*' ? () => 1 : this.column(src, m.field)));
    // No array or string is made for a row of a bucket already met under one field (the common case).
    const [first] = keys;
    const bucketOf = keys.length === 1
      ? (row: number) => { const v = first!(row) as AggKeyValue; return this.bucket(v, () => [v]); }
      : (row: number) => {
        let id = '';
        for (const k of keys) id += `${JSON.stringify(k(row))},`;
        return this.bucket(id, () => keys.map((k) => k(row) as AggKeyValue));
      };
    return (row) => {
      const b = bucketOf(row);
      b.count++;
      for (let i = 0; i < values.length; i++) addValue(b.metrics[i]!, values[i]!(row));
    };
  }

  /** Another part's buckets merged in; columns that do not fit this query's (not ours, or cut short) are refused. */
  addPacked(p: PackedBuckets): void {
    const arity = this.level.fields.length, metrics = this.level.metrics.length, count = p.counts?.length ?? -1;
    if (p.arity !== arity || p.metrics !== metrics || count < 0 || p.keys?.length !== arity * count || [p.n, p.sum, p.min, p.max].some((c) => c?.length !== metrics * count)) {
      throw new DecodeError('malformed aggregation buckets: their columns do not fit the query');
    }
    for (let b = 0; b < count; b++) {
      const at = b * arity;
      let id: unknown;
      if (arity === 1) id = p.keys[at];
      else { id = ''; for (let i = at; i < at + arity; i++) id += `${JSON.stringify(p.keys[i])},`; }
      const into = this.bucket(id, () => p.keys.slice(at, at + arity));
      into.count += p.counts[b]!;
      for (let m = 0, i = b * metrics; m < metrics; m++, i++) {
        const acc = into.metrics[m]!, lo = p.min[i] ?? null, hi = p.max[i] ?? null;
        acc.n += p.n[i]!; acc.sum += p.sum[i]!;
        if (lo !== null && (acc.min === null || lo < acc.min)) acc.min = lo;
        if (hi !== null && (acc.max === null || hi > acc.max)) acc.max = hi;
      }
    }
  }

  /** The buckets as columns, for the bus. */
  packed(): PackedBuckets {
    const arity = this.level.fields.length, metrics = this.level.metrics.length;
    const p: PackedBuckets = { arity, metrics, keys: [], counts: [], n: [], sum: [], min: [], max: [] };
    for (const b of this.buckets.values()) {
      for (let i = 0; i < arity; i++) p.keys.push(b.key[i] ?? null);
      p.counts.push(b.count);
      for (const acc of b.metrics) { p.n.push(acc.n); p.sum.push(acc.sum); p.min.push(acc.min); p.max.push(acc.max); }
    }
    return p;
  }

  /** The buckets, for the answer (aggregatedRows). */
  all(): Array<{ key: AggKeyValue[]; count: number; metrics: MetricAcc[] }> {
    return [...this.buckets.values()];
  }

  private bucket(id: unknown, key: () => AggKeyValue[]): Bucket {
    let b = this.buckets.get(id);
    if (!b) {
      checkGroupCount(this.buckets.size + 1);
      this.buckets.set(id, b = { key: key(), count: 0, metrics: this.level.metrics.map(emptyAcc) });
    }
    return b;
  }

  /** A field's value at a row: null when absent, or the field's default (as outputFieldsOf reads it). */
  private column(src: ColumnarRows, field: string): Read {
    if (field === this.pkName) return (row) => src.pks[row];
    const col = src.fields[field], d = this.defaults?.get(field) ?? null;
    return col ? (row) => col[row] ?? d : () => d;
  }
}
