import type { Bm25Stats, QueryTerms } from '../../../messages/bm25.js';
import { mergeStats } from '../../../messages/bm25.js';
import type { HitRow } from '../../../messages/rpc/records.js';
import type { PrimaryKey } from '../../../messages/schema.js';
import type { SealedSegment } from '../../shared/segment/segmentFile.js';
import { postingsOf, statsOfPostings } from '../../shared/vector/sparsePostings.js';
import { sparseHits, type SparseScoring, type SparseShape } from '../../shared/vector/sparseSearch.js';
import { mergeGroupedHits } from '../../shared/vector/groupBy.js';
import { mergeHits } from '../../shared/vector/topK.js';
import { boostRows } from '../../shared/vector/boostSegment.js';
import type { RowHit } from '../../shared/vector/bruteForce.js';
import type { Columns } from '../../../messages/filter/index.js';
import { acceptRow, sealedRowFields, type SealedRead } from './sealedSearch.js';

/**
 * Sparse search and BM25 counts over sealed segments at a read TSO (same
 * visibility as sealedSearch.ts). A segment's postings are its in-memory
 * SPARSE_INVERTED_INDEX, built on the first search after load. Pure.
 */
export function searchSealedSparse(segs: SealedSegment[], r: SealedRead, field: string, queries: QueryTerms[], scoring: SparseScoring, shape: SparseShape): HitRow[][] {
  const perQuery: Array<Array<Array<{ pk: PrimaryKey; distance: number; seg: SealedSegment; row: number; group?: unknown }>>> = queries.map(() => []);
  const { group } = shape;
  for (const seg of segs) {
    const accept = acceptRow(seg, r);
    if (accept === null) continue;
    const p = postingsOf(seg.fields[field], seg.count);
    const values = group ? seg.fields[group.field] : undefined, gd = group ? r.defaults?.get(group.field) : undefined;
    const boost = r.boost ? (pool: RowHit[]) => boostRows(r.boost!, { ...seg.fields, [r.pkName]: seg.pks } as Columns, pool, 'IP', shape.k) : undefined;
    queries.forEach((q, qi) => perQuery[qi]!.push(sparseHits(p, seg.count, q, scoring, shape, accept, (row) => values?.[row] ?? gd, boost)
      .map((h) => ({ pk: seg.pks[h.row]!, distance: h.distance, seg, row: h.row, ...(group ? { group: h.group } : {}) }))));
  }
  return perQuery.map((lists) => (group ? mergeGroupedHits(lists, shape.k, group.size, 'IP') : mergeHits(lists, shape.k, 'IP'))
    .map((h) => ({ pk: h.pk, distance: h.distance, fields: sealedRowFields(h.seg, h.row, r), ...(group ? { group: h.group } : {}) })));
}

/** Counts of the segments' live rows; a read's filter is not applied (idf is the collection's, not a filter's). */
export function statsSealed(segs: SealedSegment[], r: SealedRead, field: string, terms: readonly number[]): Bm25Stats {
  const unfiltered = { ...r, filter: null };
  const parts: Bm25Stats[] = [];
  for (const seg of segs) {
    const accept = acceptRow(seg, unfiltered);
    if (accept !== null) parts.push(statsOfPostings(postingsOf(seg.fields[field], seg.count), seg.count, terms, accept));
  }
  return mergeStats(parts, terms.length);
}
