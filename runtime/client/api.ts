import type { LoadOptions, ResourceGroupApi } from './resourceGroupApi.js';
import type { OrderByFields } from '../../messages/orderBy.js';
import type { FunctionSchema } from '../../messages/schemaFunctions.js';
import type { SparseInput } from './sparseQueries.js';
import type { CollectionSchema, EmbListMetric, FieldSchema, IndexParams, MetricType, PrimaryKey } from '../../messages/index.js';
import type { Reranker } from './hybridRank.js';
import type { QueryIterator, QueryIteratorRequest } from './queryIterator.js';
import type { BatchIterator } from './batchIterator.js';
import type { SearchIteratorRequest } from './searchIterator.js';

/**
 * What a user can ask of nuthatch, typed. The HTTP gateway (runtime/http/) maps
 * Milvus RESTful v2 requests onto this interface; the client (runtime/client/
 * client.ts) implements it by sending typed messages over the bus. Every method
 * rejects with a NuthatchError (a stable `code`) on bad input or failure.
 */
export const ConsistencyLevel = { Strong: 'Strong', Bounded: 'Bounded', Session: 'Session', Eventually: 'Eventually' } as const;
export type ConsistencyLevel = (typeof ConsistencyLevel)[keyof typeof ConsistencyLevel];

export interface CreateCollectionRequest {
  collectionName: string;
  schema: CollectionSchema;
  metricType: MetricType;
  /** Number of vchannels (shards); default 1. */
  shardsNum?: number;
  consistencyLevel?: ConsistencyLevel;
  /** Indexes to create with the collection (quick create makes a default one). */
  indexParams?: Array<Omit<IndexParams, 'metricType'> & { metricType?: MetricType }>;
  /** Load the collection right away (Milvus does when indexParams are given). */
  load?: boolean;
  /** By Milvus's names: `collection.ttl.seconds` (rows expire that long after their insert; 0: never). */
  properties?: Record<string, string | number | boolean>;
  /**
   * With a partition key field (`isPartitionKey`): how many partitions,
   * `_default_0 .. _default_{n-1}`, its rows are spread over (default 16, at most 1024).
   */
  numPartitions?: number;
}

export interface CollectionDescription {
  collectionName: string;
  /** The database it is in. */
  dbName: string;
  collectionId: number;
  schema: CollectionSchema;
  metricType: MetricType;
  shardsNum: number;
  vchannels: string[];
  partitions: Array<{ id: number; name: string }>;
  /** How many partitions (with a partition key, the key partitions). */
  numPartitions: number;
  consistencyLevel: ConsistencyLevel;
  loadState: LoadState;
  indexes: IndexParams[];
  createdTso: bigint;
  /** The schema version writes are shaped against (Milvus's `update_timestamp`, messages/schemaVersion.ts). */
  schemaVersion: bigint;
  aliases: string[];
  /** The properties set, as Milvus lists them: `[{ key: 'collection.ttl.seconds', value: '3600' }]`. */
  properties: Array<{ key: string; value: string }>;
  /** While loaded with load_fields or skip_load_dynamic_field: the fields loaded; absent: every field. */
  loadFields?: string[];
  skipLoadDynamicField?: boolean;
}

export type LoadState = 'LoadStateNotLoad' | 'LoadStateLoading' | 'LoadStateLoaded';

export interface IndexDescription extends IndexParams {
  indexState: 'Finished' | 'InProgress' | 'None';
  indexedRows: number;
  totalRows: number;
  pendingRows: number;
}

/** A row as users write it: field name -> value (vectors as number arrays). */
import type { SearchAggregation } from '../../messages/searchAggregation.js';
import type { AggregationBucket } from '../../actors/shared/aggregation/finalize.js';

export type RowObject = Record<string, unknown>;

import type { DecayRanker } from './decayRanker.js';
import type { LexicalHighlighter } from './highlighter.js';
export type { DecayRanker } from './decayRanker.js';
import type { SearchRanker } from './functionScore.js';
export type { FunctionScore, SearchRanker } from './functionScore.js';
export type { BoostRanker, BoostMode, FunctionScoreParams } from '../../messages/boostRanker.js';

/** A bulk import: the collection, an optional partition, and the object keys of JSON row files. */
export interface ImportRequest { collectionName: string; partitionName?: string; files: string[][] | string[] }

export type { ImportJobView } from '../../messages/rpc/coordinator.js';
import type { ImportJobView } from '../../messages/rpc/coordinator.js';
export type { BackupView, RestoreJobView } from '../../messages/rpc/backup.js';
export type { SnapshotView, RestoreSnapshotJobView } from '../../messages/rpc/snapshot.js';
import type { SnapshotView, RestoreSnapshotJobView } from '../../messages/rpc/snapshot.js';
import type { BackupView, RestoreJobView } from '../../messages/rpc/backup.js';

/** Milvus's upsert options: `partialUpdate` (merge mode) keeps the stored values of the fields a row leaves out. */
export interface UpsertOptions { partialUpdate?: boolean }

/**
 * Milvus's alter_collection_field: `fieldParams` by Milvus's names,
 * `{max_length: 1024}` or `{max_capacity: 64}` (integers, or strings of one as
 * the Java SDK sends); mmap is refused (nuthatch keeps no memory-mapped data).
 */
export interface AlterCollectionFieldRequest { collectionName: string; fieldName: string; fieldParams: Record<string, unknown> }

export interface WriteResult { count: number; ids: PrimaryKey[]; tso: bigint }

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

/** One search of a hybrid search: its own vector field, query vectors, filter, limit and params. */
/** One search of a hybrid search: query vectors (primary keys cannot stand in for them here, as in Milvus). */
/** One search of a hybrid search; its `ranker` may only boost (Milvus: a Boost Ranker ranks a sub-request, never the fusion). */
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

/** One hit: the primary key, its distance (smaller is closer for L2; larger for IP/COSINE), and output fields. */
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

export interface Hit {
  id: PrimaryKey;
  distance: number;
  fields: RowObject;
  /** With a highlighter: per highlighted text field, its fragments with the matched terms tagged (fields without a match left out). */
  highlight?: Record<string, string[]>;
}

/** A database as describe_database tells it (Milvus's name, id, created time and properties). */
export interface DatabaseDescription {
  dbName: string;
  dbId: number;
  /** When it was made: its TSO, and the TSO's physical time in ms. */
  createdTso: bigint;
  createdTimestamp: number;
  /** As Milvus lists them: `[{ key: 'database.replica.number', value: '1' }]`. */
  properties: Array<{ key: string; value: string }>;
}

export interface NuthatchApi extends ResourceGroupApi {
  /**
   * Databases (Milvus's): every collection-scoped call resolves its collection
   * (or alias) in the client's current database, 'default' unless chosen.
   */
  createDatabase(dbName: string, properties?: Record<string, string | number | boolean>): Promise<void>;
  /** Refused for 'default', and for a database that holds collections (DatabaseNotEmpty). */
  dropDatabase(dbName: string): Promise<void>;
  listDatabases(): Promise<string[]>;
  describeDatabase(dbName: string): Promise<DatabaseDescription>;
  alterDatabaseProperties(dbName: string, properties: Record<string, string | number | boolean>): Promise<void>;
  dropDatabaseProperties(dbName: string, propertyKeys: string[]): Promise<void>;
  /** Makes `dbName` the current database of this client (Milvus's using_database); refused when it does not exist. */
  useDatabase(dbName: string): Promise<void>;
  /** The current database. */
  readonly dbName: string;
  /**
   * The same client (connections, caches) working in another database, leaving
   * this one's current database as it is: what a server serving many callers
   * (the HTTP gateway) uses per request. The database is not checked here.
   */
  database(dbName: string): NuthatchApi;

  createCollection(req: CreateCollectionRequest): Promise<void>;
  describeCollection(name: string): Promise<CollectionDescription>;
  listCollections(): Promise<string[]>;
  hasCollection(name: string): Promise<boolean>;
  dropCollection(name: string): Promise<void>;
  truncateCollection(name: string): Promise<void>;
  /**
   * Renames a collection by its own name (not an alias); its aliases follow it, and other clients learn of it at once.
   * With `newDbName`, moves it to that database (refused while it has aliases, as Milvus refuses it).
   */
  renameCollection(name: string, newName: string, newDbName?: string): Promise<void>;
  /** Adds a nullable scalar field to a live collection; rows written before it read null. */
  addCollectionField(name: string, field: FieldSchema): Promise<void>;
  /**
   * Changes a field's max_length (VarChar, Array of VarChar) or max_capacity
   * (Array), not the primary key's nor the partition key's. Writes stamped
   * after it are checked against the new limit; stored rows stay as written.
   */
  alterCollectionField(req: AlterCollectionFieldRequest): Promise<void>;
  /**
   * Drops a field (Milvus's drop_collection_field): not a key, a function's
   * input or output, nor an indexed field (drop its index first). Reads no
   * longer show it and writes naming it are refused; its name is not taken again.
   */
  dropCollectionField(req: { collectionName: string; fieldName: string }): Promise<void>;
  /**
   * Adds a BM25 or MINHASH function over fields the collection has (Milvus 2.6's
   * add_collection_function): writes stamped after it carry its output, computed
   * from its input; rows written before keep what they were written with.
   */
  addCollectionFunction(req: { collectionName: string; function: FunctionSchema }): Promise<void>;
  /** Replaces the input field and params of the function of `function.name` for writes after it (not its type nor output). */
  alterCollectionFunction(req: { collectionName: string; functionName?: string; function: FunctionSchema }): Promise<void>;
  /** Drops a function (not while its output field is indexed); the output field stays, a plain field writes must give. */
  dropCollectionFunction(req: { collectionName: string; functionName: string }): Promise<void>;
  /** Sets properties by Milvus's names (`collection.ttl.seconds`); every shard applies them from one TSO on. */
  alterCollectionProperties(name: string, properties: Record<string, string | number | boolean>): Promise<void>;
  /** Unsets properties by name (a TTL unset: rows no longer expire). */
  dropCollectionProperties(name: string, keys: string[]): Promise<void>;
  getCollectionStats(name: string): Promise<{ rowCount: number }>;
  /** Loads sealed segments on query nodes: `replicaNumber` replicas, in `resourceGroups` (see ResourceGroupApi). */
  loadCollection(name: string, opts?: LoadOptions): Promise<void>;
  releaseCollection(name: string): Promise<void>;
  /**
   * Milvus's refresh_load: a loaded collection loads again with the options it
   * was loaded with (replicas, resource groups, field set, partitions), so
   * whatever it does not serve yet is placed; CollectionNotLoaded when it is not loaded.
   */
  refreshLoad(name: string): Promise<void>;
  /** With partitionNames: theirs (loaded only when every one is). */
  /** A partial load's fields too (loadFields, skipLoadDynamicField). */
  getLoadState(name: string, partitionNames?: string[]): Promise<{ loadState: LoadState; loadProgress: number; loadFields?: string[]; skipLoadDynamicField?: boolean }>;
  /**
   * Loads some partitions: searches and queries read them (a collection not loaded reads only these).
   * `loadFields`/`skipLoadDynamicField` make it a partial load, as loadCollection's; later partitions
   * take the same set (or name none).
   */
  loadPartitions(collection: string, partitions: string[], opts?: Pick<LoadOptions, 'loadFields' | 'skipLoadDynamicField'>): Promise<void>;
  /** Releases some partitions; releasing the last loaded one releases the collection. */
  releasePartitions(collection: string, partitions: string[]): Promise<void>;
  /** Seals growing segments and waits until they are persisted. */
  flush(name: string): Promise<void>;
  /** Another name for a collection: reads, writes and descriptions through it reach the collection. */
  createAlias(collection: string, alias: string): Promise<void>;
  /** Moves an alias to another collection in one step (every client sees it within a second). */
  alterAlias(collection: string, alias: string): Promise<void>;
  dropAlias(alias: string): Promise<void>;
  describeAlias(alias: string): Promise<{ alias: string; collectionName: string }>;
  /** Every alias, or those of one collection. */
  listAliases(collection?: string): Promise<string[]>;
  /**
   * Starts a manual compaction (deleted rows out, small segments merged); returns its id.
   * With `isClustering: true`, a clustering compaction (Milvus's `compact(name, is_clustering=True)`):
   * each partition's sealed segments rewritten into contiguous ranges of the clustering key.
   */
  compact(target: string | { collectionName: string; isClustering?: boolean }): Promise<{ compactionID: number }>;
  /** A manual compaction's state: 'Executing', 'Completed', or 'UndefiedState' for an id the coordinator does not know. */
  getCompactionState(compactionID: number): Promise<{ state: 'UndefiedState' | 'Executing' | 'Completed' }>;
  /**
   * A bulk import of JSON row files in object storage (Milvus's jobs/import):
   * `files` as Milvus takes them, `[["data/a.json"], ...]`. Every file is
   * checked before any row is written; then rows go through the WAL.
   */
  createImportJob(req: ImportRequest): Promise<{ jobId: number }>;
  getImportJobProgress(jobId: number): Promise<ImportJobView>;
  listImportJobs(collectionName?: string): Promise<ImportJobView[]>;
  /**
   * Backs a collection up (nuthatch's own, as milvus-backup does for Milvus):
   * its rows at one TSO, taken now, written as bulk import files under
   * `backups/<backupName>/` with a meta.json; runs as a job (see describeBackup).
   */
  createBackup(collectionName: string, backupName: string): Promise<{ backupName: string; tso: bigint }>;
  /** A backup's collection, TSO, rows, state and progress. */
  describeBackup(backupName: string): Promise<BackupView>;
  /** The backups of collections of this database, or of one collection. */
  listBackups(collectionName?: string): Promise<BackupView[]>;
  /** Deletes a backup's files. */
  dropBackup(backupName: string): Promise<void>;
  /** Makes the backed-up collection again as `collectionName` in `dbName` (default: this database), its rows imported; a job. */
  restoreBackup(backupName: string, collectionName: string, dbName?: string): Promise<{ jobId: number }>;
  getRestoreProgress(jobId: number): Promise<RestoreJobView>;
  listRestoreJobs(backupName?: string): Promise<RestoreJobView[]>;
  /**
   * Takes a snapshot of a collection (Milvus 3.0's create_snapshot): a
   * metadata-only image of it now, naming its sealed segment files (flushed
   * first) and the deletes that reach them; its files stay while it exists.
   * Names are unique in the cluster.
   */
  createSnapshot(req: { collectionName: string; snapshotName: string; description?: string }): Promise<SnapshotView>;
  /** The snapshots of this database's collection, or every snapshot. */
  listSnapshots(req?: { collectionName?: string }): Promise<SnapshotView[]>;
  describeSnapshot(snapshotName: string): Promise<SnapshotView>;
  /** Drops a snapshot; files nothing else names then are deleted. */
  dropSnapshot(snapshotName: string): Promise<void>;
  /** Makes a new collection from a snapshot over the same files (`targetDbName` default: this database); a job. */
  restoreSnapshot(req: { snapshotName: string; targetCollectionName: string; targetDbName?: string }): Promise<{ jobId: number }>;
  getRestoreSnapshotState(jobId: number): Promise<RestoreSnapshotJobView>;
  listRestoreSnapshotJobs(snapshotName?: string): Promise<RestoreSnapshotJobView[]>;

  createPartition(collection: string, partition: string): Promise<void>;
  listPartitions(collection: string): Promise<string[]>;
  hasPartition(collection: string, partition: string): Promise<boolean>;
  dropPartition(collection: string, partition: string): Promise<void>;
  getPartitionStats(collection: string, partition: string): Promise<{ rowCount: number }>;

  createIndex(collection: string, index: Omit<IndexParams, 'metricType'> & { metricType?: MetricType }): Promise<void>;
  describeIndex(collection: string, indexName?: string): Promise<IndexDescription[]>;
  listIndexes(collection: string): Promise<string[]>;
  dropIndex(collection: string, indexName: string): Promise<void>;

  insert(collection: string, rows: RowObject[], partitionName?: string): Promise<WriteResult>;
  /** Delete + insert in one transaction per shard; with `partialUpdate`, rows carry only the fields they change (partialUpsert.ts). */
  upsert(collection: string, rows: RowObject[], partitionName?: string, opts?: UpsertOptions): Promise<WriteResult>;
  /** By ids, or by a filter (evaluated at Strong consistency, then deleted by id). */
  delete(collection: string, req: { ids?: PrimaryKey[]; filter?: string; filterParams?: Record<string, unknown>; partitionName?: string }): Promise<{ count: number; tso: bigint }>;
  get(collection: string, ids: PrimaryKey[], opts?: ReadOptions): Promise<RowObject[]>;
  query(collection: string, req: QueryRequest): Promise<RowObject[]>;
  /** One list of hits per query vector. */
  search(collection: string, req: SearchRequest & { aggregation: SearchAggregation }): Promise<AggregatedSearchResult>;
  search(collection: string, req: SearchRequest): Promise<Hit[][]>;
  /** Several searches fused into one ranking per query vector (Milvus's hybrid_search); a hit's distance is its fused score. With `aggregation`, buckets of the fused hits. */
  hybridSearch(collection: string, req: HybridSearchRequest & { aggregation: SearchAggregation }): Promise<AggregatedSearchResult>;
  hybridSearch(collection: string, req: HybridSearchRequest): Promise<Hit[][]>;
  /** Rows in primary-key order (or `orderByFields`' order over the whole result), `batchSize` at a time, all read at one TSO pinned when it is made (pymilvus's query_iterator). */
  queryIterator(collection: string, req: QueryIteratorRequest): Promise<QueryIterator>;
  /** Hits of one vector, best first, `batchSize` at a time, each once, read at one pinned TSO (pymilvus's search_iterator). */
  searchIterator(collection: string, req: SearchIteratorRequest): Promise<BatchIterator<Hit>>;
}
