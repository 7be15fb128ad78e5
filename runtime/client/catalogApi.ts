import type { LoadOptions } from './resourceGroupApi.js';
import type { FunctionSchema } from '../../messages/schemaFunctions.js';
import type { CollectionSchema, FieldSchema, IndexParams, MetricType } from '../../messages/index.js';
import type { ImportJobView } from '../../messages/rpc/coordinator.js';
import type { BackupView, RestoreJobView } from '../../messages/rpc/backup.js';
import type { SnapshotView, RestoreSnapshotJobView } from '../../messages/rpc/snapshot.js';
import type { ConsistencyLevel } from './api.js';

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

/** A bulk import: the collection, an optional partition, and the object keys of JSON row files. */
export interface ImportRequest { collectionName: string; partitionName?: string; files: string[][] | string[] }

/**
 * Milvus's alter_collection_field: `fieldParams` by Milvus's names,
 * `{max_length: 1024}` or `{max_capacity: 64}` (integers, or strings of one as
 * the Java SDK sends); mmap is refused (nuthatch keeps no memory-mapped data).
 */
export interface AlterCollectionFieldRequest { collectionName: string; fieldName: string; fieldParams: Record<string, unknown> }

/** What users ask of collections and their parts: DDL, loads, aliases, compaction, import, backup, snapshots, partitions, indexes. */
export interface CatalogApi {
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
  /** With partitionNames: theirs (loaded only when every one is); a partial load's fields too (loadFields, skipLoadDynamicField). */
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
}
