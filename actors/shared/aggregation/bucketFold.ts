import type { AggKeyValue, AggLevel, MetricAcc, PartialBucket } from '../../../messages/searchAggregation.js';
import type { ColumnarRows } from '../segment/outputFields.js';
import { addValue, emptyAcc } from './partial.js';

interface Bucket { key: AggKeyValue[]; count: number; metrics: MetricAcc[] }
type Read = (row: number) => unknown;

/**
 * An aggregating query's buckets folded straight from columns (sealed
 * segments, growing chunks): each matching row is read field by field, no row
 * object made, and the buckets come out as partials that merge exactly with
 * other parts' (partial.ts). One group-by field keys its buckets by the value
 * itself; several (or none), by their values' JSON.
 */
export class BucketFold {
  private readonly buckets = new Map<unknown, Bucket>();

  constructor(private readonly level: AggLevel, private readonly pkName: string, private readonly defaults?: ReadonlyMap<string, unknown>) {}

  /** A function folding row `row` of `src` in (its columns looked up once). */
  adder(src: ColumnarRows): (row: number) => void {
    const { fields, metrics } = this.level;
    const keys = fields.map((f) => this.column(src, f)), values = metrics.map((m) => (m.field === '*' ? () => 1 : this.column(src, m.field)));
    const found = (id: unknown, key: () => AggKeyValue[]): Bucket => {
      let b = this.buckets.get(id);
      if (!b) this.buckets.set(id, b = { key: key(), count: 0, metrics: metrics.map(emptyAcc) });
      return b;
    };
    // No array or string is made for a row of a bucket already met under one field (the common case).
    const [first] = keys;
    const bucketOf = keys.length === 1
      ? (row: number) => { const v = first!(row) as AggKeyValue; return found(v, () => [v]); }
      : (row: number) => {
        let id = '';
        for (const k of keys) id += `${JSON.stringify(k(row))},`;
        return found(id, () => keys.map((k) => k(row) as AggKeyValue));
      };
    return (row) => {
      const b = bucketOf(row);
      b.count++;
      for (let i = 0; i < values.length; i++) addValue(b.metrics[i]!, values[i]!(row));
    };
  }

  /** The buckets as partials (no rank, hits or sub-buckets: a query's aggregation has none). */
  partials(): PartialBucket[] {
    return [...this.buckets.values()].map((b) => ({ key: b.key, count: b.count, best: 0, metrics: b.metrics, hits: [], sub: [] }));
  }

  /** A field's value at a row: null when absent, or the field's default (as outputFieldsOf reads it). */
  private column(src: ColumnarRows, field: string): Read {
    if (field === this.pkName) return (row) => src.pks[row];
    const col = src.fields[field], d = this.defaults?.get(field) ?? null;
    return col ? (row) => col[row] ?? d : () => d;
  }
}
