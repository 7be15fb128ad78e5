import type { AggHitRow, AggKeyValue, AggLevel, AggregateRequest, MetricAcc, PartialBucket } from '../../../messages/searchAggregation.js';
import { compareHits } from './order.js';

/**
 * Partial search aggregates (messages/searchAggregation.ts), computed where
 * rows are: each query node over its sealed segments' candidate rows, each
 * delegator over its growing rows, then merged by the delegator per shard and
 * by the client over shards. Every part merges exactly: counts and sums add,
 * min and max take the extreme, avg is kept as sum and count, and a bucket's
 * top hits are the best of its parts' top hits. No bucket is dropped before
 * the client's final ordering, so the merge equals one pass over all rows.
 */

/** A row as the aggregation reads it: its key, its place among the candidates, its score and fields. */
export interface AggRow { pk: number | string; rank: number; score: number; fields: Record<string, unknown> }

/** The rows of a query (rows of the candidate keys only) joined with their ranks and scores. */
export function candidateRows(rows: ReadonlyArray<{ pk: number | string; fields: Record<string, unknown> }>, req: AggregateRequest): AggRow[] {
  const rankOf = new Map<number | string, number>();
  req.pks.forEach((pk, i) => rankOf.set(pk, i));
  const out: AggRow[] = [];
  for (const r of rows) {
    const rank = rankOf.get(r.pk);
    if (rank !== undefined) out.push({ pk: r.pk, rank, score: req.scores[rank]!, fields: r.fields });
  }
  return out;
}

/** A row's bucket key at a level: its values of the level's fields, null where it has none. */
export function keyOf(row: AggRow, level: AggLevel): AggKeyValue[] {
  return level.fields.map((f) => (row.fields[f] ?? null) as AggKeyValue);
}

/** A metric's state before any value. */
export const emptyAcc = (): MetricAcc => ({ n: 0, sum: 0, min: null, max: null });

/** The value a metric reads from a row: the score, a numeric field (null when empty), or 1 for count('*'). */
function metricValue(row: AggRow, field: string): unknown {
  if (field === '*') return 1;
  if (field === '_score') return row.score;
  return row.fields[field] ?? null;
}

/** One value into a metric's state: nulls skipped, numbers summed, numbers and text kept as extremes. */
export function addValue(acc: MetricAcc, v: unknown): void {
  if (v === null || v === undefined) return;
  acc.n++;
  if (typeof v === 'number') acc.sum += v;
  else if (typeof v !== 'string') return; // count of a Bool field: only n matters
  acc.min = acc.min === null || v < acc.min ? v : acc.min;
  acc.max = acc.max === null || v > acc.max ? v : acc.max;
}

/** The lesser (`sign` -1) or greater (1) of two partial extremes, either possibly absent. */
function extreme(a: number | string | null, b: number | string | null, sign: 1 | -1): number | string | null {
  if (a === null) return b;
  if (b === null) return a;
  return (sign < 0 ? b < a : b > a) ? b : a;
}

function mergeAcc(a: MetricAcc, b: MetricAcc): MetricAcc {
  return {
    n: a.n + b.n, sum: a.sum + b.sum,
    min: extreme(a.min, b.min, -1),
    max: extreme(a.max, b.max, 1),
  };
}

/** The best `size` of two hit lists each already in order (a bucket's top hits). */
function topHits(level: AggLevel, lists: ReadonlyArray<readonly AggHitRow[]>): AggHitRow[] {
  const spec = level.topHits;
  if (!spec) return [];
  return lists.flat().sort((a, b) => compareHits(a, b, spec.sort)).slice(0, spec.size);
}

/** One level's buckets over some rows, sub-levels included. */
export function aggregateRows(rows: readonly AggRow[], level: AggLevel): PartialBucket[] {
  const groups = new Map<string, { key: AggKeyValue[]; rows: AggRow[] }>();
  for (const row of rows) {
    const key = keyOf(row, level), id = JSON.stringify(key);
    let g = groups.get(id);
    if (!g) groups.set(id, g = { key, rows: [] });
    g.rows.push(row);
  }
  return [...groups.values()].map(({ key, rows: mine }) => {
    const metrics = level.metrics.map(() => emptyAcc());
    let best = Infinity;
    for (const row of mine) {
      best = Math.min(best, row.rank);
      level.metrics.forEach((m, i) => addValue(metrics[i]!, metricValue(row, m.field)));
    }
    const hits = topHits(level, [mine.map((r) => ({ pk: r.pk, rank: r.rank, score: r.score, fields: r.fields }))]);
    return { key, count: mine.length, best, metrics, hits, sub: level.sub ? aggregateRows(mine, level.sub) : [] };
  });
}

/** Partial buckets of disjoint row sets merged into those of their union. */
export function mergePartials(parts: ReadonlyArray<readonly PartialBucket[]>, level: AggLevel): PartialBucket[] {
  const byKey = new Map<unknown, PartialBucket[]>();
  for (const part of parts) {
    for (const b of part) {
      // One key field: the value itself tells buckets apart (no text made per bucket).
      const id = b.key.length === 1 ? b.key[0] : JSON.stringify(b.key);
      const same = byKey.get(id);
      if (same) same.push(b); else byKey.set(id, [b]);
    }
  }
  return [...byKey.values()].map((same) => {
    if (same.length === 1) return same[0]!;
    return {
      key: same[0]!.key,
      count: same.reduce((n, b) => n + b.count, 0),
      best: Math.min(...same.map((b) => b.best)),
      metrics: level.metrics.map((_, i) => same.map((b) => b.metrics[i]!).reduce(mergeAcc)),
      hits: topHits(level, same.map((b) => b.hits)),
      sub: level.sub ? mergePartials(same.map((b) => b.sub), level.sub) : [],
    };
  });
}
