import { orderComparator, type OrderKey, type Ordered } from '../../../messages/orderBy.js';
import type { ColumnarRows } from './outputFields.js';

/**
 * A query with an order (messages/orderBy.ts), the way it is spread: each
 * source (a growing chunk, a sealed segment) gives its first offset+limit rows
 * in the order, and each level above (query node, delegator, client) merges
 * its sources' sorted lists k ways and keeps as many. The first n of a merge
 * of lists that each hold their source's first n are the first n of all rows,
 * so nothing more is ever read. Pure.
 */

/** A row of one source, ordered. */
export interface OrderedRow extends Ordered { row: number }

/** How a source's rows read their keys: the primary key column under its name, a stored null as the field's default. */
export interface KeySource { rows: ColumnarRows; pkName: string; defaults?: ReadonlyMap<string, unknown> | undefined }

/** Each key's values of `rows`, read as output fields read them (outputFields.ts), so every level compares the same values. */
function keyColumns(keys: readonly OrderKey[], { rows, pkName, defaults }: KeySource): Array<(row: number) => unknown> {
  return keys.map(({ field }) => {
    if (field === pkName) return (row: number) => rows.pks[row];
    const col = rows.fields[field], d = defaults?.get(field) ?? null;
    return col ? (row: number) => col[row] ?? d : () => d;
  });
}

/**
 * The first `limit` (0: all) rows of a source in the order, first first, among
 * `rows` (row numbers, any order); with `after` (an ordered iterator's
 * cursor), only rows strictly after it. A bounded heap keeps the best `limit`
 * seen, so a segment of n matches costs n log(limit), not a sort of all of them.
 */
export function topOrdered(keys: readonly OrderKey[], source: KeySource, rows: Iterable<number>, limit: number, after?: Ordered): OrderedRow[] {
  const cmp = orderComparator(keys), cols = keyColumns(keys, source), pks = source.rows.pks;
  const make = (row: number): OrderedRow => ({ pk: pks[row]!, values: cols.map((c) => c(row)), row });
  if (after !== undefined) rows = pastCursor(rows, make, (x) => cmp(x, after) > 0);
  if (limit <= 0) {
    const all: OrderedRow[] = [];
    for (const row of rows) all.push(make(row));
    return all.sort(cmp);
  }
  // A max-heap of the best `limit` so far: its root is the worst of them.
  const heap: OrderedRow[] = [];
  const better = (i: number, j: number) => cmp(heap[i]!, heap[j]!) < 0; // a better row sits below a worse one
  for (const row of rows) {
    const x = make(row);
    if (heap.length < limit) { heap.push(x); siftUp(heap, heap.length - 1, better); continue; }
    if (cmp(x, heap[0]!) >= 0) continue;
    heap[0] = x;
    siftDown(heap, 0, better);
  }
  return heap.sort(cmp);
}

/** The rows of `rows` that `keep` keeps (those past a cursor), lazily. */
function* pastCursor(rows: Iterable<number>, make: (row: number) => OrderedRow, keep: (x: OrderedRow) => boolean): Iterable<number> {
  for (const row of rows) if (keep(make(row))) yield row;
}

/**
 * The first `limit` (0: all) items of several lists, each already in the
 * order, merged k ways: a min-heap of the lists' heads, so the work is the
 * items taken times log(lists).
 */
export function mergeOrdered<T extends Ordered>(lists: ReadonlyArray<readonly T[]>, limit: number, keys: readonly OrderKey[]): T[] {
  const cmp = orderComparator(keys);
  const heads: Array<{ list: readonly T[]; at: number }> = lists.filter((l) => l.length > 0).map((list) => ({ list, at: 0 }));
  const worse = (i: number, j: number) => cmp(heads[i]!.list[heads[i]!.at]!, heads[j]!.list[heads[j]!.at]!) > 0;
  for (let i = (heads.length >> 1) - 1; i >= 0; i--) siftDown(heads, i, worse);
  const out: T[] = [];
  while (heads.length > 0 && (limit <= 0 || out.length < limit)) {
    const top = heads[0]!;
    out.push(top.list[top.at++]!);
    if (top.at === top.list.length) { heads[0] = heads[heads.length - 1]!; heads.pop(); }
    if (heads.length > 0) siftDown(heads, 0, worse);
  }
  return out;
}

/** Binary heap moves; `below(i, j)` says item i belongs below item j (further from the root). */
function siftUp<T>(h: T[], i: number, below: (i: number, j: number) => boolean): void {
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!below(p, i)) return;
    [h[p], h[i]] = [h[i]!, h[p]!];
    i = p;
  }
}

function siftDown<T>(h: T[], i: number, below: (i: number, j: number) => boolean): void {
  for (;;) {
    const l = 2 * i + 1, r = l + 1;
    let m = i;
    if (l < h.length && below(m, l)) m = l;
    if (r < h.length && below(m, r)) m = r;
    if (m === i) return;
    [h[m], h[i]] = [h[i]!, h[m]!];
    i = m;
  }
}
