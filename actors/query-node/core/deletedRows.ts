import { hidden, type DeleteIndex } from '../../shared/segment/deleteIndex.js';
import type { SealedSegment } from '../../shared/segment/segmentFile.js';
import type { Tso } from '../../../messages/types.js';

/**
 * Which rows of a sealed segment the shard's deletes hide, worked out once
 * and kept while the delete index is unchanged. A read newer than every
 * delete (the usual Bounded or Strong read) sees the same hidden rows whatever
 * its TSO, so it takes them from here: a byte per row instead of a key lookup
 * and a walk of the key's deletes for every row it asks about, and a segment
 * no delete reaches reads as if the shard had none (no per-row test at all).
 * A read older than some delete asks per row, as before. Before this a
 * count(*) of a segment with half its rows deleted cost 8x that of the live
 * rows alone, 25x with 90% deleted (bench heavyDeletes).
 */

/** The delete index as a read takes it: `seq`, the log entries it holds, names its contents; `maxTso`, its newest delete. */
export interface DeleteVersion { seq: number; maxTso: Tso }

/** A segment's rows hidden by every delete of an index: `rows[row]` is 1 when hidden; `count` of them. */
export interface HiddenRows { rows: Uint8Array; count: number }

const memo = new WeakMap<SealedSegment, { index: DeleteIndex; seq: number; hidden: HiddenRows }>();

/**
 * The rows of `seg` the deletes of `index` hide at any read TSO from
 * `version.maxTso` on; undefined when `readTso` is older (the read decides per
 * row). Memoized per segment (segments are immutable) for this index at this
 * `seq`. Trimming the index changes no answer: it drops only deletes whose
 * rows are gone from every file the node holds.
 */
export function hiddenRows(seg: SealedSegment, index: DeleteIndex, version: DeleteVersion, readTso: Tso): HiddenRows | undefined {
  if (readTso < version.maxTso) return undefined;
  const kept = memo.get(seg);
  if (kept && kept.index === index && kept.seq === version.seq) return kept.hidden;
  const rows = new Uint8Array(seg.count);
  let count = 0;
  if (index.size > 0) {
    for (let row = 0; row < seg.count; row++) {
      const marks = index.get(seg.pks[row]!);
      if (marks && hidden(marks, seg.partitionId, seg.tsos[row]!, version.maxTso)) { rows[row] = 1; count++; }
    }
  }
  const out = { rows, count };
  memo.set(seg, { index, seq: version.seq, hidden: out });
  return out;
}
