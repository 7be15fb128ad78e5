import type { Bm25Stats, QueryTerms } from '../../../messages/bm25.js';
import { mergeStats } from '../../../messages/bm25.js';
import type { HitRow } from '../../../messages/rpc/records.js';
import type { PrimaryKey } from '../../../messages/schema.js';
import { postingsOf, statsOfPostings } from '../../shared/vector/sparsePostings.js';
import { sparseHits, type SparseScoring, type SparseShape } from '../../shared/vector/sparseSearch.js';
import { mergeGroupedHits } from '../../shared/vector/groupBy.js';
import { mergeHits } from '../../shared/vector/topK.js';
import { boostRows } from '../../shared/vector/boostSegment.js';
import type { RowHit } from '../../shared/vector/bruteForce.js';
import type { Columns } from '../../../messages/filter/index.js';
import { acceptor, rowFields, visibleChunks, type GrowingRead } from './growingSearch.js';
import type { GrowingChunk, ShardData } from './shardData.js';

/**
 * Sparse search and BM25 counts over a shard's growing rows, as of the read
 * (same visibility as growingSearch.ts). Each chunk's postings are built on
 * first use and kept with the chunk. Pure.
 */
export function searchGrowingSparse(shard: ShardData, r: GrowingRead, field: string, queries: QueryTerms[], scoring: SparseScoring, shape: SparseShape): HitRow[][] {
  const perQuery: Array<Array<Array<{ pk: PrimaryKey; distance: number; c: GrowingChunk; row: number; group?: unknown }>>> = queries.map(() => []);
  const { group } = shape;
  for (const c of visibleChunks(shard, r)) {
    const p = postingsOf(c.fields[field], c.count), accept = acceptor(shard, c, r);
    const values = group ? c.fields[group.field] : undefined, gd = group ? r.defaults?.get(group.field) : undefined;
    const boost = r.boost ? (pool: RowHit[]) => boostRows(r.boost!, { ...c.fields, [r.pkName]: c.pks } as Columns, pool, 'IP', shape.k) : undefined;
    queries.forEach((q, qi) => perQuery[qi]!.push(sparseHits(p, c.count, q, scoring, shape, accept, (row) => values?.[row] ?? gd, boost)
      .map((h) => ({ pk: c.pks[h.row]!, distance: h.distance, c, row: h.row, ...(group ? { group: h.group } : {}) }))));
  }
  return perQuery.map((lists) => (group ? mergeGroupedHits(lists, shape.k, group.size, 'IP') : mergeHits(lists, shape.k, 'IP'))
    .map((h) => ({ pk: h.pk, distance: h.distance, fields: rowFields(h.c, h.row, r), ...(group ? { group: h.group } : {}) })));
}

/** Counts of the live growing rows; a read's filter is not applied (idf is the collection's, not a filter's). */
export function statsGrowing(shard: ShardData, r: GrowingRead, field: string, terms: readonly number[]): Bm25Stats {
  const unfiltered = { ...r, filter: null };
  return mergeStats(visibleChunks(shard, unfiltered).map((c) => statsOfPostings(postingsOf(c.fields[field], c.count), c.count, terms, acceptor(shard, c, unfiltered))), terms.length);
}
