import type { DeleteIndex } from '../../shared/segment/deleteIndex.js';
import type { PrimaryKey } from '../../../messages/schema.js';
import type { Tso } from '../../../messages/types.js';
import type { SealedSegment } from '../../shared/segment/segmentFile.js';
import { compactSegment, type RewriteRules } from './segmentCompaction.js';

/**
 * Merge compaction (pure): several small sealed segments of one partition
 * become one, under a new id, without the rows deletes reached by `untilTso`
 * (as delete compaction leaves them out). Rows keep their insert TSOs, so MVCC
 * reads see the same rows in the merged segment as in its parts. Columns are
 * the union of the parts' (a field one part lacks is null there).
 */
export interface MergeResult { seg: SealedSegment; removed: number; pending: number }

export function mergeSegments(parts: readonly SealedSegment[], into: { segmentId: number }, deletes: DeleteIndex, untilTso: Tso, rules: RewriteRules = {}): MergeResult {
  if (parts.length === 0) throw new Error('a merge needs at least one segment');
  const first = parts[0]!;
  const compacted = parts.map((p) => compactSegment(p, deletes, untilTso, rules));
  const count = compacted.reduce((n, c) => n + c.seg.count, 0);
  const vectors = new Float32Array(count * first.dim);
  const names = new Set(compacted.flatMap((c) => Object.keys(c.seg.fields)));
  const fields: Record<string, unknown[]> = Object.fromEntries([...names].map((n) => [n, []]));
  const pks: PrimaryKey[] = [], tsos: Tso[] = [];
  let at = 0;
  for (const { seg } of compacted) {
    if (seg.dim !== first.dim || seg.partitionId !== first.partitionId || seg.vchannel !== first.vchannel) throw new Error(`segment ${seg.segmentId} does not belong with segment ${first.segmentId}`);
    vectors.set(seg.vectors.subarray(0, seg.count * seg.dim), at * first.dim);
    for (let r = 0; r < seg.count; r++) { pks.push(seg.pks[r]!); tsos.push(seg.tsos[r]!); }
    for (const n of names) { const col = seg.fields[n]; const out = fields[n]!; for (let r = 0; r < seg.count; r++) out.push(col ? col[r] ?? null : null); }
    at += seg.count;
  }
  return {
    seg: { segmentId: into.segmentId, collectionId: first.collectionId, partitionId: first.partitionId, vchannel: first.vchannel, count, dim: first.dim, pks, tsos, vectors, fields },
    removed: compacted.reduce((n, c) => n + c.removed, 0),
    pending: compacted.reduce((n, c) => n + c.pending, 0),
  };
}
