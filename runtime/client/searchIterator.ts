import type { Expr } from '../../messages/filter/ast.js';
import type { MetricType, PrimaryKey } from '../../messages/schema.js';
import type { Tso } from '../../messages/types.js';
import { higherIsBetter } from '../../actors/shared/vector/distance.js';
import type { DistanceRange } from '../../actors/shared/vector/distanceRange.js';
import type { Hit, ReadOptions } from './api.js';
import { BatchIterator } from './batchIterator.js';

/**
 * A search iterator: hits of one query vector, best first, batch after batch.
 * Each batch is a range search beyond the worst distance returned so far (the
 * bound), leaving out by key the hits already returned near it: ties at the
 * bound, and rows whose distance another copy of their segment computes a
 * little differently (a growing row handed to a query node between batches is
 * scored by another kernel). Every batch reads at one pinned TSO.
 */

export interface SearchIteratorRequest extends ReadOptions {
  /** The query vector: dense numbers (bytes for a binary field), or for a sparse field a sparse vector (a text for a BM25 field). */
  vector: number[] | Float32Array | Uint8Array | string | Record<string, number>;
  annsField?: string;
  /** Hits per batch, 1..16384. */
  batchSize: number;
  /** Hits in all; -1 or absent: until no row is left. */
  limit?: number;
  /** Search params as search takes them: `ef`, and `radius` / `range_filter` to stay within a range. */
  params?: Record<string, number>;
}

/** How far apart two computations of one row's distance may lie, relative to the distance (at least this much absolute). */
const DRIFT = 1e-5;
const drift = (d: number) => DRIFT * Math.max(1, Math.abs(d));

/** Where a search iterator stands. */
export interface DistanceCursor {
  /** The worst distance returned so far; absent before the first batch. */
  bound?: number;
  /** Hits returned within two drifts of the bound: later batches leave them out by key. */
  nearBound: Array<{ pk: PrimaryKey; distance: number }>;
}

export const startCursor = (): DistanceCursor => ({ nearBound: [] });

/**
 * The range of the next batch: from a drift inside the bound (so a row scored a
 * little better than before is not missed) out to the user's radius, or
 * without an outer bound.
 */
export function nextRange(metric: MetricType, c: DistanceCursor, user: DistanceRange | undefined): DistanceRange | undefined {
  if (c.bound === undefined) return user;
  const higher = higherIsBetter(metric);
  let inner = higher ? c.bound + drift(c.bound) : c.bound - drift(c.bound);
  if (user?.rangeFilter !== undefined) inner = higher ? Math.min(inner, user.rangeFilter) : Math.max(inner, user.rangeFilter);
  return { radius: user?.radius ?? (higher ? -Number.MAX_VALUE : Number.MAX_VALUE), rangeFilter: inner };
}

/** Moves the cursor past a batch (best first): the bound to its worst hit, and the hits near the new bound kept. */
export function advanceCursor(metric: MetricType, c: DistanceCursor, batch: readonly Hit[]): DistanceCursor {
  if (batch.length === 0) return c;
  const higher = higherIsBetter(metric);
  const last = batch[batch.length - 1]!.distance;
  // Never back: a batch may hold rows scored a drift better than the last bound.
  const bound = c.bound === undefined ? last : higher ? Math.min(c.bound, last) : Math.max(c.bound, last);
  const near = higher ? (d: number) => d <= bound + 2 * drift(bound) : (d: number) => d >= bound - 2 * drift(bound);
  const nearBound = [...c.nearBound, ...batch.map((h) => ({ pk: h.id, distance: h.distance }))].filter((h) => near(h.distance));
  return { bound, nearBound };
}

/** `filter and pk not in [near the bound]`, as a filter tree. */
export function excludeNearBound(filter: Expr | null, pkName: string, c: DistanceCursor): Expr | null {
  if (c.nearBound.length === 0) return filter;
  const notIn: Expr = {
    kind: 'in', arg: { kind: 'field', name: pkName, path: [], pos: 0 }, negated: true, pos: 0,
    values: c.nearBound.map((h) => ({ kind: 'literal', type: typeof h.pk === 'string' ? 'string' : 'int', value: h.pk, pos: 0 })),
  };
  return filter ? { kind: 'and', args: [filter, notIn], pos: 0 } : notIn;
}

/** One search of the pinned snapshot: the best `k` hits in `range` that pass `filter`. */
export type RangeSearch = (k: number, range: DistanceRange | undefined, filter: Expr | null) => Promise<Hit[]>;

export class SearchIterator extends BatchIterator<Hit> {
  constructor(search: RangeSearch, metric: MetricType, pkName: string, filter: Expr | null, range: DistanceRange | undefined, batchSize: number, limit: number, readonly snapshotTso: Tso) {
    let cursor = startCursor();
    super({
      fetch: (n) => search(n, nextRange(metric, cursor, range), excludeNearBound(filter, pkName, cursor)),
      advance: (batch) => { cursor = advanceCursor(metric, cursor, batch); },
      // A ranged index search may drop a hit it walked (index and segment distances differ by a slack), answering fewer than asked.
      shortIsEnd: false,
    }, batchSize, limit);
  }
}
