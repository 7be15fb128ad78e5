import type { SegmentRecord } from '../../../messages/rpc/records.js';
import type { Tso } from '../../../messages/types.js';

/**
 * How far a shard's delete log may be trimmed (pure). A delete at `d` hides a
 * row inserted at `i` only when d > i. So a delete at or below a segment's
 * cover reaches none of its rows, where the cover is the larger of
 * - `rowsFromTso`: no row of the segment was inserted below it, and
 * - `deletesAppliedTso`: compaction examined the segment's current file
 *   against every delete up to it, and the file holds no row they hide.
 * A delete at or below every segment's cover is dead weight for every reader,
 * at every read TSO: the log can drop it (TrimDeletes). Segments created
 * later insert above their CreateSegment, so they need it no more.
 */
export type CoverFields = Pick<SegmentRecord, 'rowsFromTso' | 'deletesAppliedTso'>;

export const minTso = (a: Tso, b: Tso): Tso => (a < b ? a : b);
const maxTso = (a: Tso, b: Tso): Tso => (a > b ? a : b);

/** A segment's cover; `file` (its loaded rows) stands in for a record written before `rowsFromTso` existed. */
export function deleteCoverOf(r: CoverFields, file?: { tsos: readonly Tso[] }): Tso {
  let rowsFrom = r.rowsFromTso;
  if (rowsFrom === undefined && file && file.tsos.length > 0) rowsFrom = file.tsos.reduce(minTso);
  return maxTso(rowsFrom ?? 0n, r.deletesAppliedTso ?? 0n);
}

/** The least cover of a shard's segments that hold rows; undefined when none does. */
export function deleteFloorOf(records: Iterable<CoverFields & Pick<SegmentRecord, 'rows'>>): Tso | undefined {
  let floor: Tso | undefined;
  for (const r of records) if (r.rows > 0) floor = floor === undefined ? deleteCoverOf(r) : minTso(floor, deleteCoverOf(r));
  return floor;
}

/**
 * `deletesAppliedTso` of a rewrite of `parts` (merge, clustering) that applied
 * deletes up to `untilTso`: at least the least of the parts' covers too, since
 * its rows are some of theirs and no delete up to that cover hides any of
 * them. A horizon held back by a snapshot hold may lie below a trim already
 * made; the rewrite must not claim less than its parts did, or a query node
 * whose deletes were trimmed there would refuse the file it needs.
 */
export function rewriteAppliedTso(parts: Iterable<CoverFields & Pick<SegmentRecord, 'rows'>>, untilTso: Tso): Tso {
  return maxTso(untilTso, deleteFloorOf(parts) ?? untilTso);
}
