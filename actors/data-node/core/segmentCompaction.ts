import { markTso, reaches, type DeleteIndex, type DeleteMark } from '../../shared/segment/deleteIndex.js';
import type { Tso } from '../../../messages/types.js';
import type { FieldExpiry } from '../../../messages/entityTtl.js';
import { entityExpiry } from '../../shared/segment/rowExpiry.js';
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
  /** Columns of dropped fields the rewritten segment no longer holds. */
  strippedColumns: string[];
}

/**
 * What a rewrite leaves out besides deleted rows. `expiredBelow` (the
 * collection's TTL as of `untilTso`, shared/segment/rowExpiry.ts): rows
 * inserted below it; every reader from `untilTso` on sees them expired.
 * `fieldExpiry` (entity-level TTL as of `untilTso`, messages/entityTtl.ts):
 * rows whose ttl_field value has passed. `droppedFields` (the schema's): their
 * columns, which no read shows again (messages/droppedField.ts).
 */
export interface RewriteRules {
  expiredBelow?: Tso | undefined;
  fieldExpiry?: readonly FieldExpiry[] | undefined;
  droppedFields?: readonly string[] | undefined;
}

/** Which way a row stands against the shard's deletes. */
const enum RowFate { Kept, Removed, Pending }

function fate(rowTso: Tso, partitionId: number, deletes: readonly DeleteMark[] | undefined, untilTso: Tso): RowFate {
  if (!deletes) return RowFate.Kept;
  let f = RowFate.Kept;
  for (const m of deletes) {
    if (!reaches(m, partitionId)) continue;
    const d = markTso(m);
    // A delete reaches the rows of its key inserted before it (an upsert's new row is not).
    if (d <= rowTso) continue;
    if (d <= untilTso) return RowFate.Removed;
    f = RowFate.Pending;
  }
  return f;
}

/** The segment without the rows deletes reached by `untilTso`, nor what `rules` leave out. */
export function compactSegment(seg: SealedSegment, deletes: DeleteIndex, untilTso: Tso, rules: RewriteRules = {}): CompactionResult {
  const { expiredBelow, fieldExpiry } = rules;
  const keep: number[] = [];
  let pending = 0;
  const entityExpired = entityExpiry(seg.fields, (row) => seg.tsos[row]!, fieldExpiry, true);
  for (let r = 0; r < seg.count; r++) {
    if (expiredBelow !== undefined && seg.tsos[r]! < expiredBelow) continue;
    if (entityExpired !== undefined && entityExpired(r)) continue;
    const f = fate(seg.tsos[r]!, seg.partitionId, deletes.get(seg.pks[r]!), untilTso);
    if (f === RowFate.Removed) continue;
    if (f === RowFate.Pending) pending++;
    keep.push(r);
  }
  const removed = seg.count - keep.length;
  const strippedColumns = (rules.droppedFields ?? []).filter((name) => name in seg.fields);
  if (removed === 0 && strippedColumns.length === 0) return { seg, removed, pending, strippedColumns };
  const kept = Object.entries(seg.fields).filter(([name]) => !strippedColumns.includes(name));
  if (removed === 0) return { seg: { ...seg, fields: Object.fromEntries(kept) }, removed, pending, strippedColumns };
  const vectors = new Float32Array(keep.length * seg.dim);
  keep.forEach((r, i) => vectors.set(seg.vectors.subarray(r * seg.dim, (r + 1) * seg.dim), i * seg.dim));
  const fields: Record<string, unknown[]> = {};
  for (const [name, col] of kept) fields[name] = keep.map((r) => col[r]);
  return {
    seg: { ...seg, count: keep.length, pks: keep.map((r) => seg.pks[r]!), tsos: keep.map((r) => seg.tsos[r]!), vectors, fields },
    removed,
    pending,
    strippedColumns,
  };
}
