import type { PrimaryKey } from '../../../messages/schema.js';
import type { Tso } from '../../../messages/types.js';
import { comparePks, newerFirst, pkOrder } from './pkOrder.js';

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
