import type { MetricType, PrimaryKey } from '../../../messages/schema.js';
import { compareRanked } from './topK.js';

/**
 * A grouping search (Milvus's group_by_field): the best `limit` groups of
 * hits sharing a value of `field`, at most `size` hits each. A group ranks by
 * its best hit; the result lists each group's hits together, groups in rank
 * order. With `strict`, a segment keeps looking until every group it keeps
 * holds `size` hits (or it has no more rows); else it stops once it has
 * `limit` groups, some perhaps short.
 */
export interface GroupBySpec { field: string; size: number; strict: boolean }

/** A group field's value as a map key; null (a nullable field left empty) is a group of its own. */
type GroupKey = number | string | boolean | null;

/**
 * Collects hits offered best first into groups: the first `skip` groups seen
 * are passed over whole (a grouped search's offset counts groups), then up
 * to `limit` groups of up to `size` hits are kept.
 */
export class GroupCollector<T> {
  private readonly groups = new Map<GroupKey, T[]>();
  private readonly skipped = new Set<GroupKey>();
  private full = 0;
  constructor(private readonly limit: number, private readonly size: number, private readonly skip = 0) {}

  /** Offers the next hit; no better one may come after it. Returns whether it was kept. */
  offer(hit: T, value: unknown): boolean {
    const key = (value ?? null) as GroupKey;
    if (this.skipped.has(key)) return false;
    let group = this.groups.get(key);
    if (group === undefined) {
      if (this.skipped.size < this.skip) { this.skipped.add(key); return false; }
      if (this.groups.size >= this.limit) return false;
      group = [];
      this.groups.set(key, group);
    }
    if (group.length >= this.size) return false;
    group.push(hit);
    if (group.length === this.size) this.full++;
    return true;
  }

  /** Whether more hits could still be kept under the spec's stopping rule. */
  wantsMore(strict: boolean): boolean {
    if (this.groups.size < this.limit) return true;
    return strict && this.full < this.groups.size;
  }

  /** The kept hits: group by group, groups by their best hit, each group best first. */
  hits(): T[] { return [...this.groups.values()].flat(); }
}

/** A ranked hit with its group value, as every level of a grouped search passes it on. */
export interface GroupedHit { pk: PrimaryKey; distance: number; group?: unknown }

/**
 * Merges lists of grouped hits (each from a segment, shard or node) into the
 * best `limit` groups after `skip` groups: copies of a key keep the closest,
 * then every hit is offered in rank order.
 */
export function mergeGroupedHits<T extends GroupedHit>(lists: ReadonlyArray<ReadonlyArray<T>>, limit: number, size: number, metric: MetricType, skip = 0): T[] {
  const byPk = new Map<PrimaryKey, T>();
  const cmp = compareRanked(metric);
  const rank = (h: T) => ({ id: h.pk, distance: h.distance });
  for (const list of lists) {
    for (const h of list) {
      const seen = byPk.get(h.pk);
      if (seen === undefined || cmp(rank(h), rank(seen)) < 0) byPk.set(h.pk, h);
    }
  }
  const ordered = [...byPk.values()].sort((a, b) => cmp(rank(a), rank(b)));
  const c = new GroupCollector<T>(limit, size, skip);
  for (const h of ordered) {
    c.offer(h, h.group);
    if (!c.wantsMore(true)) break;
  }
  return c.hits();
}

/**
 * The grouped hits of one segment or chunk: `search(k)` ranks its best k rows
 * (an index walk, or every row by a scan when `scan`), and k grows fourfold
 * until the groups are found, the rows run out, or the search returned fewer
 * than asked (nothing more passes its filters).
 */
export function collectGroups<H extends { row: number }>(
  count: number, valueOf: (row: number) => unknown, spec: GroupBySpec, limit: number, search: (k: number) => H[], scan: boolean,
): H[] {
  let k = scan ? count : Math.min(count, limit * spec.size);
  for (;;) {
    const ranked = search(k);
    const c = new GroupCollector<H>(limit, spec.size);
    for (const h of ranked) {
      c.offer(h, valueOf(h.row));
      if (!c.wantsMore(spec.strict)) break;
    }
    if (!c.wantsMore(spec.strict) || ranked.length < k || k >= count) return c.hits();
    k = Math.min(count, k * 4);
  }
}
