import type { DeleteIndex } from '../../shared/segment/deleteIndex.js';
import type { Tso } from '../../../messages/types.js';
import type { SealedSegment } from '../../shared/segment/segmentFile.js';
import { rangeOf, type KeyRange } from '../../shared/cluster/keyRange.js';
import { mergeSegments } from './segmentMerge.js';
import type { RewriteRules } from './segmentCompaction.js';
import { orderByKey, splitPoints } from './clusterSplit.js';

/**
 * Clustering compaction (pure), Milvus's: the sealed segments of one
 * partition of one shard are rewritten, without the rows deletes reached by
 * `untilTso` (as merge compaction leaves them out), as segments that each
 * hold one contiguous range of the clustering key `key` (clusterSplit.ts),
 * under the ids `ids` (the first ones used; there must be enough for every
 * `targetRows` rows, plus one). Rows keep their insert TSOs.
 */
export interface ClusterResult { segs: Array<{ seg: SealedSegment; range?: KeyRange }>; removed: number; pending: number }

export function clusterSegments(parts: readonly SealedSegment[], ids: readonly number[], key: string, targetRows: number, deletes: DeleteIndex, untilTso: Tso, rules: RewriteRules = {}): ClusterResult {
  const all = mergeSegments(parts, { segmentId: ids[0] ?? 0 }, deletes, untilTso, rules);
  const m = all.seg;
  const keys = m.fields[key] ?? new Array<unknown>(m.count).fill(null);
  const order = orderByKey(keys.slice(0, m.count), m.pks);
  const sorted = order.map((r) => keys[r]);
  const cuts = splitPoints(sorted, targetRows);
  const bounds = [0, ...cuts, m.count];
  if (m.count > 0 && bounds.length - 1 > ids.length) throw new Error(`clustering ${m.count} rows needs ${bounds.length - 1} segment ids, got ${ids.length}`);
  const segs: ClusterResult['segs'] = [];
  for (let g = 0; g + 1 < bounds.length && m.count > 0; g++) {
    const rows = order.slice(bounds[g], bounds[g + 1]);
    const vectors = new Float32Array(rows.length * m.dim);
    rows.forEach((r, i) => vectors.set(m.vectors.subarray(r * m.dim, (r + 1) * m.dim), i * m.dim));
    const fields: Record<string, unknown[]> = {};
    for (const [name, col] of Object.entries(m.fields)) fields[name] = rows.map((r) => col[r]);
    const seg: SealedSegment = { ...m, segmentId: ids[g]!, count: rows.length, pks: rows.map((r) => m.pks[r]!), tsos: rows.map((r) => m.tsos[r]!), vectors, fields };
    const range = rangeOf(fields[key] ?? []);
    segs.push(range ? { seg, range } : { seg });
  }
  return { segs, removed: all.removed, pending: all.pending };
}
