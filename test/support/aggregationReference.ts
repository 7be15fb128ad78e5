import { mulberry32 } from '../../runtime/vectorIndex/seededRandom.js';
import type { SearchAggregation } from '../../messages/searchAggregation.js';

/**
 * A search aggregation computed the obvious way, from the request as users
 * write it, over all candidate rows at once: the reference the partial,
 * merged aggregation must equal. Written apart from the code under test.
 */

export interface RefRow { pk: number | string; rank: number; score: number; fields: Record<string, unknown> }
export interface RefBucket { key: Array<{ field_name: string; value: unknown }>; count: number; metrics: Record<string, number | null>; hits: Array<number | string>; sub_groups: RefBucket[] }

const isNull = (v: unknown) => v === null || v === undefined;

/** Ascending, nulls last in either direction (first with nullFirst). */
function cmp(a: unknown, b: unknown, desc: boolean, nullFirst = false): number {
  if (isNull(a) || isNull(b)) {
    if (isNull(a) && isNull(b)) return 0;
    return isNull(a) === nullFirst ? -1 : 1;
  }
  const c = (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  return desc ? -c : c;
}

function value(row: RefRow, field: string): unknown {
  return field === '_score' ? row.score : row.fields[field] ?? null;
}

export function referenceAggregate(rows: RefRow[], spec: SearchAggregation): RefBucket[] {
  const groups = new Map<string, RefRow[]>();
  for (const r of rows) {
    const id = JSON.stringify(spec.fields.map((f) => r.fields[f] ?? null));
    groups.set(id, [...(groups.get(id) ?? []), r]);
  }
  // search_size: only the first search_size buckets met in ranking order (by their best-ranked row) are candidates.
  const met = [...groups.entries()].sort((x, y) => Math.min(...x[1].map((r) => r.rank)) - Math.min(...y[1].map((r) => r.rank)));
  const candidates = spec.search_size === undefined ? met : met.slice(0, spec.search_size);
  const buckets = candidates.map(([id, members]) => {
    const metrics: Record<string, number | null> = {};
    for (const [alias, m] of Object.entries(spec.metrics ?? {})) {
      const vals = m.field_name === '*' ? members.map(() => 1) : members.map((r) => value(r, m.field_name)).filter((v) => !isNull(v));
      const nums = vals as number[];
      metrics[alias] = m.op === 'count' ? vals.length
        : nums.length === 0 ? null
          : m.op === 'sum' ? nums.reduce((a, b) => a + b, 0)
            : m.op === 'avg' ? nums.reduce((a, b) => a + b, 0) / nums.length
              : m.op === 'min' ? Math.min(...nums) : Math.max(...nums);
    }
    const key = JSON.parse(id) as unknown[];
    const sort = spec.top_hits?.sort ?? [];
    const hits = spec.top_hits === undefined ? [] : [...members].sort((a, b) => {
      for (const s of sort) { const c = cmp(value(a, s.field_name), value(b, s.field_name), s.direction === 'desc', s.null_first === true); if (c) return c; }
      return a.rank - b.rank;
    }).slice(0, spec.top_hits.size).map((r) => r.pk);
    return {
      best: Math.min(...members.map((r) => r.rank)),
      bucket: {
        key: spec.fields.map((field_name, i) => ({ field_name, value: key[i] })), count: members.length, metrics, hits,
        sub_groups: spec.sub_aggregation ? referenceAggregate(members, spec.sub_aggregation) : [],
      } satisfies RefBucket,
    };
  });
  const keyCmp = (a: RefBucket, b: RefBucket, desc: boolean, nullFirst = false) => {
    for (let i = 0; i < a.key.length; i++) { const c = cmp(a.key[i]!.value, b.key[i]!.value, desc, nullFirst); if (c) return c; }
    return 0;
  };
  buckets.sort((x, y) => {
    for (const o of spec.order ?? []) {
      const desc = o.direction === 'desc';
      const nf = o.null_first === true;
      const c = o.key === '_count' ? cmp(x.bucket.count, y.bucket.count, desc) : o.key === '_key' ? keyCmp(x.bucket, y.bucket, desc, nf) : cmp(x.bucket.metrics[o.key], y.bucket.metrics[o.key], desc, nf);
      if (c) return c;
    }
    return (spec.order ?? []).length === 0 ? x.best - y.best : keyCmp(x.bucket, y.bucket, false);
  });
  return buckets.slice(0, spec.size).map((b) => b.bucket);
}

/** An answer's buckets with hits as their keys, comparable with the reference's. */
export function comparable(buckets: ReadonlyArray<{ key: Array<{ field_name: string; value: unknown }>; count: number; metrics: Record<string, number | null>; hits: ReadonlyArray<{ pk: number | string }>; sub_groups: readonly unknown[] }>): RefBucket[] {
  return buckets.map((b) => ({ key: b.key, count: b.count, metrics: b.metrics, hits: b.hits.map((h) => h.pk), sub_groups: comparable(b.sub_groups as never) }));
}

/** A seeded pseudo-random source (mulberry32, as index builds draw theirs). */
export const seeded = mulberry32;
