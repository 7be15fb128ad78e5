import type { DeleteEntry } from '../../../messages/rpc/records.js';
import type { PrimaryKey } from '../../../messages/schema.js';
import type { Tso } from '../../../messages/types.js';

/**
 * A shard's deletes by primary key, as every reader and compaction holds them
 * (pure). A delete that named a partition reaches only that partition's rows
 * (Milvus's rule): it is kept as a scoped mark. A delete of every partition,
 * by far the common case, is kept as its bare TSO, so the index costs no more
 * than before scopes existed.
 */
export type DeleteMark = Tso | { tso: Tso; partitionId: number };
export type DeleteIndex = Map<PrimaryKey, DeleteMark[]>;

export const markTso = (m: DeleteMark): Tso => (typeof m === 'bigint' ? m : m.tso);

/** Whether a delete reaches rows of `partitionId` at all (TSOs aside). */
export const reaches = (m: DeleteMark, partitionId: number): boolean => typeof m === 'bigint' || m.partitionId === partitionId;

/** The mark a log entry becomes; partitionId absent or negative means every partition. */
export const markOf = (e: DeleteEntry): DeleteMark =>
  (e.partitionId === undefined || e.partitionId < 0 ? e.tso : { tso: e.tso, partitionId: e.partitionId });

/** The log entry of a delete at `tso`; `partitionId` -1 (the Delete message's "every partition") leaves it unscoped. */
export const deleteEntry = (pk: PrimaryKey, tso: Tso, partitionId: number): DeleteEntry =>
  (partitionId < 0 ? { pk, tso } : { pk, tso, partitionId });

export function addToIndex(index: DeleteIndex, entries: Iterable<DeleteEntry>): DeleteIndex {
  for (const e of entries) {
    const list = index.get(e.pk);
    if (list) list.push(markOf(e)); else index.set(e.pk, [markOf(e)]);
  }
  return index;
}

export const indexOf = (entries: Iterable<DeleteEntry>): DeleteIndex => addToIndex(new Map(), entries);

/**
 * MVCC: a row of `partitionId` inserted at `insertTso` is hidden at `readTso`
 * by a delete of its key, reaching its partition, in (insertTso, readTso].
 */
export function hidden(marks: readonly DeleteMark[] | undefined, partitionId: number, insertTso: Tso, readTso: Tso): boolean {
  if (!marks) return false;
  for (const m of marks) {
    const t = markTso(m);
    if (t > insertTso && t <= readTso && reaches(m, partitionId)) return true;
  }
  return false;
}

/** Drops every mark at or below `floor` from the index's lists (trimmed deletes reach no row). */
export function trimIndex(index: DeleteIndex, floor: Tso, keys: Iterable<PrimaryKey> = index.keys()): void {
  for (const pk of keys) {
    const list = index.get(pk);
    if (!list) continue;
    const rest = list.filter((m) => markTso(m) > floor);
    if (rest.length === 0) index.delete(pk); else if (rest.length < list.length) index.set(pk, rest);
  }
}
