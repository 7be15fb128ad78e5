import type { HitRow } from '../../../messages/rpc/records.js';
import type { EmbListMetric } from '../../../messages/structArray.js';
import type { PrimaryKey } from '../../../messages/schema.js';
import type { SealedSegment } from '../../shared/segment/segmentFile.js';
import { pairMetric, searchEmbLists, subVectors, type EmbListTarget } from '../../shared/vector/maxSim.js';
import { mergeHits } from '../../shared/vector/topK.js';
import { acceptRow, sealedRowFields, type SealedRead } from './sealedSearch.js';

/**
 * Embedding-list search over sealed segments at a read TSO (same visibility
 * as sealedSearch.ts): exact MAX_SIM over each row's list. No ANN index is
 * read: every visible row is scored. Pure.
 */
export function searchSealedEmbList(segs: SealedSegment[], r: SealedRead, t: EmbListTarget, queries: Float32Array[][], metric: EmbListMetric, k: number): HitRow[][] {
  const perQuery: Array<Array<Array<{ pk: PrimaryKey; distance: number; seg: SealedSegment; row: number }>>> = queries.map(() => []);
  for (const seg of segs) {
    const accept = acceptRow(seg, r);
    if (accept === null) continue;
    const column = seg.fields[t.field];
    const hits = searchEmbLists({ count: seg.count, listOf: (row) => subVectors(column?.[row], t.sub), queries, dim: t.dim, k, metric, ...(accept ? { accept } : {}) });
    hits.forEach((rows, qi) => perQuery[qi]!.push(rows.map((h) => ({ pk: seg.pks[h.row]!, distance: h.distance, seg, row: h.row }))));
  }
  return perQuery.map((lists) => mergeHits(lists, k, pairMetric(metric)).map((h) => ({ pk: h.pk, distance: h.distance, fields: sealedRowFields(h.seg, h.row, r) })));
}
