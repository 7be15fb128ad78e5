import type { ResourceGroupInfo } from '../../../runtime/client/resourceGroupApi.js';
import { withAddedField } from '../../../messages/addedField.js';
import { parseFieldParams, withAlteredField } from '../../../messages/alteredField.js';
import { withDroppedField } from '../../../messages/droppedField.js';
import { requestedFunction, withAddedFunction, withAlteredFunction, withDroppedFunction } from '../../../messages/collectionFunctions.js';
import type { FunctionSchema } from '../../../messages/schemaFunctions.js';
import type { FieldSchema } from '../../../messages/schema.js';
import { parseProperties, propertyList, propertyNames, type CollectionProperties } from '../../../messages/collectionProperties.js';
import {
  fail, primaryField, validateSchema, vectorField,
  type CollectionSchema, type IndexParams, type MetricType, type PrimaryKey,
} from '../../../messages/index.js';
import type {
  AlterCollectionFieldRequest,
  CollectionDescription, ConsistencyLevel, DatabaseDescription, CreateCollectionRequest, Hit, HybridSearchRequest, IndexDescription, LoadState,
  NuthatchApi, QueryRequest, ReadOptions, RowObject, SearchRequest, UpsertOptions, WriteResult, ImportJobView, BackupView, RestoreJobView, SnapshotView, RestoreSnapshotJobView,
  AggregatedSearchResult, SearchAggregation,
} from '../../../runtime/client/api.js';
import { compileFilter } from './filterEval.js';
import { BatchIterator, iteratorSizes } from '../../../runtime/client/batchIterator.js';
import { QueryIterator, type QueryIteratorRequest } from '../../../runtime/client/queryIterator.js';
import { checkReranker, fuse } from '../../../runtime/client/hybridRank.js';
import type { SearchIteratorRequest } from '../../../runtime/client/searchIterator.js';
import { comparePks } from '../../../actors/shared/segment/pkOrder.js';

interface Coll {
  id: number; name: string; schema: CollectionSchema; metricType: MetricType; shards: number;
  consistency: ConsistencyLevel; partitions: Map<string, number>; indexes: IndexParams[]; loaded: boolean;
  rows: Map<PrimaryKey, { row: RowObject; partition: string }>; nextAuto: number;
  /** Kept and described only: rows do not expire here. */
  properties: CollectionProperties;
}

/**
 * NuthatchApi held in memory, with brute-force search: a stand-in so the HTTP
 * gateway and the black-box suite can run end to end before the real system
 * exists. It answers with the same typed errors the real api documents. Test
 * support only: no WAL, no actors, nothing durable.
 */
export class MemoryApi implements NuthatchApi {
  private readonly colls = new Map<string, Coll>();
  private nextId = 1;
  private tso = 1n;

  /** alias -> collection name. */
  private readonly aliases = new Map<string, string>();

  /** One database here, 'default': other names are refused as the real api refuses unknown ones. */
  readonly dbName = 'default';
  database(dbName: string): NuthatchApi {
    return dbName === this.dbName ? this : fail('DatabaseNotFound', `database not found: '${dbName}'`);
  }
  async useDatabase(dbName: string): Promise<void> { this.database(dbName); }
  async createDatabase(dbName: string): Promise<void> { fail('InvalidArgument', `the memory api holds one database; cannot create '${dbName}'`); }
  async dropDatabase(dbName: string): Promise<void> { this.database(dbName); fail('InvalidArgument', `the '${dbName}' database cannot be dropped`); }
  async listDatabases(): Promise<string[]> { return [this.dbName]; }
  async describeDatabase(dbName: string): Promise<DatabaseDescription> {
    this.database(dbName);
    return { dbName, dbId: 1, createdTso: 1n, createdTimestamp: 0, properties: [] };
  }
  async alterDatabaseProperties(dbName: string): Promise<void> { this.database(dbName); fail('InvalidArgument', 'the memory api keeps no database properties'); }
  async dropDatabaseProperties(dbName: string): Promise<void> { this.database(dbName); }

  private coll(name: string): Coll {
    return this.colls.get(this.aliases.get(name) ?? name) ?? fail('CollectionNotFound', `collection '${name}' does not exist`);
  }

  private aliasesOf(collection: string): string[] { return [...this.aliases].filter(([, c]) => c === collection).map(([a]) => a).sort(); }
  private target(collection: string): string {
    if (this.aliases.has(collection)) fail('InvalidArgument', `'${collection}' is an alias`);
    return this.coll(collection).name;
  }
  async createAlias(collection: string, alias: string): Promise<void> {
    if (this.aliases.has(alias) || this.colls.has(alias)) fail('AliasExists', `alias '${alias}' already exists`);
    this.aliases.set(alias, this.target(collection));
  }
  async alterAlias(collection: string, alias: string): Promise<void> {
    if (!this.aliases.has(alias)) fail('AliasNotFound', `alias '${alias}' does not exist`);
    this.aliases.set(alias, this.target(collection));
  }
  async dropAlias(alias: string): Promise<void> {
    if (!this.aliases.delete(alias)) fail('AliasNotFound', `alias '${alias}' does not exist`);
  }
  async describeAlias(alias: string): Promise<{ alias: string; collectionName: string }> {
    return { alias, collectionName: this.aliases.get(alias) ?? fail('AliasNotFound', `alias '${alias}' does not exist`) };
  }
  async listAliases(collection?: string): Promise<string[]> {
    return collection === undefined ? [...this.aliases.keys()].sort() : this.aliasesOf(this.coll(collection).name);
  }

  private partition(c: Coll, name = '_default'): string {
    if (!c.partitions.has(name)) fail('PartitionNotFound', `partition '${name}' of collection '${c.name}' does not exist`);
    return name;
  }

  async createCollection(req: CreateCollectionRequest): Promise<void> {
    if (this.colls.has(req.collectionName) || this.aliases.has(req.collectionName)) fail('CollectionExists', `collection '${req.collectionName}' already exists`);
    validateSchema(req.schema);
    const c: Coll = {
      id: this.nextId++, name: req.collectionName, schema: structuredClone(req.schema), metricType: req.metricType,
      shards: req.shardsNum ?? 1, consistency: req.consistencyLevel ?? 'Bounded', partitions: new Map([['_default', this.nextId++]]),
      indexes: [], loaded: false, rows: new Map(), nextAuto: 1, properties: parseProperties(req.properties ?? {}),
    };
    for (const ix of req.indexParams ?? []) c.indexes.push({ ...ix, metricType: ix.metricType ?? req.metricType });
    c.loaded = req.load === true;
    this.colls.set(c.name, c);
  }

  async describeCollection(name: string): Promise<CollectionDescription> {
    const c = this.coll(name);
    return {
      collectionName: c.name, dbName: this.dbName, collectionId: c.id, schema: structuredClone(c.schema), metricType: c.metricType,
      shardsNum: c.shards, vchannels: Array.from({ length: c.shards }, (_, i) => `mem-${c.id}v${i}`),
      partitions: [...c.partitions].map(([n, id]) => ({ id, name: n })), numPartitions: c.partitions.size, consistencyLevel: c.consistency,
      loadState: this.loadState(c), indexes: [...c.indexes], createdTso: 1n, schemaVersion: 1n, aliases: this.aliasesOf(c.name),
      properties: propertyList(c.properties),
    };
  }

  async renameCollection(name: string, newName: string, newDbName?: string): Promise<void> {
    if (newDbName !== undefined) this.database(newDbName);
    if (this.aliases.has(name)) fail('InvalidArgument', `'${name}' is an alias: rename a collection by its own name`);
    const c = this.coll(name);
    if (this.colls.has(newName) || this.aliases.has(newName)) fail('CollectionExists', `collection '${newName}' already exists`);
    this.colls.delete(name);
    c.name = newName;
    this.colls.set(newName, c);
    for (const [a, target] of this.aliases) if (target === name) this.aliases.set(a, newName);
  }
  async addCollectionField(name: string, field: FieldSchema): Promise<void> {
    const c = this.coll(name);
    c.schema = withAddedField(c.schema, field);
    // Rows written before the field read its default (the real system shows a stored null as it).
    const d = field.defaultValue;
    if (d !== undefined && d !== null) for (const v of c.rows.values()) v.row = { ...v.row, [field.name]: d };
  }
  async alterCollectionField(req: AlterCollectionFieldRequest): Promise<void> {
    const c = this.coll(req.collectionName);
    c.schema = withAlteredField(c.schema, req.fieldName, parseFieldParams(req.fieldParams));
  }
  async dropCollectionField(req: { collectionName: string; fieldName: string }): Promise<void> {
    const c = this.coll(req.collectionName);
    c.schema = withDroppedField(c.schema, c.indexes, req.fieldName);
  }
  async addCollectionFunction(req: { collectionName: string; function: FunctionSchema }): Promise<void> {
    const c = this.coll(req.collectionName);
    c.schema = withAddedFunction(c.schema, c.indexes, requestedFunction(req.function));
  }
  async alterCollectionFunction(req: { collectionName: string; function: FunctionSchema }): Promise<void> {
    const c = this.coll(req.collectionName);
    c.schema = withAlteredFunction(c.schema, requestedFunction(req.function));
  }
  async dropCollectionFunction(req: { collectionName: string; functionName: string }): Promise<void> {
    const c = this.coll(req.collectionName);
    c.schema = withDroppedFunction(c.schema, c.indexes, req.functionName);
  }
  async alterCollectionProperties(name: string, properties: Record<string, string | number>): Promise<void> {
    const c = this.coll(name);
    c.properties = { ...c.properties, ...parseProperties(properties) };
  }
  async dropCollectionProperties(name: string, keys: string[]): Promise<void> {
    const c = this.coll(name);
    for (const k of propertyNames(keys)) delete c.properties[k];
  }

  private loadState(c: Coll): LoadState { return c.loaded ? 'LoadStateLoaded' : 'LoadStateNotLoad'; }
  async listCollections(): Promise<string[]> { return [...this.colls.keys()]; }
  async hasCollection(name: string): Promise<boolean> { return this.colls.has(name) || this.aliases.has(name); }
  async dropCollection(name: string): Promise<void> {
    if (this.aliases.has(name)) fail('InvalidArgument', `'${name}' is an alias: drop a collection by its own name`);
    this.coll(name);
    if (this.aliasesOf(name).length > 0) fail('InvalidArgument', `collection '${name}' has aliases: drop them first`);
    this.colls.delete(name);
  }
  async truncateCollection(name: string): Promise<void> { this.coll(name).rows.clear(); }
  async getCollectionStats(name: string): Promise<{ rowCount: number }> { return { rowCount: this.coll(name).rows.size }; }
  async loadCollection(name: string): Promise<void> {
    const c = this.coll(name);
    if (!c.indexes.some((ix) => ix.fieldName === vectorField(c.schema)?.name)) fail('IndexNotFound', `collection '${name}' has no vector index to load`);
    c.loaded = true;
  }
  async releaseCollection(name: string): Promise<void> { this.coll(name).loaded = false; }
  async refreshLoad(name: string): Promise<void> { if (!this.coll(name).loaded) fail('CollectionNotLoaded', `collection '${name}' is not loaded`); }
  /** Partition loads are kept at collection level here: loading any loads it, releasing every one releases it. */
  async loadPartitions(collection: string, partitions: string[]): Promise<void> {
    const c = this.coll(collection);
    for (const p of partitions) if (!c.partitions.has(p)) fail('PartitionNotFound', `partition '${p}' does not exist in '${c.name}'`);
    c.loaded = true;
  }
  async releasePartitions(collection: string, partitions: string[]): Promise<void> {
    const c = this.coll(collection);
    for (const p of partitions) if (!c.partitions.has(p)) fail('PartitionNotFound', `partition '${p}' does not exist in '${c.name}'`);
    if (partitions.length === c.partitions.size) c.loaded = false;
  }
  async getLoadState(name: string): Promise<{ loadState: LoadState; loadProgress: number }> {
    const c = this.coll(name);
    return { loadState: this.loadState(c), loadProgress: c.loaded ? 100 : 0 };
  }
  async flush(name: string): Promise<void> { this.coll(name); }
  /** Nothing to compact in memory: a compaction completes at once. */
  private readonly compactions = new Set<number>();
  async compact(name: string): Promise<{ compactionID: number }> { this.coll(name); const id = this.nextId++; this.compactions.add(id); return { compactionID: id }; }
  async getCompactionState(id: number) { return { state: this.compactions.has(id) ? 'Completed' as const : 'UndefiedState' as const }; }
  // Bulk import reads object storage, which this stand-in does not have: refused with a typed error.
  async createImportJob(): Promise<{ jobId: number }> { return fail('InvalidArgument', 'the memory api has no object storage to import from'); }
  async getImportJobProgress(jobId: number): Promise<ImportJobView> { return fail('NotFound', `import job ${jobId} does not exist`); }
  async listImportJobs(): Promise<ImportJobView[]> { return []; }
  async createBackup(): Promise<{ backupName: string; tso: bigint }> { return fail('InvalidArgument', 'the memory api has no object storage to back up to'); }
  async describeBackup(backupName: string): Promise<BackupView> { return fail('BackupNotFound', `backup '${backupName}' does not exist`); }
  async listBackups(): Promise<BackupView[]> { return []; }
  async dropBackup(backupName: string): Promise<void> { return fail('BackupNotFound', `backup '${backupName}' does not exist`); }
  async restoreBackup(backupName: string): Promise<{ jobId: number }> { return fail('BackupNotFound', `backup '${backupName}' does not exist`); }
  async getRestoreProgress(jobId: number): Promise<RestoreJobView> { return fail('NotFound', `restore job ${jobId} does not exist`); }
  async listRestoreJobs(): Promise<RestoreJobView[]> { return []; }
  async createSnapshot(): Promise<SnapshotView> { return fail('InvalidArgument', 'the memory api keeps no segment files to snapshot'); }
  async listSnapshots(): Promise<SnapshotView[]> { return []; }
  async describeSnapshot(snapshotName: string): Promise<SnapshotView> { return fail('SnapshotNotFound', `snapshot '${snapshotName}' does not exist`); }
  async dropSnapshot(snapshotName: string): Promise<void> { return fail('SnapshotNotFound', `snapshot '${snapshotName}' does not exist`); }
  async restoreSnapshot(req: { snapshotName: string }): Promise<{ jobId: number }> { return fail('SnapshotNotFound', `snapshot '${req.snapshotName}' does not exist`); }
  async getRestoreSnapshotState(jobId: number): Promise<RestoreSnapshotJobView> { return fail('NotFound', `snapshot restore job ${jobId} does not exist`); }
  async listRestoreSnapshotJobs(): Promise<RestoreSnapshotJobView[]> { return []; }
  // Resource groups place query nodes, which this stand-in does not have: only the default group exists.
  async createResourceGroup(): Promise<void> { return fail('InvalidArgument', 'the memory api has no query nodes to group'); }
  async dropResourceGroup(name: string): Promise<void> { return fail('ResourceGroupNotFound', `resource group '${name}' does not exist`); }
  async listResourceGroups(): Promise<string[]> { return ['__default_resource_group']; }
  async describeResourceGroup(name: string): Promise<ResourceGroupInfo> { return fail('ResourceGroupNotFound', `resource group '${name}' does not exist`); }
  async updateResourceGroups(): Promise<void> { return fail('InvalidArgument', 'the memory api has no query nodes to group'); }
  async transferReplica(source: string): Promise<void> { return fail('ResourceGroupNotFound', `resource group '${source}' does not exist`); }

  async createPartition(collection: string, partition: string): Promise<void> {
    const c = this.coll(collection);
    if (c.partitions.has(partition)) fail('PartitionExists', `partition '${partition}' already exists`);
    c.partitions.set(partition, this.nextId++);
  }
  async listPartitions(collection: string): Promise<string[]> { return [...this.coll(collection).partitions.keys()]; }
  async hasPartition(collection: string, partition: string): Promise<boolean> { return this.coll(collection).partitions.has(partition); }
  async getPartitionStats(collection: string, partition: string): Promise<{ rowCount: number }> {
    const c = this.coll(collection);
    this.partition(c, partition);
    return { rowCount: [...c.rows.values()].filter((v) => v.partition === partition).length };
  }
  async dropPartition(collection: string, partition: string): Promise<void> {
    const c = this.coll(collection);
    this.partition(c, partition);
    if (partition === '_default') fail('InvalidArgument', 'the default partition cannot be dropped');
    if (c.loaded) fail('InvalidArgument', `release collection '${collection}' before dropping partition '${partition}'`);
    c.partitions.delete(partition);
    for (const [k, v] of c.rows) if (v.partition === partition) c.rows.delete(k);
  }

  async createIndex(collection: string, index: Omit<IndexParams, 'metricType'> & { metricType?: MetricType }): Promise<void> {
    const c = this.coll(collection);
    if (c.indexes.some((ix) => ix.indexName === index.indexName)) fail('IndexExists', `index '${index.indexName}' already exists`);
    if (index.metricType && index.fieldName === vectorField(c.schema)?.name && index.metricType !== c.metricType) fail('InvalidArgument', `metric ${index.metricType} differs from the collection's ${c.metricType}`);
    c.indexes.push({ ...index, metricType: index.metricType ?? c.metricType });
  }
  async describeIndex(collection: string, indexName?: string): Promise<IndexDescription[]> {
    const c = this.coll(collection);
    const list = c.indexes.filter((ix) => indexName === undefined || ix.indexName === indexName);
    if (indexName !== undefined && list.length === 0) fail('IndexNotFound', `index '${indexName}' does not exist`);
    const n = c.rows.size;
    return list.map((ix) => ({ ...ix, indexState: 'Finished', indexedRows: n, totalRows: n, pendingRows: 0 }));
  }
  async listIndexes(collection: string): Promise<string[]> { return this.coll(collection).indexes.map((ix) => ix.indexName); }
  async dropIndex(collection: string, indexName: string): Promise<void> {
    const c = this.coll(collection);
    if (!c.indexes.some((ix) => ix.indexName === indexName)) fail('IndexNotFound', `index '${indexName}' does not exist`);
    c.indexes = c.indexes.filter((ix) => ix.indexName !== indexName);
  }

  async insert(collection: string, rows: RowObject[], partitionName?: string): Promise<WriteResult> {
    return this.write(collection, rows, partitionName, false);
  }
  async upsert(collection: string, rows: RowObject[], partitionName?: string, opts: UpsertOptions = {}): Promise<WriteResult> {
    if (opts.partialUpdate) {
      // Merge mode: the given fields over the stored row.
      const c = this.coll(collection), pk = primaryField(c.schema).name;
      rows = rows.map((r) => ({ ...(c.rows.get(r[pk] as PrimaryKey)?.row ?? {}), ...r }));
    }
    return this.write(collection, rows, partitionName, true);
  }

  private write(collection: string, rows: RowObject[], partitionName: string | undefined, replace: boolean): WriteResult {
    const c = this.coll(collection);
    const partition = this.partition(c, partitionName);
    const pk = primaryField(c.schema);
    const ids: PrimaryKey[] = [];
    for (const r of rows) {
      const id = (r[pk.name] as PrimaryKey | undefined) ?? c.nextAuto++;
      if (!replace && c.rows.has(id)) fail('Conflict', `primary key ${JSON.stringify(id)} exists`);
      c.rows.set(id, { row: { ...r, [pk.name]: id }, partition });
      ids.push(id);
    }
    return { count: rows.length, ids, tso: this.tso++ };
  }

  async delete(collection: string, req: { ids?: PrimaryKey[]; filter?: string; partitionName?: string }): Promise<{ count: number; tso: bigint }> {
    const c = this.coll(collection);
    if (req.partitionName) this.partition(c, req.partitionName);
    const p = req.filter ? compileFilter(req.filter) : () => false;
    let count = 0;
    for (const [k, v] of c.rows) {
      if (req.partitionName && v.partition !== req.partitionName) continue;
      if (req.ids?.includes(k) || p(v.row)) { c.rows.delete(k); count++; }
    }
    return { count, tso: this.tso++ };
  }

  private scan(c: Coll, opts: ReadOptions): Array<{ row: RowObject; partition: string }> {
    for (const p of opts.partitionNames ?? []) this.partition(c, p);
    const pred = opts.filter ? compileFilter(opts.filter) : () => true;
    return [...c.rows.values()].filter((v) => (!opts.partitionNames || opts.partitionNames.includes(v.partition)) && pred(v.row));
  }

  private project(c: Coll, row: RowObject, fields: string[] | undefined): RowObject {
    const pk = primaryField(c.schema).name;
    const out: RowObject = { [pk]: row[pk] };
    // A schema field the row does not hold reads as null, as the real api reads a null value.
    for (const f of fields ?? []) if (row[f] !== undefined) out[f] = row[f]; else if (c.schema.fields.some((x) => x.name === f)) out[f] = null;
    return out;
  }

  async get(collection: string, ids: PrimaryKey[], opts: ReadOptions = {}): Promise<RowObject[]> {
    const c = this.coll(collection);
    return this.scan(c, opts).filter((v) => ids.includes(v.row[primaryField(c.schema).name] as PrimaryKey)).map((v) => this.project(c, v.row, opts.outputFields));
  }

  async query(collection: string, req: QueryRequest): Promise<RowObject[]> {
    const c = this.coll(collection);
    const off = req.offset ?? 0;
    return this.scan(c, req).slice(off, req.limit === undefined ? undefined : off + req.limit).map((v) => this.project(c, v.row, req.outputFields));
  }

  /** Over a copy of the rows taken now, in key order. */
  async queryIterator(collection: string, req: QueryIteratorRequest): Promise<QueryIterator> {
    const c = this.coll(collection);
    const { batchSize, limit } = iteratorSizes(req.batchSize, req.limit);
    const pk = primaryField(c.schema).name;
    const rows = this.scan(c, req).map((v) => this.project(c, v.row, req.outputFields)).sort((a, b) => comparePks(a[pk] as PrimaryKey, b[pk] as PrimaryKey));
    const rowsAfter = async ({ after }: { after?: PrimaryKey }, n: number) => rows.filter((r) => after === undefined || comparePks(r[pk] as PrimaryKey, after) > 0).slice(0, n);
    return new QueryIterator(rowsAfter, pk, batchSize, limit, req.resume?.snapshotTso ?? this.tso, req.resume);
  }

  /** Over every hit ranked now. */
  async searchIterator(collection: string, req: SearchIteratorRequest): Promise<BatchIterator<Hit>> {
    const { batchSize, limit } = iteratorSizes(req.batchSize, req.limit);
    const [hits] = await this.search(collection, { ...req, data: [Array.from(req.vector as number[])], limit: this.coll(collection).rows.size || 1 });
    let at = 0;
    return new BatchIterator({ fetch: async (n) => hits!.slice(at, at + n), advance: (b) => { at += b.length; } }, batchSize, limit);
  }

  /** Each search in turn, fused by the client's own reranker. */
  async hybridSearch(collection: string, req: HybridSearchRequest & { aggregation: SearchAggregation }): Promise<AggregatedSearchResult>;
  async hybridSearch(collection: string, req: HybridSearchRequest): Promise<Hit[][]>;
  async hybridSearch(collection: string, req: HybridSearchRequest): Promise<Hit[][] | AggregatedSearchResult> {
    if (req.aggregation !== undefined || req.orderByFields !== undefined) fail('InvalidArgument', 'the in-memory api neither aggregates nor orders hybrid searches');
    const c = this.coll(collection);
    const lists = await Promise.all(req.searches.map((s) => this.search(collection, { ...s, ...(req.outputFields ? { outputFields: req.outputFields } : {}) })));
    const rerank = checkReranker(req.rerank, req.searches.length);
    return req.searches[0]!.data.map((_, q) => fuse(lists.map((l) => ({ metric: c.metricType, hits: l[q]!.map((h) => ({ pk: h.id, distance: h.distance, h })) })), rerank, req.limit, req.offset ?? 0)
      .map((f) => ({ id: f.pk, distance: f.score, fields: f.hit.h.fields })));
  }

  async search(collection: string, req: SearchRequest & { aggregation: SearchAggregation }): Promise<AggregatedSearchResult>;
  async search(collection: string, req: SearchRequest): Promise<Hit[][]>;
  async search(collection: string, req: SearchRequest): Promise<Hit[][] | AggregatedSearchResult> {
    if (req.aggregation !== undefined) fail('InvalidArgument', 'the in-memory api does not aggregate searches');
    const c = this.coll(collection);
    if (!c.loaded) fail('InvalidArgument', `collection '${collection}' is not loaded`);
    if (req.searchParams?.metricType && req.searchParams.metricType !== c.metricType) fail('InvalidArgument', `metric ${req.searchParams.metricType} differs from the collection's ${c.metricType}`);
    const vf = req.annsField ?? vectorField(c.schema)!.name, pk = primaryField(c.schema).name;
    const candidates = this.scan(c, req);
    const off = req.offset ?? 0;
    return (req.data ?? []).map((q) => candidates
      .map((v) => ({ v, d: distance(c.metricType, q as number[], v.row[vf] as number[]) }))
      .sort((a, b) => (c.metricType === 'L2' ? a.d - b.d : b.d - a.d))
      .slice(off, off + req.limit)
      .map(({ v, d }) => ({ id: v.row[pk] as PrimaryKey, distance: d, fields: this.project(c, v.row, req.outputFields) })));
  }
}

function distance(metric: MetricType, a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0, na = 0, nb = 0, l2 = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i]! * b[i]!; na += a[i]! ** 2; nb += b[i]! ** 2; l2 += (a[i]! - b[i]!) ** 2; }
  if (metric === 'L2') return l2;
  if (metric === 'IP') return dot;
  return dot / (Math.sqrt(na * nb) || 1);
}
