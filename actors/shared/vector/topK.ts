import type { MetricType, PrimaryKey } from '../../../messages/schema.js';
import { higherIsBetter } from './distance.js';

/** Anything ranked by a distance and identified by an id (a primary key or a row). */
export interface Ranked { id: PrimaryKey; distance: number }

/** A ranked item that may carry the insert TSO of its version (for keep: 'newest'). */
export interface Versioned extends Ranked { tso?: bigint }

/** Orders ids for tie-breaks: numbers before strings, numbers ascending, strings by code unit. */
export function compareIds(a: PrimaryKey, b: PrimaryKey): number {
  if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
  return typeof a === 'number' ? -1 : 1;
}

/**
 * Orders items best first by (distance, id): the total order every search result
 * in nuthatch follows, so equal distances never make results depend on arrival order.
 */
export function compareRanked(metric: MetricType): (a: Ranked, b: Ranked) => number {
  const sign = higherIsBetter(metric) ? -1 : 1;
  return (a, b) => {
    if (a.distance !== b.distance) return a.distance < b.distance ? -sign : sign;
    return compareIds(a.id, b.id);
  };
}

/**
 * Keeps the k best items seen so far in a binary heap whose root is the worst
 * item kept, so a candidate is checked against one value and most are refused
 * without allocation (call `admits` before building the item).
 */
export class TopK<T extends Ranked> {
  private readonly heap: T[] = [];
  private readonly cmp: (a: Ranked, b: Ranked) => number;
  private readonly higher: boolean;
  constructor(readonly k: number, metric: MetricType) {
    this.cmp = compareRanked(metric);
    this.higher = higherIsBetter(metric);
  }

  get size(): number { return this.heap.length; }

  /** The worst item kept, once the collector is full; undefined before. */
  get threshold(): T | undefined { return this.heap.length >= this.k ? this.heap[0] : undefined; }

  /** Whether an item with this distance and id would be kept now. */
  admits(distance: number, id: PrimaryKey): boolean {
    if (this.k <= 0) return false;
    if (this.heap.length < this.k) return true;
    const worst = this.heap[0]!;
    if (distance !== worst.distance) return this.higher ? distance > worst.distance : distance < worst.distance;
    return compareIds(id, worst.id) < 0;
  }

  /** Offers an item; returns whether it was kept. */
  push(item: T): boolean {
    const h = this.heap;
    if (this.k <= 0) return false;
    if (h.length < this.k) { h.push(item); this.siftUp(h.length - 1); return true; }
    if (this.cmp(item, h[0]!) >= 0) return false;
    h[0] = item;
    this.siftDown(0);
    return true;
  }

  /** The kept items, best first (the collector stays usable). */
  sorted(): T[] { return this.heap.slice().sort(this.cmp); }

  private siftUp(i: number): void {
    const h = this.heap, x = h[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.cmp(x, h[p]!) <= 0) break;
      h[i] = h[p]!; i = p;
    }
    h[i] = x;
  }

  private siftDown(i: number): void {
    const h = this.heap, n = h.length, x = h[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.cmp(h[c + 1]!, h[c]!) > 0) c++;
      if (this.cmp(h[c]!, x) <= 0) break;
      h[i] = h[c]!; i = c;
    }
    h[i] = x;
  }
}

/** Which copy of a primary key survives a merge. */
export const KeepVersion = { Best: 'best', Newest: 'newest' } as const;
export type KeepVersion = (typeof KeepVersion)[keyof typeof KeepVersion];

export interface MergeOptions {
  /**
   * 'best' (default) keeps the closest copy of a key; 'newest' keeps the copy with
   * the highest `tso` (an upserted row supersedes its old version even when the old
   * one is closer; a missing tso counts as oldest). Ties keep the better distance,
   * then the earlier list.
   */
  keep?: KeepVersion;
}

/**
 * Merges per-segment top-k lists into one page: dedupes by id, orders by
 * (distance, id) and returns items [offset, offset + k). Each input list must
 * hold at least offset + k items (or all its segment has) for the page to be exact.
 */
export function mergeTopK<T extends Versioned>(
  lists: ReadonlyArray<ReadonlyArray<T>>, k: number, metric: MetricType, offset = 0, options: MergeOptions = {},
): T[] {
  if (k <= 0) return [];
  const keepNewest = options.keep === 'newest';
  const cmp = compareRanked(metric);
  const byId = new Map<PrimaryKey, T>();
  for (const list of lists) {
    for (const item of list) {
      const seen = byId.get(item.id);
      if (seen === undefined) { byId.set(item.id, item); continue; }
      if (keepNewest) {
        const a = item.tso ?? -1n, b = seen.tso ?? -1n;
        if (a > b || (a === b && cmp(item, seen) < 0)) byId.set(item.id, item);
      } else if (cmp(item, seen) < 0) byId.set(item.id, item);
    }
  }
  const top = new TopK<T>(offset + k, metric);
  for (const item of byId.values()) top.push(item);
  return top.sorted().slice(offset);
}

/** A hit as searches return it: identified by its primary key. */
export interface KeyedHit { pk: PrimaryKey; distance: number }

/**
 * `mergeTopK` over hits keyed by `pk` (what query nodes, delegators and the client
 * merge): returns the kept hits themselves, best first, without copying them.
 */
export function mergeHits<T extends KeyedHit>(lists: ReadonlyArray<ReadonlyArray<T>>, k: number, metric: MetricType, offset = 0): T[] {
  if (k <= 0) return [];
  const ranked: Array<Array<{ id: PrimaryKey; distance: number; hit: T }>> = [];
  for (const list of lists) {
    const out = new Array<{ id: PrimaryKey; distance: number; hit: T }>(list.length);
    for (let i = 0; i < list.length; i++) { const h = list[i]!; out[i] = { id: h.pk, distance: h.distance, hit: h }; }
    ranked.push(out);
  }
  return mergeTopK(ranked, k, metric, offset).map((r) => r.hit);
}
