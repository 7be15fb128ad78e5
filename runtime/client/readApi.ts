import type { OrderByFields } from '../../messages/orderBy.js';
import type { EmbListMetric, MetricType, PrimaryKey } from '../../messages/index.js';
import type { SearchAggregation } from '../../messages/searchAggregation.js';
import type { AggregationBucket } from '../../actors/shared/aggregation/finalize.js';
import type { ConsistencyLevel, RowObject } from './api.js';
import type { SparseInput } from './sparseQueries.js';
import type { Reranker } from './hybridRank.js';
import type { DecayRanker } from './decayRanker.js';
import type { LexicalHighlighter } from './highlighter.js';
import type { SearchRanker } from './functionScore.js';

// What reads ask and answer: queries, searches, hybrid searches, run_analyzer (the methods are NuthatchApi's).

export interface ReadOptions {
  filter?: string;
  /** Values of the filter's template parameters: `age > {min}` with `{ min: 21 }` (Milvus's filter_params). */
  filterParams?: Record<string, unknown>;
  outputFields?: string[];
  partitionNames?: string[];
  consistencyLevel?: ConsistencyLevel;
  /**
   * The IANA zone Timestamptz output fields are written in, and filter `ISO`
   * literals without an offset read in (Milvus's per-request `timezone`);
   * default: the collection's `timezone` property, the database's, else UTC.
   */
  timezone?: string;
}

export interface QueryRequest extends ReadOptions {
  limit?: number;
  offset?: number;
  /**
   * Milvus 3.0's order_by_fields: rows ordered by scalar fields (numbers,
   * VarChar, Bool, Timestamptz), a name (ascending) or `[{field, order: 'asc' | 'desc'}]`;
   * nulls last either way, ties by primary key (messages/orderBy.ts). Not with count(*).
   */
  orderByFields?: OrderByFields;
  /**
   * Milvus 3.0's query aggregation: one row per distinct combination of these
   * fields' values (Bool, Int, VarChar or Timestamptz; nulls a group of their
   * own), holding the aggregates `outputFields` names (`count(*)`, `count(f)`,
   * `sum(f)`, `avg(f)`, `min(f)`, `max(f)`) and any of these fields. Groups in
   * ascending key order, paged by `offset` and `limit` (messages/queryAggregation.ts).
   */
  groupByFields?: string[];
}

export interface SearchRequest extends ReadOptions {
  /**
   * One or more query vectors: dense ones, sparse ones for a sparse field,
   * or texts for a BM25 function's output field (full-text search) or a
   * MINHASH function's (each becomes its signature, as rows' texts do).
   */
  data?: Array<number[] | Float32Array | Uint8Array | SparseInput | string | Array<number[] | Float32Array>>;
  /**
   * Instead of `data` (never with it): primary keys of rows whose vectors
   * (of `annsField`) are the queries, one result list per key in this order
   * (Milvus 2.6.9's primary-key search; primaryKeySearch.ts). Read at the
   * search's guarantee TSO in the partitions it searches; a key no row holds
   * is refused NotFound. Not for a BM25 field or an embedding list, nor in
   * a hybrid search or a search iterator.
   */
  ids?: PrimaryKey[];
  /**
   * A decay ranker (Milvus 2.6's): hits re-ranked by a numeric field's
   * distance from an origin (decayRanker.ts); a boost ranker (Milvus
   * 2.6.2's): candidates matching a filter weighted on every segment
   * (messages/boostRanker.ts); or a FunctionScore of boost rankers and at
   * most one decay ranker, with `params` boost_mode and function_mode (functionScore.ts).
   */
  ranker?: SearchRanker;
  /** Milvus 2.6's lexical highlighter: matched terms tagged in the hits' text fields (highlighter.ts). */
  highlighter?: LexicalHighlighter;
  annsField?: string;
  limit: number;
  offset?: number;
  /** The page of hits (after offset and limit) reordered by scalar fields, as a query's (QueryRequest); equal keys keep the hits' ranking. */
  orderByFields?: OrderByFields;
  /**
   * metricType must match the collection's if given; an embedding-list
   * search (`annsField` `chunks[text_vector]`, `data` a list of embedding
   * lists) takes MAX_SIM_COSINE (the default; MAX_SIM is it too),
   * MAX_SIM_IP or MAX_SIM_L2. params: `ef` (HNSW's
   * candidate list), `nprobe` (IVF lists scanned, 1..65536, default 8),
   * `search_list` (DISKANN's candidate list, at least limit + offset, default 16),
   * `radius` and `range_filter` (a range search: only hits
   * with range_filter <= distance < radius for L2, radius < distance <=
   * range_filter for IP and COSINE). ignoreGrowing leaves out rows of
   * segments not yet sealed. analyzerName (Milvus's analyzer_name): for a
   * BM25 field whose text has multi_analyzer_params, the analyzer (or alias)
   * query texts are analyzed with; the default one if absent. hints
   * (Milvus's): `"iterative_filter"` asks the filter only of the rows the
   * search meets nearest first, until `limit` pass (iterative filtering, for
   * costly filters); `"disable"` filters every row first, as without it.
   */
  searchParams?: { metricType?: MetricType | EmbListMetric | 'MAX_SIM'; params?: Record<string, number | boolean>; ignoreGrowing?: boolean; analyzerName?: string; hints?: string };
  /** Distances rounded to this many decimals (0..6); -1, the default, keeps them. */
  roundDecimal?: number;
  /**
   * A grouping search: `limit` (and `offset`) count groups of hits sharing a
   * value of this scalar field (Bool, an Int, or VarChar), each of up to
   * `groupSize` hits (default 1), groups ranked by their best hit and listed
   * one after another. With `strictGroupSize`, each segment keeps looking
   * until the groups it returns are full.
   */
  groupingField?: string;
  groupSize?: number;
  strictGroupSize?: boolean;
  /**
   * Milvus 3.0's search aggregation (searchAggregation.ts): the search's best
   * `limit` hits (its candidates, as a plain search with the same filter and
   * params returns them) put in buckets by scalar fields, with counts,
   * metrics, top hits and nested buckets. The search then answers buckets
   * ({ agg_buckets }) instead of hits. Not with groupingField, offset, a
   * ranker or a highlighter.
   */
  aggregation?: SearchAggregation;
}

/** A top hit of an aggregation bucket: its primary key, score (distance) and output fields. */
export interface AggregationHit { pk: PrimaryKey; score: number; fields: RowObject }

/** An aggregated search's answer: one list of buckets per query vector. */
export interface AggregatedSearchResult { agg_buckets: Array<Array<AggregationBucket<AggregationHit>>> }

export type { SearchAggregation, SearchAggregationMetric, SearchAggregationOrder, SearchAggregationSort, SearchAggregationTopHits } from '../../messages/searchAggregation.js';
export type { AggregationBucket, AggregationBucketKey } from '../../actors/shared/aggregation/finalize.js';

/**
 * One search of a hybrid search: its own vector field, query vectors (primary keys
 * cannot stand in for them here, as in Milvus), filter, limit and params; its
 * `ranker` may only boost (a Boost Ranker ranks a sub-request, never the fusion).
 */
export type AnnSearch = Pick<SearchRequest, 'annsField' | 'limit' | 'filter' | 'filterParams' | 'searchParams' | 'ranker'> & { data: NonNullable<SearchRequest['data']> };

/** A hybrid search (Milvus's hybrid_search): several searches fused into one ranking. */
export interface HybridSearchRequest extends Pick<ReadOptions, 'outputFields' | 'partitionNames' | 'consistencyLevel' | 'timezone'> {
  searches: AnnSearch[];
  /** How the searches' hits are fused (default RRF with k = 60). */
  rerank?: Reranker;
  /** Instead of `rerank`: a decay ranker, fusing by each row's best normalised score times its decay (decayRanker.ts). */
  ranker?: DecayRanker;
  limit: number;
  offset?: number;
  roundDecimal?: number;
  /**
   * Group the fused hits by this field (Milvus's hybrid search group_by_field):
   * each search is a grouping search, the fused hits are grouped, `limit`
   * groups of up to `groupSize` hits returned, groups ranked by their best hit.
   */
  groupingField?: string;
  groupSize?: number;
  strictGroupSize?: boolean;
  /** The fused page of hits (after offset and limit) reordered by scalar fields, as a search's (SearchRequest.orderByFields). */
  orderByFields?: OrderByFields;
  /**
   * A search aggregation (SearchRequest.aggregation) over the fused hits: the
   * best `limit` of them are the candidates, `_score` their fused score.
   */
  aggregation?: SearchAggregation;
}

/** At most this many searches in one hybrid search (Milvus's limit). */
export const MAX_HYBRID_SEARCHES = 1024;

/** run_analyzer's options (client.runAnalyzer). */
export interface RunAnalyzerOptions {
  analyzerParams?: Record<string, unknown>;
  /** A field's analyzer, instead of analyzerParams. */
  collectionName?: string;
  fieldName?: string;
  /** With a field of multi_analyzer_params: the analyzer (or alias) of each text, one name or one per text (Milvus's analyzer_names); default if absent. */
  analyzerNames?: string | string[];
  withDetail?: boolean;
  withHash?: boolean;
}

/** A term as run_analyzer details it: its offsets in the text (UTF-16 units), its position among the terms, its hash. */
export interface AnalyzerToken { token: string; start_offset?: number; end_offset?: number; position?: number; hash?: number }

/** One hit: the primary key, its distance (smaller is closer for L2; larger for IP/COSINE), and output fields. */
export interface Hit {
  id: PrimaryKey;
  distance: number;
  fields: RowObject;
  /** With a highlighter: per highlighted text field, its fragments with the matched terms tagged (fields without a match left out). */
  highlight?: Record<string, string[]>;
}
