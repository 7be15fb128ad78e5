import type { Bm25Stats } from '../bm25.js';
import type { Tso } from '../types.js';

/**
 * The sparse part of a shard search (ShardSearch.sparse): nq query vectors
 * (messages/sparse.ts bytes; `queries` is then empty) and, for a BM25 field,
 * the collection-wide counts of round one, summed by the client, that every
 * shard scores with (messages/bm25.ts).
 */
export interface SparseQuery {
  queries: Uint8Array[];
  bm25?: { k1: number; b: number; terms: number[]; stats: Bm25Stats };
}

/** Round one of a BM25 search: a shard's counts of these terms among its live rows at the read TSO. */
export interface ShardBm25Stats {
  vchannel: string;
  collectionId: number;
  annsField: string;
  terms: number[];
  partitionIds: number[] | null;
  guaranteeTso: Tso;
  mvccTso?: Tso;
}
