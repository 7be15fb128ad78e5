import { parseProperties, propertyList, propertyNames } from '../../messages/collectionProperties.js';
import { parseFieldParams } from '../../messages/alteredField.js';
import { NuthatchError, ValidationError } from '../../messages/errors.js';
import { loadFieldsOf } from '../../messages/loadFields.js';
import { physicalMs, type IndexParams } from '../../messages/types.js';
import { checkDatabaseName, checkDatabaseProperties, databaseOr, dbOf } from '../../messages/database.js';
import { describedSchema } from '../../messages/timestamptzFields.js';
import type { FieldSchema } from '../../messages/schema.js';
import type { FunctionSchema } from '../../messages/schemaFunctions.js';
import { requestedFunction } from '../../messages/collectionFunctions.js';
import { type CollectionDescription, type CreateCollectionRequest, type DatabaseDescription, type IndexDescription, type AlterCollectionFieldRequest, type ImportRequest, type ImportJobView, type BackupView, type RestoreJobView, type SnapshotView, type RestoreSnapshotJobView } from './api.js';
import type { LoadOptions } from './resourceGroupApi.js';
import { partitionIdOf } from './keyRouting.js';
import { timezoneOf } from './recordChecks.js';
import { IteratorClient } from './iteratorClient.js';

/** The catalog: databases, collections, fields, aliases, partitions, indexes, loads, flush and compaction, imports, backups and snapshots (all kept by the coordinator). */
export abstract class CatalogClient extends IteratorClient {
  async createDatabase(dbName: string, properties?: Record<string, string | number | boolean>): Promise<void> {
    await this.call('createDatabase', { dbName: checkDatabaseName(dbName), ...(properties === undefined ? {} : { properties: checkDatabaseProperties(properties) }) });
  }

  async dropDatabase(dbName: string): Promise<void> { await this.call('dropDatabase', { dbName: checkDatabaseName(dbName) }); }

  listDatabases(): Promise<string[]> { return this.call('listDatabases', {}); }

  async describeDatabase(dbName: string): Promise<DatabaseDescription> {
    const d = await this.call('describeDatabase', { dbName: checkDatabaseName(dbName) });
    return { dbName: d.name, dbId: d.id, createdTso: d.createdTso, createdTimestamp: physicalMs(d.createdTso), properties: Object.entries(d.properties).sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, value]) => ({ key, value })) };
  }

  async alterDatabaseProperties(dbName: string, properties: Record<string, string | number | boolean>): Promise<void> {
    await this.call('alterDatabase', { dbName: checkDatabaseName(dbName), properties: checkDatabaseProperties(properties), drop: [] });
  }

  async dropDatabaseProperties(dbName: string, propertyKeys: string[]): Promise<void> {
    if (!Array.isArray(propertyKeys) || propertyKeys.some((k) => typeof k !== 'string')) throw new ValidationError('propertyKeys must be a list of strings', { field: 'propertyKeys' });
    await this.call('alterDatabase', { dbName: checkDatabaseName(dbName), properties: {}, drop: propertyKeys });
  }

  async createCollection(req: CreateCollectionRequest): Promise<void> {
    const { properties, ...rest } = req;
    const spec = properties === undefined ? rest : { ...rest, properties: parseProperties(properties) };
    const r = await this.call('createCollection', { dbName: this.dbName, spec: spec as never }, 300_000);
    this.remember(r.name, r);
    if (req.load) await this.loadCollection(r.name);
  }

  async describeCollection(name: string): Promise<CollectionDescription> {
    const r = await this.record(name, true);
    const s = await this.getLoadState(name);
    const { aliases } = await this.call('listAliases', { dbName: dbOf(r), collection: r.name });
    return { collectionName: r.name, dbName: dbOf(r), collectionId: r.collectionId, schema: describedSchema(r.schema, timezoneOf(r)), metricType: r.metricType, shardsNum: r.shards, vchannels: r.vchannels, partitions: r.partitions, numPartitions: r.partitions.length, consistencyLevel: r.consistencyLevel, loadState: s.loadState, indexes: r.indexes, createdTso: r.createdTso, schemaVersion: r.schemaVersion ?? r.createdTso, aliases, properties: propertyList(r), ...(r.loaded ? loadFieldsOf(r.schema, r.loadFields) : {}) };
  }

  async renameCollection(name: string, newName: string, newDbName?: string): Promise<void> {
    if (typeof newName !== 'string' || newName.length === 0) throw new ValidationError('newCollectionName must be a non-empty string');
    const db = this.dbName;
    const r = await this.call('renameCollection', { dbName: db, name, newName, ...(newDbName === undefined ? {} : { newDbName: databaseOr(newDbName) }) });
    this.cache.forget(db, [name]);
    this.remember(r.name, r);
  }

  /** Adds a nullable scalar field to a live collection (Milvus's add_collection_field); rows written before it read null. */
  async addCollectionField(name: string, field: FieldSchema): Promise<void> {
    const r = await this.record(name, true);
    this.remember(r.name, await this.call('addCollectionField', { dbName: dbOf(r), name: r.name, field }));
  }

  /** Changes a field's max_length or max_capacity (Milvus's alter_collection_field); every shard applies it from one TSO on. */
  async alterCollectionField(req: AlterCollectionFieldRequest): Promise<void> {
    if (req === null || typeof req !== 'object') throw new ValidationError('alterCollectionField takes {collectionName, fieldName, fieldParams}');
    if (typeof req.fieldName !== 'string' || req.fieldName.length === 0) throw new ValidationError('fieldName must be a non-empty string', { field: 'fieldName' });
    const params = parseFieldParams(req.fieldParams);
    const r = await this.record(req.collectionName, true);
    this.remember(r.name, await this.call('alterCollectionField', { dbName: dbOf(r), name: r.name, fieldName: req.fieldName, params }));
  }

  /** Drops a field (Milvus's drop_collection_field); every shard refuses writes naming it from one TSO on. */
  async dropCollectionField(req: { collectionName: string; fieldName: string }): Promise<void> {
    if (req === null || typeof req !== 'object') throw new ValidationError('dropCollectionField takes {collectionName, fieldName}');
    if (typeof req.fieldName !== 'string' || req.fieldName.length === 0) throw new ValidationError('fieldName must be a non-empty string', { field: 'fieldName' });
    const r = await this.record(req.collectionName, true);
    this.remember(r.name, await this.call('dropCollectionField', { dbName: dbOf(r), name: r.name, fieldName: req.fieldName }));
  }

  /**
   * Adds a function (Milvus 2.6's add_collection_function) whose fields exist: writes after it carry its output,
   * computed from its input; rows written before keep what they were written with.
   */
  async addCollectionFunction(req: { collectionName: string; function: FunctionSchema }): Promise<void> {
    if (req === null || typeof req !== 'object') throw new ValidationError('addCollectionFunction takes {collectionName, function}');
    const fn = requestedFunction(req.function);
    const r = await this.record(req.collectionName, true);
    this.remember(r.name, await this.call('addCollectionFunction', { dbName: dbOf(r), name: r.name, function: fn }));
  }

  /** Replaces a function's definition, found by its name (Milvus 2.6's alter_collection_function): its input field and params. */
  async alterCollectionFunction(req: { collectionName: string; functionName?: string; function: FunctionSchema }): Promise<void> {
    if (req === null || typeof req !== 'object') throw new ValidationError('alterCollectionFunction takes {collectionName, functionName?, function}');
    const fn = requestedFunction(req.function);
    if (req.functionName !== undefined && req.functionName !== fn.name) throw new ValidationError(`functionName '${String(req.functionName)}' differs from the function's name '${String(fn.name)}': a function's name cannot change`, { field: 'functionName' });
    const r = await this.record(req.collectionName, true);
    this.remember(r.name, await this.call('alterCollectionFunction', { dbName: dbOf(r), name: r.name, function: fn }));
  }

  /** Drops a function (Milvus 2.6's drop_collection_function); its output field stays, a plain field writes must give. */
  async dropCollectionFunction(req: { collectionName: string; functionName: string }): Promise<void> {
    if (req === null || typeof req !== 'object') throw new ValidationError('dropCollectionFunction takes {collectionName, functionName}');
    if (typeof req.functionName !== 'string' || req.functionName.length === 0) throw new ValidationError('functionName must be a non-empty string', { field: 'functionName' });
    const r = await this.record(req.collectionName, true);
    this.remember(r.name, await this.call('dropCollectionFunction', { dbName: dbOf(r), name: r.name, functionName: req.functionName }));
  }

  async alterCollectionProperties(name: string, properties: Record<string, string | number | boolean>): Promise<void> {
    const r = await this.record(name, true);
    this.remember(r.name, await this.call('alterCollection', { dbName: dbOf(r), name: r.name, properties: parseProperties(properties), drop: [] }));
  }

  async dropCollectionProperties(name: string, keys: string[]): Promise<void> {
    const r = await this.record(name, true);
    this.remember(r.name, await this.call('alterCollection', { dbName: dbOf(r), name: r.name, properties: {}, drop: propertyNames(keys) }));
  }

  listCollections(): Promise<string[]> { return this.call('listCollections', { dbName: this.dbName }); }

  /** True for a collection's name or an alias of one, in the current database. */
  async hasCollection(name: string): Promise<boolean> {
    return (await this.listCollections()).includes(name) || (await this.call('listAliases', { dbName: this.dbName })).aliases.includes(name);
  }

  async createAlias(collection: string, alias: string): Promise<void> { await this.call('createAlias', { dbName: this.dbName, alias, collection }); }

  async alterAlias(collection: string, alias: string): Promise<void> { await this.call('alterAlias', { dbName: this.dbName, alias, collection }); this.uncache(alias); }

  async dropAlias(alias: string): Promise<void> { await this.call('dropAlias', { dbName: this.dbName, alias }); this.uncache(alias); }

  describeAlias(alias: string): Promise<{ alias: string; collectionName: string }> { return this.call('describeAlias', { dbName: this.dbName, alias }); }

  async listAliases(collection?: string): Promise<string[]> { return (await this.call('listAliases', { dbName: this.dbName, ...(collection === undefined ? {} : { collection }) })).aliases; }

  async dropCollection(name: string): Promise<void> { await this.call('dropCollection', { dbName: this.dbName, name }, 300_000); this.uncache(name); }

  /** Removes every row of a collection and keeps it: schema, partitions, indexes, properties, aliases and load state (Milvus's truncate_collection). */
  async truncateCollection(name: string): Promise<void> {
    const r = await this.record(name);
    await this.call('truncateCollection', { dbName: dbOf(r), name: r.name }, 300_000);
    this.uncache(name);
  }

  /** Exact visible rows of a loaded collection; of a released one, the rows persisted in sealed segments (as Milvus reports). */
  async getCollectionStats(name: string): Promise<{ rowCount: number }> { return this.rowCount(name); }

  /** A partition's rows, counted as getCollectionStats counts a collection's. */
  async getPartitionStats(collection: string, partition: string): Promise<{ rowCount: number }> { return this.rowCount(collection, partition); }

  private async rowCount(name: string, partition?: string): Promise<{ rowCount: number }> {
    try {
      const ids = partition === undefined ? undefined : [partitionIdOf(await this.record(name), partition)];
      const rows = await this.queryPartitions(name, { outputFields: ['count(*)'], consistencyLevel: 'Strong' }, ids);
      return { rowCount: Number(rows[0]?.['count(*)'] ?? 0) };
    } catch (e) {
      if (!(e instanceof NuthatchError) || e.code !== 'CollectionNotLoaded') throw e;
      const r = await this.record(name, true);
      const partitionId = partition === undefined ? undefined : partitionIdOf(r, partition);
      const segs = await this.call('segments', { collectionId: r.collectionId });
      return { rowCount: segs.filter((x) => partitionId === undefined || x.partitionId === partitionId).reduce((n, x) => n + x.rows, 0) };
    }
  }

  /** Loads sealed segments on query nodes: `replicaNumber` replicas (default: the cluster's setting), in `resourceGroups`. */
  async loadCollection(name: string, opts: LoadOptions = {}): Promise<void> {
    const replicas = opts.replicaNumber ?? opts.replicas;
    if (opts.resourceGroups !== undefined && (!Array.isArray(opts.resourceGroups) || opts.resourceGroups.some((g) => typeof g !== 'string'))) throw new ValidationError('resourceGroups must be a list of resource group names');
    await this.call('loadCollection', { dbName: this.dbName, name, ...(replicas === undefined ? {} : { replicas }), ...(opts.resourceGroups?.length ? { resourceGroups: opts.resourceGroups } : {}), ...loadFieldsReq(opts) }, 600_000);
    this.uncache(name);
  }

  async releaseCollection(name: string): Promise<void> { await this.call('releaseCollection', { dbName: this.dbName, name }); this.uncache(name); }

  async refreshLoad(name: string): Promise<void> { await this.call('refreshLoad', { dbName: this.dbName, name }, 600_000); this.uncache(name); }

  async getLoadState(name: string, partitionNames?: string[]) {
    const r = await this.record(name);
    const s = await this.call('loadState', { dbName: dbOf(r), name: r.name, ...(partitionNames && partitionNames.length > 0 ? { partitions: partitionNames } : {}) });
    return { loadState: !s.loaded ? 'LoadStateNotLoad' as const : s.progress >= 100 ? 'LoadStateLoaded' as const : 'LoadStateLoading' as const, loadProgress: s.progress, ...loadFieldsOf(r.schema, s.columns) };
  }

  async flush(name: string): Promise<void> { await this.call('flush', { dbName: this.dbName, name }, 600_000); }

  async compact(target: string | { collectionName: string; isClustering?: boolean }): Promise<{ compactionID: number }> {
    const { collectionName: name, isClustering } = typeof target === 'string' ? { collectionName: target, isClustering: undefined } : target;
    if (isClustering !== undefined && typeof isClustering !== 'boolean') throw new ValidationError(`isClustering must be a boolean, got ${JSON.stringify(isClustering)}`, { field: 'isClustering' });
    return this.call('compact', { dbName: this.dbName, name, ...(isClustering ? { isClustering } : {}) });
  }

  async getCompactionState(compactionID: number) { return { state: (await this.call('compactionState', { compactionID })).state }; }

  createImportJob(req: ImportRequest): Promise<{ jobId: number }> {
    return this.call('createImport', { dbName: this.dbName, collection: req.collectionName, files: req.files, ...(req.partitionName === undefined ? {} : { partitionName: req.partitionName }) });
  }

  getImportJobProgress(jobId: number): Promise<ImportJobView> { return this.call('importProgress', { jobId }); }

  async listImportJobs(collectionName?: string): Promise<ImportJobView[]> { return (await this.call('listImports', { dbName: this.dbName, ...(collectionName === undefined ? {} : { collection: collectionName }) })).jobs; }

  createBackup(collectionName: string, backupName: string): Promise<{ backupName: string; tso: bigint }> {
    return this.call('createBackup', { dbName: this.dbName, collection: collectionName, backupName });
  }

  describeBackup(backupName: string): Promise<BackupView> { return this.call('describeBackup', { backupName }); }

  async listBackups(collectionName?: string): Promise<BackupView[]> { return (await this.call('listBackups', { dbName: this.dbName, ...(collectionName === undefined ? {} : { collection: collectionName }) })).backups; }

  async dropBackup(backupName: string): Promise<void> { await this.call('dropBackup', { backupName }, 600_000); }

  restoreBackup(backupName: string, collectionName: string, dbName?: string): Promise<{ jobId: number }> {
    return this.call('restoreBackup', { backupName, collection: collectionName, dbName: dbName === undefined ? this.dbName : databaseOr(dbName) });
  }

  getRestoreProgress(jobId: number): Promise<RestoreJobView> { return this.call('restoreProgress', { jobId }); }

  async listRestoreJobs(backupName?: string): Promise<RestoreJobView[]> { return (await this.call('listRestores', backupName === undefined ? {} : { backupName })).jobs; }

  createSnapshot(req: { collectionName: string; snapshotName: string; description?: string }): Promise<SnapshotView> {
    return this.call('createSnapshot', { dbName: this.dbName, collection: req.collectionName, snapshotName: req.snapshotName, ...(req.description === undefined ? {} : { description: req.description }) }, 600_000);
  }

  async listSnapshots(req: { collectionName?: string } = {}): Promise<SnapshotView[]> {
    return (await this.call('listSnapshots', { dbName: this.dbName, ...(req.collectionName === undefined ? {} : { collection: req.collectionName }) })).snapshots;
  }

  describeSnapshot(snapshotName: string): Promise<SnapshotView> { return this.call('describeSnapshot', { snapshotName }); }

  async dropSnapshot(snapshotName: string): Promise<void> { await this.call('dropSnapshot', { snapshotName }, 600_000); }

  restoreSnapshot(req: { snapshotName: string; targetCollectionName: string; targetDbName?: string }): Promise<{ jobId: number }> {
    return this.call('restoreSnapshot', { snapshotName: req.snapshotName, collection: req.targetCollectionName, dbName: req.targetDbName === undefined ? this.dbName : databaseOr(req.targetDbName) });
  }

  getRestoreSnapshotState(jobId: number): Promise<RestoreSnapshotJobView> { return this.call('restoreSnapshotState', { jobId }); }

  async listRestoreSnapshotJobs(snapshotName?: string): Promise<RestoreSnapshotJobView[]> { return (await this.call('listRestoreSnapshotJobs', snapshotName === undefined ? {} : { snapshotName })).jobs; }

  async loadPartitions(collection: string, partitions: string[], opts: Pick<LoadOptions, 'loadFields' | 'skipLoadDynamicField'> = {}): Promise<void> {
    const r = await this.record(collection);
    await this.call('loadPartitions', { dbName: dbOf(r), name: r.name, partitions, ...loadFieldsReq(opts) }, 600_000);
    this.uncache(r.name, dbOf(r));
  }

  async releasePartitions(collection: string, partitions: string[]): Promise<void> {
    const r = await this.record(collection);
    await this.call('releasePartitions', { dbName: dbOf(r), name: r.name, partitions });
    this.uncache(r.name, dbOf(r));
  }

  async createPartition(collection: string, partition: string): Promise<void> { await this.call('createPartition', { dbName: this.dbName, collection, partition }); this.uncache(collection); }

  async listPartitions(collection: string): Promise<string[]> { return (await this.record(collection, true)).partitions.map((p) => p.name); }

  async hasPartition(collection: string, partition: string): Promise<boolean> { return (await this.listPartitions(collection)).includes(partition); }

  async dropPartition(collection: string, partition: string): Promise<void> { await this.call('dropPartition', { dbName: this.dbName, collection, partition }); this.uncache(collection); }

  async createIndex(collection: string, index: Omit<IndexParams, 'metricType'> & { metricType?: string }): Promise<void> { await this.call('createIndex', { dbName: this.dbName, collection, index }); this.uncache(collection); }

  async describeIndex(collection: string, indexName?: string): Promise<IndexDescription[]> {
    const r = await this.record(collection, true);
    const states = await this.call('indexStates', { dbName: dbOf(r), collection: r.name });
    const list = r.indexes.filter((i) => indexName === undefined || i.indexName === indexName);
    if (indexName !== undefined && list.length === 0) throw new NuthatchError('IndexNotFound', `index '${indexName}' does not exist on '${collection}'`);
    return list.map((i) => {
      const s = states.find((x) => x.indexName === i.indexName) ?? { indexedRows: 0, totalRows: 0 };
      return { ...i, indexedRows: s.indexedRows, totalRows: s.totalRows, pendingRows: s.totalRows - s.indexedRows, indexState: s.indexedRows >= s.totalRows ? 'Finished' as const : 'InProgress' as const };
    });
  }

  async listIndexes(collection: string): Promise<string[]> { return (await this.record(collection, true)).indexes.map((i) => i.indexName); }

  async dropIndex(collection: string, indexName: string): Promise<void> { await this.call('dropIndex', { dbName: this.dbName, collection, indexName }); this.uncache(collection); }
}

/** A load's field set as the coordinator takes it (absent keys: not named). */
function loadFieldsReq(opts: Pick<LoadOptions, 'loadFields' | 'skipLoadDynamicField'>): { loadFields?: string[]; skipLoadDynamicField?: boolean } {
  return { ...(opts.loadFields !== undefined ? { loadFields: opts.loadFields } : {}), ...(opts.skipLoadDynamicField !== undefined ? { skipLoadDynamicField: opts.skipLoadDynamicField } : {}) };
}
