import { addToIndex, type DeleteIndex } from '../../shared/segment/deleteIndex.js';
import { minTso } from '../../shared/segment/deleteCover.js';
import type { DeleteEntry } from '../../../messages/rpc/records.js';
import type { Tso } from '../../../messages/types.js';

/**
 * A data node's read of a shard's whole delete log, page by page (pure). The
 * pages may come from different replicas: the owner, or any delegator when the
 * owner is away, and a follower delegator may trail the owner. Replicas fold
 * one WAL, so sequence numbers agree, but how far each has folded does not.
 * So the read is complete only as far as the replica that gave the last page
 * says (`completeTso`): every delete at or below that lies below that page's
 * `seq`, and the read holds every entry below it (or it was trimmed, reaching
 * no row of a current segment). A compaction claims to have applied deletes
 * no further than that (`appliedTsoOf`): a rewrite that claimed its horizon
 * from a lagging follower's log would be taken to hide rows deleted after the
 * follower's position, the log below its cover would be trimmed, and those
 * rows would show again.
 */
export interface DeleteLogRead { byKey: DeleteIndex; seq: number; completeTso: Tso }

/** A page of the streaming protocol's `deletes` answer. */
export interface DeletePageRead { entries: readonly DeleteEntry[]; seq: number; from: number; completeTso: Tso }

export const newDeleteLogRead = (): DeleteLogRead => ({ byKey: new Map(), seq: 0, completeTso: 0n });

/** Adds the page that answered a request from `r.seq`; returns whether the log is read to its end. */
export function addDeletePage(r: DeleteLogRead, page: DeletePageRead): boolean {
  addToIndex(r.byKey, page.entries);
  r.seq = page.from + page.entries.length; // past a trimmed prefix, whose deletes reach no row
  r.completeTso = page.completeTso;
  return r.seq >= page.seq || page.entries.length === 0;
}

/** How far a rewrite asked to apply deletes up to `untilTso` applied them: no further than the read is complete. */
export const appliedTsoOf = (untilTso: Tso, r: Pick<DeleteLogRead, 'completeTso'>): Tso => minTso(untilTso, r.completeTso);
