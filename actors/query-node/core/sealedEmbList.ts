import type { HitRow } from '../../../messages/rpc/records.js';
import type { EmbListMetric } from '../../../messages/structArray.js';
import type { PrimaryKey } from '../../../messages/schema.js';
import type { SealedSegment } from '../../shared/segment/segmentFile.js';
import { embListBlock, pairMetric, searchEmbLists, subVectors, type EmbListTarget } from '../../shared/vector/maxSim.js';
import type { VectorIndex } from '../../../runtime/vectorIndex/vectorIndex.js';
import { mergeHits } from '../../shared/vector/topK.js';
import { acceptRow, sealedRowFields, type SealedRead } from './sealedSearch.js';

/**
 * Embedding-list search over sealed segments at a read TSO (same visibility
 * as sealedSearch.ts): exact MAX_SIM over each row's list, of every visible
 * row, or with an index of the sub-field of its candidates only. Pure.
 */
export function searchSealedEmbList(segs: Array<{ seg: SealedSegment; candidates?: Candidates }>, r: SealedRead, t: EmbListTarget, queries: Float32Array[][], metric: EmbListMetric, k: number): HitRow[][] {
  const perQuery: Array<Array<Array<{ pk: PrimaryKey; distance: number; seg: SealedSegment; row: number }>>> = queries.map(() => []);
  for (const { seg, candidates } of segs) {
    const accept = acceptRow(seg, r);
    if (accept === null) continue;
    const column = seg.fields[t.field];
    const listOf = (row: number) => subVectors(column?.[row], t.sub);
    // With an index, each query list scores its own candidates; without, one scan scores every row for all lists.
    const hits = candidates
      ? queries.map((q) => searchEmbLists({ count: seg.count, listOf, queries: [q], dim: t.dim, k, metric, rows: candidates(q), ...(accept ? { accept } : {}) })[0]!)
      : searchEmbLists({ count: seg.count, listOf, queries, dim: t.dim, k, metric, ...(accept ? { accept } : {}) });
    hits.forEach((rows, qi) => perQuery[qi]!.push(rows.map((h) => ({ pk: seg.pks[h.row]!, distance: h.distance, seg, row: h.row }))));
  }
  return perQuery.map((lists) => mergeHits(lists, k, pairMetric(metric)).map((h) => ({ pk: h.pk, distance: h.distance, fields: sealedRowFields(h.seg, h.row, r) })));
}

/** The rows an index offers for one query list (rows of the elements nearest its vectors). */
export type Candidates = (query: readonly Float32Array[]) => Iterable<number>;

/**
 * Candidates from an index over a segment's elements (shared/vector/maxSim.ts
 * embListBlock numbers them): for each query vector the `ef` nearest
 * elements, and the rows they belong to. Rows outside that pool are never
 * scored, so results equal the exact ones when the pool holds the true top k.
 */
export function embListCandidates(index: Pick<VectorIndex, 'search'>, seg: SealedSegment, t: EmbListTarget, ef: number): Candidates {
  let rowOf: Int32Array | undefined;
  return (query) => {
    rowOf ??= embListBlock(seg.fields[t.field], seg.count, t.sub, t.dim).rowOf;
    const rows = new Set<number>();
    for (const q of query) for (const h of index.search(q, ef, { ef })) rows.add(rowOf[h.row]!);
    return rows;
  };
}
