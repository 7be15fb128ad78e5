import type { Bm25Stats, QueryTerms } from '../../../messages/bm25.js';
import { mergeStats } from '../../../messages/bm25.js';
import type { HitRow } from '../../../messages/rpc/records.js';
import type { PrimaryKey } from '../../../messages/schema.js';
import { postingsOf, statsOfPostings } from '../../shared/vector/sparsePostings.js';
import { searchPostings, type SparseScoring } from '../../shared/vector/sparseSearch.js';
import { mergeHits } from '../../shared/vector/topK.js';
import { acceptor, rowFields, visibleChunks, type GrowingRead } from './growingSearch.js';
import type { GrowingChunk, ShardData } from './shardData.js';

/**
 * Sparse search and BM25 counts over a shard's growing rows, as of the read
 * (same visibility as growingSearch.ts). Each chunk's postings are built on
 * first use and kept with the chunk. Pure.
 */
export function searchGrowingSparse(shard: ShardData, r: GrowingRead, field: string, queries: QueryTerms[], scoring: SparseScoring, k: number): HitRow[][] {
  const perQuery: Array<Array<Array<{ pk: PrimaryKey; distance: number; c: GrowingChunk; row: number }>>> = queries.map(() => []);
  for (const c of visibleChunks(shard, r)) {
    const p = postingsOf(c.fields[field], c.count), accept = acceptor(shard, c, r);
    queries.forEach((q, qi) => perQuery[qi]!.push(searchPostings(p, q, scoring, k, accept).map((h) => ({ pk: c.pks[h.row]!, distance: h.distance, c, row: h.row }))));
  }
  return perQuery.map((lists) => mergeHits(lists, k, 'IP').map((h) => ({ pk: h.pk, distance: h.distance, fields: rowFields(h.c, h.row, r) })));
}

/** Counts of the live growing rows; a read's filter is not applied (idf is the collection's, not a filter's). */
export function statsGrowing(shard: ShardData, r: GrowingRead, field: string, terms: readonly number[]): Bm25Stats {
  const unfiltered = { ...r, filter: null };
  return mergeStats(visibleChunks(shard, unfiltered).map((c) => statsOfPostings(postingsOf(c.fields[field], c.count), c.count, terms, acceptor(shard, c, unfiltered))), terms.length);
}
