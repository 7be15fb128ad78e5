import type { ResourceGroupApi } from './resourceGroupApi.js';
import type { PrimaryKey } from '../../messages/index.js';
import type { SearchAggregation } from '../../messages/searchAggregation.js';
import type { QueryIterator, QueryIteratorRequest } from './queryIterator.js';
import type { BatchIterator } from './batchIterator.js';
import type { SearchIteratorRequest } from './searchIterator.js';
import type { CatalogApi } from './catalogApi.js';
import type { AggregatedSearchResult, Hit, HybridSearchRequest, QueryRequest, ReadOptions, SearchRequest } from './readApi.js';

export * from './catalogApi.js';
export * from './readApi.js';
export type { DecayRanker } from './decayRanker.js';
export type { FunctionScore, SearchRanker } from './functionScore.js';
export type { BoostRanker, BoostMode, FunctionScoreParams } from '../../messages/boostRanker.js';
export type { ImportJobView } from '../../messages/rpc/coordinator.js';
export type { BackupView, RestoreJobView } from '../../messages/rpc/backup.js';
export type { SnapshotView, RestoreSnapshotJobView } from '../../messages/rpc/snapshot.js';

/** How fresh a read must be (Milvus's consistency levels). */
export const ConsistencyLevel = { Strong: 'Strong', Bounded: 'Bounded', Session: 'Session', Eventually: 'Eventually' } as const;
export type ConsistencyLevel = (typeof ConsistencyLevel)[keyof typeof ConsistencyLevel];

/** A row as users write it: field name -> value (vectors as number arrays). */
export type RowObject = Record<string, unknown>;

/** Milvus's upsert options: `partialUpdate` (merge mode) keeps the stored values of the fields a row leaves out. */
export interface UpsertOptions { partialUpdate?: boolean }

export interface WriteResult { count: number; ids: PrimaryKey[]; tso: bigint }

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

/**
 * What a user can ask of nuthatch, typed. The HTTP gateway (runtime/http/) maps
 * Milvus RESTful v2 requests onto this interface; the client (runtime/client/
 * client.ts) implements it by sending typed messages over the bus. Every method
 * rejects with a NuthatchError (a stable `code`) on bad input or failure.
 */
export interface NuthatchApi extends ResourceGroupApi, CatalogApi {
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
