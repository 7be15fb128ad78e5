import type { PrimaryKey } from '../../../messages/schema.js';
import type { Tso } from '../../../messages/types.js';
import { orderComparator, type Ordered, type OrderKey } from '../../../messages/orderBy.js';
import { mergeOrdered } from './orderedRows.js';
import { comparePks, firstOfKey, newerFirst, pkOrder } from './pkOrder.js';

/**
 * A key inserted twice is stored twice (an insert checks no stored keys), and
 * a query keeps one row per key: the copy with the largest insert TSO among
 * those the read accepts (visible at its TSO, not deleted, in its partitions,
 * matching its filter), as Milvus's MergeInternalRetrieveResult keeps the
 * largest timestamp. Every level applies it: within a segment or growing
 * chunk before its page is cut (so a page counts keys, not copies), and again
 * where sources merge, which is why rows carry their TSO (HitRow.tso). Pure.
 */

const repeats = new WeakMap<readonly PrimaryKey[], boolean>();

/** Whether a key column holds some key twice; memoized per column (columns never change). */
export function holdsRepeats(pks: readonly PrimaryKey[]): boolean {
  let r = repeats.get(pks);
  if (r === undefined) {
    const order = pkOrder(pks);
    r = false;
    for (let i = 1; i < order.length && !r; i++) r = comparePks(pks[order[i - 1]!]!, pks[order[i]!]!) === 0;
    repeats.set(pks, r);
  }
  return r;
}

/** Of `rows` (accepted rows of one column), those no newer accepted copy of their key in `rows` outdoes; order kept. */
export function newestRows(pks: readonly PrimaryKey[], rows: Int32Array | number[], tsoOf: (row: number) => Tso): Int32Array | number[] {
  if (!holdsRepeats(pks)) return rows;
  const best = new Map<PrimaryKey, number>();
  for (const r of rows) {
    const b = best.get(pks[r]!);
    if (b === undefined || tsoOf(r) > tsoOf(b)) best.set(pks[r]!, r);
  }
  return rows.length === best.size ? rows : Array.from(rows).filter((r) => best.get(pks[r]!) === r);
}

/** Several sources' lists with every copy dropped that a newer copy of its key in any list outdoes; each list's order kept. */
export function newestCopies<T extends { pk: PrimaryKey; tso?: Tso | undefined }>(lists: ReadonlyArray<readonly T[]>): T[][] {
  const best = new Map<PrimaryKey, T>();
  for (const l of lists) for (const x of l) {
    const b = best.get(x.pk);
    if (b === undefined || newerFirst(x, b) < 0) best.set(x.pk, x);
  }
  return lists.map((l) => l.filter((x) => best.get(x.pk) === x));
}

/** One source's copies as a read accepts them (a growing chunk, a sealed segment), to look a key up in. */
export interface CopySource { pks: readonly PrimaryKey[]; accept: (row: number) => boolean; tsoOf: (row: number) => Tso }

/** Whether a source other than `from` (-1: any) holds an accepted copy of `pk` newer than `tso`. */
export function newerElsewhere(sources: readonly CopySource[], from: number, pk: PrimaryKey, tso: Tso): boolean {
  for (let i = 0; i < sources.length; i++) {
    if (i === from) continue;
    const { pks, accept, tsoOf } = sources[i]!, order = pkOrder(pks);
    // Keys outside the column's range (segments of increasing auto ids hold disjoint ranges) need no search.
    if (order.length === 0 || comparePks(pk, pks[order[0]!]!) < 0 || comparePks(pk, pks[order[order.length - 1]!]!) > 0) continue;
    for (let at = firstOfKey(pks, order, pk); at < order.length && comparePks(pks[order[at]!]!, pk) === 0; at++) {
      const row = order[at]!;
      if (tsoOf(row) > tso && accept(row)) return true;
    }
  }
  return false;
}

/**
 * An ordered page over several sources, one row per key. Copies of a key
 * rank apart (their values differ), so a source's first `limit` may hold
 * copies another source outdates. The sources' pages are merged one row at a
 * time, each row taken checked (`outdated`, a lookup of its key in the
 * others) and skipped if outdated; a source whose page ran out that way is
 * read again, twice as long. So the lookups are about as many as the rows
 * returned, and a source is read again only where keys repeat. Without a
 * limit every row is at hand: the copies are sorted out by key, no lookup.
 */
export function orderedNewest<T extends Ordered>(n: number, page: (source: number, limit: number) => T[], tsoOf: (x: T, source: number) => Tso, outdated: (x: T, source: number) => boolean, limit: number, keys: readonly OrderKey[]): T[] {
  if (limit <= 0) return mergeOrdered(newestCopies(Array.from({ length: n }, (_, i) => page(i, 0).map((x) => ({ x, pk: x.pk, tso: tsoOf(x, i), values: x.values })))), 0, keys).map((y) => y.x);
  const cmp = orderComparator(keys);
  const want = new Array<number>(n).fill(limit), at = new Array<number>(n).fill(0);
  const lists = Array.from({ length: n }, (_, i) => page(i, limit));
  const out: T[] = [], taken = new Set<PrimaryKey>();
  while (out.length < limit) {
    let best = -1;
    for (let i = 0; i < n; i++) {
      // A full page used up: the source may hold more.
      if (at[i] === lists[i]!.length && lists[i]!.length === want[i]) lists[i] = page(i, want[i] *= 2);
      if (at[i]! < lists[i]!.length && (best < 0 || cmp(lists[i]![at[i]!]!, lists[best]![at[best]!]!) < 0)) best = i;
    }
    if (best < 0) break;
    const x = lists[best]![at[best]!++]!;
    if (outdated(x, best) || taken.has(x.pk)) continue;
    taken.add(x.pk);
    out.push(x);
  }
  return out;
}

/** orderedNewest's reading of one source asked over the bus (a query node's page at the delegator): its current rows, read again longer while it lost some. */
export async function currentPage<T>(page: (limit: number) => Promise<T[]>, outdated: (x: T) => boolean, limit: number): Promise<T[]> {
  for (let want = limit; ;) {
    const got = await page(want), kept = got.filter((x) => !outdated(x));
    if (limit <= 0 || got.length < want || kept.length >= limit) return kept;
    want += limit - kept.length;
  }
}
