import type { PrimaryKey } from '../../../messages/schema.js';
import type { Tso } from '../../../messages/types.js';
import type { SealedSegment } from '../../shared/segment/segmentFile.js';

/**
 * Delete compaction of one sealed segment: the rows a delete of the shard
 * reached by `untilTso` are left out of a rewritten segment. Deletes after
 * `untilTso` stay in the shard's log and go on applying by TSO at read time,
 * as every delete does, so a reader at any TSO from `untilTso` on sees the same
 * rows before and after. Re-applying an applied delete to the rewritten segment
 * finds nothing, so the shard's log needs no change. Pure.
 */
export interface CompactionResult {
  /** The rewritten segment (the same object when nothing was removable). */
  seg: SealedSegment;
  /** Rows left out. */
  removed: number;
  /** Rows kept that a delete after `untilTso` reaches (a later compaction may remove them). */
  pending: number;
}

/** Which way a row stands against the shard's deletes. */
const enum RowFate { Kept, Removed, Pending }

function fate(rowTso: Tso, deletes: readonly Tso[] | undefined, untilTso: Tso): RowFate {
  if (!deletes) return RowFate.Kept;
  let f = RowFate.Kept;
  for (const d of deletes) {
    // A delete reaches the rows of its key inserted before it (an upsert's new row is not).
    if (d <= rowTso) continue;
    if (d <= untilTso) return RowFate.Removed;
    f = RowFate.Pending;
  }
  return f;
}

/**
 * `expiredBelow` (the collection's TTL as of `untilTso`, shared/segment/rowExpiry.ts):
 * rows inserted below it are left out too; every reader from `untilTso` on sees them expired.
 */
export function compactSegment(seg: SealedSegment, deletes: ReadonlyMap<PrimaryKey, readonly Tso[]>, untilTso: Tso, expiredBelow?: Tso): CompactionResult {
  const keep: number[] = [];
  let pending = 0;
  for (let r = 0; r < seg.count; r++) {
    if (expiredBelow !== undefined && seg.tsos[r]! < expiredBelow) continue;
    const f = fate(seg.tsos[r]!, deletes.get(seg.pks[r]!), untilTso);
    if (f === RowFate.Removed) continue;
    if (f === RowFate.Pending) pending++;
    keep.push(r);
  }
  const removed = seg.count - keep.length;
  if (removed === 0) return { seg, removed, pending };
  const vectors = new Float32Array(keep.length * seg.dim);
  keep.forEach((r, i) => vectors.set(seg.vectors.subarray(r * seg.dim, (r + 1) * seg.dim), i * seg.dim));
  const fields: Record<string, unknown[]> = {};
  for (const [name, col] of Object.entries(seg.fields)) fields[name] = keep.map((r) => col[r]);
  return {
    seg: { ...seg, count: keep.length, pks: keep.map((r) => seg.pks[r]!), tsos: keep.map((r) => seg.tsos[r]!), vectors, fields },
    removed,
    pending,
  };
}

/** Adds delete log entries to the lookup compaction takes: key -> TSOs of its deletes. */
export function addDeletes(byKey: Map<PrimaryKey, Tso[]>, entries: Iterable<{ pk: PrimaryKey; tso: Tso }>): Map<PrimaryKey, Tso[]> {
  for (const e of entries) { const l = byKey.get(e.pk); if (l) l.push(e.tso); else byKey.set(e.pk, [e.tso]); }
  return byKey;
}

/** The lookup of a whole log. */
export const deletesByKey = (entries: Iterable<{ pk: PrimaryKey; tso: Tso }>): Map<PrimaryKey, Tso[]> => addDeletes(new Map(), entries);
