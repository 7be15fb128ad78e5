import type { PrimaryKey } from '../../../messages/schema.js';
import type { Tso } from '../../../messages/types.js';
import { compareIds } from '../vector/topK.js';

/**
 * Reading rows in primary-key order, from a cursor: what a query with a limit
 * and a query iterator page by. Pure; used by the delegator's growing rows, the
 * query node's sealed segments and the client's merge of shards alike, so every
 * level agrees on one order (numbers ascending, strings by UTF-16 code unit).
 */

/** Which rows a query returns: those with a key above `after` (none: from the start), the `limit` smallest (0: all). */
export interface PkPage { after?: PrimaryKey; limit: number }

/** The one primary-key order. */
export const comparePks: (a: PrimaryKey, b: PrimaryKey) => number = compareIds;

/** Orders two copies of one key newest first (newestCopy.ts); a copy without a TSO counts as oldest. */
export function newerFirst(a: { tso?: Tso | undefined }, b: { tso?: Tso | undefined }): number {
  const x = a.tso ?? -1n, y = b.tso ?? -1n;
  return x > y ? -1 : x < y ? 1 : 0;
}

const orders = new WeakMap<readonly PrimaryKey[], Int32Array>();

/** Row numbers of a key column sorted by key; memoized per column (columns of segments and chunks never change). */
export function pkOrder(pks: readonly PrimaryKey[]): Int32Array {
  let order = orders.get(pks);
  if (order === undefined) {
    order = Int32Array.from({ length: pks.length }, (_, i) => i);
    // Ties (a key inserted twice) keep row order: Array.prototype.sort is stable, so is this.
    order.sort((a, b) => comparePks(pks[a]!, pks[b]!) || a - b);
    orders.set(pks, order);
  }
  return order;
}

/** The first position in `order` whose key is above `after`. */
function firstAbove(pks: readonly PrimaryKey[], order: Int32Array, after: PrimaryKey): number {
  let lo = 0, hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comparePks(pks[order[mid]!]!, after) <= 0) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** The first position in `order` whose key is `pk` or above. */
export function firstOfKey(pks: readonly PrimaryKey[], order: Int32Array, pk: PrimaryKey): number {
  let lo = 0, hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comparePks(pks[order[mid]!]!, pk) < 0) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/**
 * The rows of one key column on a page that `accept` lets through, in key
 * order, one per key (the newest by `tsoOf`, newestCopy.ts): a page of `limit`
 * holds `limit` keys. Without a cursor or a limit no order is needed, and
 * rows come in row order, every copy (the caller's merge keeps the newest).
 */
export function rowsOnPage(pks: readonly PrimaryKey[], page: PkPage, accept: ((row: number) => boolean) | undefined, tsoOf: (row: number) => Tso): number[] {
  const out: number[] = [];
  if (page.after === undefined && page.limit <= 0) {
    for (let r = 0; r < pks.length; r++) if (accept === undefined || accept(r)) out.push(r);
    return out;
  }
  const order = pkOrder(pks);
  for (let i = page.after === undefined ? 0 : firstAbove(pks, order, page.after); i < order.length; i++) {
    const r = order[i]!;
    if (accept !== undefined && !accept(r)) continue;
    const last = out.length - 1;
    // Copies of a key sit side by side in key order: the newest takes the key's place.
    if (last >= 0 && comparePks(pks[out[last]!]!, pks[r]!) === 0) {
      if (tsoOf(r) > tsoOf(out[last]!)) out[last] = r;
      continue;
    }
    if (page.limit > 0 && out.length >= page.limit) break;
    out.push(r);
  }
  return out;
}

/** Items of several sources merged by key, one per key (the newest copy): the page's first `limit` keys (0: all), in key order. */
export function firstOnPage<T extends { pk: PrimaryKey; tso?: Tso | undefined }>(items: T[], limit: number): T[] {
  items.sort((a, b) => comparePks(a.pk, b.pk) || newerFirst(a, b));
  const out: T[] = [];
  for (const x of items) {
    if (out.length > 0 && comparePks(out[out.length - 1]!.pk, x.pk) === 0) continue;
    if (limit > 0 && out.length >= limit) break;
    out.push(x);
  }
  return out;
}

/**
 * rowsOnPage over some rows only (`rows` ascending, e.g. a scalar index's
 * candidates, each passing `accept` or not), with the same answer: in row
 * order without a page, else in key order, one per key. When the candidates
 * are many, walking the key order with `acceptAny` (candidate and passing)
 * stops sooner than sorting them all.
 */
export function candidatesOnPage(pks: readonly PrimaryKey[], page: PkPage, rows: Int32Array, accept: ((row: number) => boolean) | undefined, acceptAny: ((row: number) => boolean) | undefined, tsoOf: (row: number) => Tso): number[] {
  const paged = page.after !== undefined || page.limit > 0;
  if (paged && rows.length * 8 > pks.length) return rowsOnPage(pks, page, acceptAny, tsoOf);
  const out: number[] = [];
  const { after } = page;
  for (const r of rows) if ((accept === undefined || accept(r)) && (after === undefined || comparePks(pks[r]!, after) > 0)) out.push(r);
  if (!paged) return out;
  const items = out.map((r) => ({ pk: pks[r]!, tso: tsoOf(r), r }));
  return firstOnPage(items, page.limit).map((x) => x.r);
}
