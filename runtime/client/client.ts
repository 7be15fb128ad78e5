import { randomUUID } from 'node:crypto';
import { checkOrderCursor, orderedHit, readOrderBy, type OrderCursor, type OrderKey } from '../../messages/orderBy.js';
import { mergeOrdered } from '../../actors/shared/segment/orderedRows.js';
import { orderFieldsToAdd, orderHits, withoutFields } from './orderedReads.js';
import { encodeMessage } from '../../messages/codec.js';
import { parseProperties, propertyList, propertyNames } from '../../messages/collectionProperties.js';
import { parseFieldParams } from '../../messages/alteredField.js';
import { droppedAsDynamic } from '../../messages/droppedField.js';
import { NuthatchError, ValidationError } from '../../messages/errors.js';
import { loadFieldsOf, refuseUnloaded } from '../../messages/loadFields.js';
import { checkFilter, parseFilter, withSampleSeed } from '../../messages/filter/index.js';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import type { CollectionRecord, HitRow } from '../../messages/rpc/records.js';
import { streamingReadSubject, type StreamingProtocol } from '../../messages/rpc/streamingNode.js';
import { annsFieldOf, blockDim, LIMITS, primaryField, vectorField, type PrimaryKey, type Rows } from '../../messages/schema.js';
import { newMessage, physicalMs, tsoOf, type AnyMessage, type IndexParams, type Tso } from '../../messages/types.js';
import { EVENTS } from '../../messages/rpc/workers.js';
import { decodeValue } from '../../messages/valueCodec.js';
import { checkDatabaseName, checkDatabaseProperties, databaseOr, dbOf, DEFAULT_DB } from '../../messages/database.js';
import { RecordCache } from './recordCache.js';
import { describedSchema, resolveTimezone } from '../../messages/timestamptzFields.js';
import type { Expr } from '../../messages/filter/ast.js';
import { mergeHits } from '../../actors/shared/vector/topK.js';
import { SnapshotLease } from './snapshotLease.js';
import { checkReranker, fuse, fuseGroups } from './hybridRank.js';
import { analyzerNameOf, bm25AnalyzerOf } from './sparseQueries.js';
import { fieldAnalyzer, textAnalysis } from '../../messages/analyzer.js';
import { ANALYZER_VERSION } from '../../messages/text/analyzerParams.js';
import { analyzerNamesOf, analyzerTexts, analyzeTexts } from './runAnalyzer.js';
import { metricOfField } from '../../actors/shared/vector/fieldMetric.js';
import { mergeStats } from '../../messages/bm25.js';
import { bm25FunctionOf } from '../../messages/schemaFunctions.js';
import { encodeSparse, type SparseVector } from '../../messages/sparse.js';
import type { SparseQuery } from '../../messages/rpc/sparseRead.js';
import type { CollectionSchema, FieldSchema } from '../../messages/schema.js';
import { bm25ParamsOf, sparseQueryVectors, termsOf } from './sparseQueries.js';
import type { DistanceRange } from '../../actors/shared/vector/distanceRange.js';
import { firstOnPage } from '../../actors/shared/segment/pkOrder.js';
import { mergeGroupedHits, type GroupBySpec } from '../../actors/shared/vector/groupBy.js';
import { chosenGroups, restrictToGroups } from './groupRefine.js';
import { aggregateCandidates, refuseAggregationOptions } from './searchAggregation.js';
import { aggregationFields, checkAggregation, type AggLevel, type SearchAggregation } from '../../messages/searchAggregation.js';
import type { Bus } from '../ports/bus.js';
import { client, withRetry, type Caller } from '../rpc/typedBus.js';
import { MAX_HYBRID_SEARCHES, type CollectionDescription, type ConsistencyLevel, type CreateCollectionRequest, type DatabaseDescription, type Hit, type HybridSearchRequest, type IndexDescription, type NuthatchApi, type QueryRequest, type ReadOptions, type RowObject, type SearchRequest, type AggregatedSearchResult, type UpsertOptions, type WriteResult, type AlterCollectionFieldRequest, type ImportRequest, type ImportJobView, type BackupView, type RestoreJobView, type SnapshotView, type RestoreSnapshotJobView, type RunAnalyzerOptions, type AnalyzerToken } from './api.js';
import { mergePartialRows, partialKeys } from './partialUpsert.js';
import { checkDecayRanker, decayFuse, decayRerank, type CheckedDecay } from './decayRanker.js';
import { checkSearchRanker } from './functionScore.js';
import type { ShardBoost } from '../../messages/boostRanker.js';
import { checkHighlighter, highlightedFields, highlightHit } from './highlighter.js';
import { Hedger } from './hedge.js';
import type { Access, Grant, PrivilegeGroupInfo, PrivilegeV2Request, RbacApi } from './rbacApi.js';
import type { LoadOptions, ResourceGroupConfig, ResourceGroupInfo } from './resourceGroupApi.js';
import { RBAC_CHANGED_SUBJECT } from '../../messages/rpc/rbac.js';
import { denseQueries, groupSpec, roundDistance, searchOptions } from './searchOptions.js';
import { embListMetricOf, embListQueries, refuseEmbListOptions } from './embListSearch.js';
import { structArrayOutput, structOutputPath, structVectorOf, type StructSubField } from '../../messages/structArray.js';
import { pairMetric } from '../../actors/shared/vector/maxSim.js';
import { iteratorSizes } from './batchIterator.js';
import { AdmissionView, reserveAll, type ReservationPorts } from './writeReservation.js';
import type { WritePart } from '../../messages/rpc/streamingNode.js';
import { checkPosition, QueryIterator, type IteratorCursor, type QueryIteratorRequest } from './queryIterator.js';
import { SearchIterator, type SearchIteratorRequest } from './searchIterator.js';
import { checkKeySearch, keyedFilter, queriesOf, querySourceOf, refuseKeys } from './primaryKeySearch.js';
import { OwnerWatch } from './ownerWatch.js';
import { shardOf, sliceRows, toColumns, toRowObject } from './rows.js';
import { sizingDim } from '../../actors/shared/segment/segmentSize.js';
import { partitionIdOf, readPartitions, refuseNamedPartitions, refuseUnisolated, writePartitions } from './keyRouting.js';

/** Rows per insert message: keeps each message well under the bus's payload limit. */
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Primary keys cut into runs of at most about MAX_MESSAGE_BYTES (a string key counts 3 bytes a character). */
function pagesOf(pks: PrimaryKey[]): PrimaryKey[][] {
  const out: PrimaryKey[][] = [];
  let page: PrimaryKey[] = [], bytes = 0;
  for (const k of pks) {
    const size = typeof k === 'string' ? 4 + 3 * k.length : 8;
    if (bytes + size > MAX_MESSAGE_BYTES && page.length > 0) { out.push(page); page = []; bytes = 0; }
    page.push(k);
    bytes += size;
  }
  if (page.length > 0) out.push(page);
  return out;
}

/**
 * The streaming client: implements the user API by sending typed messages. It
 * finds each vchannel's pchannel owner through the pchannel's subject and waits
 * (retrying) while a WAL is moving, so callers see at most a pause.
 */
/** How long a record reached through an alias is trusted (an alias can move). */
const ALIAS_TTL_MS = 1000;
/**
 * How long a record reached by its own name is trusted: the coordinator
 * announces renames and drops, but an announcement can be missed (it is not
 * persisted), and this bounds how long a missed one goes unnoticed.
 */
const NAME_TTL_MS = 30_000;
/** How far behind this machine's clock a Bounded read may be. */
const BOUNDED_STALENESS_MS = 5000;
/** Reads and merges a partial upsert tries before it reports WriteConflict (each after losing to a write of its keys). */
const PARTIAL_UPSERT_ATTEMPTS = 20;

export class NuthatchClient implements NuthatchApi, RbacApi {
  private readonly coord: Caller<CoordinatorProtocol>;
  private readonly cache = new RecordCache();
  /** Session consistency: the last write TSO this client saw per collection (by id: names are per database). */
  private readonly lastWrite = new Map<number, Tso>();
  /** The current database: every collection-scoped call resolves in it (see database()). */
  dbName: string;
  private readonly owners: OwnerWatch;
  private readonly hedge = new Hedger();
  /** Which collections have admission rules, so a write of several appends is reserved whole only where it can be refused. */
  private readonly admission: AdmissionView;

  /**
   * `followCatalog: false` ignores the coordinator's catalog announcements (as a
   * client that missed one does: they are not persisted), leaving stale writes to
   * the WAL's machine to refuse, or the record's expiry (`nameTtlMs`) to notice.
   * `retryOnRateLimit: false` hands a RateLimited refusal to the caller at once;
   * by default (as pymilvus's retry on rate limit) the request is sent again
   * with a backoff (50 ms doubling to 2 s) for up to the request's deadline
   * (120 s for writes and reads), then the RateLimited error is thrown.
   */
  constructor(private readonly bus: Bus, private readonly opts: { timeoutMs?: number; followCatalog?: boolean; nameTtlMs?: number; dbName?: string; retryOnRateLimit?: boolean } = {}) {
    this.dbName = databaseOr(opts.dbName);
    this.coord = client<CoordinatorProtocol>(bus, COORDINATOR_SUBJECT, opts.timeoutMs ?? 60_000);
    this.owners = new OwnerWatch(bus);
    this.admission = new AdmissionView(bus, () => this.call('admission', {}));
    // Another client renamed, dropped or altered a collection: its cached records under those names go.
    if (opts.followCatalog !== false) {
      bus.subscribe(EVENTS.catalog, (data) => {
        const e = decodeValue(data) as { dbName?: string; names: string[] };
        this.cache.forget(e.dbName ?? DEFAULT_DB, e.names);
      });
    }
  }

  /**
   * This client in another database. A view made by Object.create shares every
   * field (connections, caches, subscriptions) through its prototype and holds
   * only its own `dbName`, so a gateway can serve each request in its database
   * without a client per request.
   */
  database(dbName: string): NuthatchClient {
    const view = Object.create(this) as NuthatchClient;
    view.dbName = databaseOr(dbName);
    return view;
  }

  /** Makes an existing database the current one (Milvus's using_database). */
  async useDatabase(dbName: string): Promise<void> {
    const db = checkDatabaseName(dbName);
    await this.call('describeDatabase', { dbName: db });
    this.dbName = db;
  }

  // ---- databases ------------------------------------------------------------
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

  private call<K extends keyof CoordinatorProtocol & string>(op: K, req: CoordinatorProtocol[K]['req'], timeoutMs?: number) {
    return withRetry(() => this.coord(op, req, timeoutMs), { deadlineMs: 60_000 });
  }

  /** Whether a retryable refusal is retried: a RateLimited one only if the client says so (the default). */
  private readonly retryIf = (e: NuthatchError): boolean => e.code !== 'RateLimited' || this.opts.retryOnRateLimit !== false;

  private shard(subject: string): Caller<StreamingProtocol> {
    return client<StreamingProtocol>(this.bus, subject, this.opts.timeoutMs ?? 120_000);
  }

  /** A request to a vchannel's owner, retried while its WAL moves (given up early when it moves). */
  private onShard<K extends keyof StreamingProtocol & string>(vchannel: string, op: K, req: StreamingProtocol[K]['req']) {
    const pchannel = vchannel.slice(0, vchannel.lastIndexOf('_'));
    return withRetry(() => this.owners.guard(pchannel, (subject) => this.shard(subject)(op, req)), { deadlineMs: 120_000, retryIf: this.retryIf });
  }

  /**
   * A read, sent to any delegator of the vchannel's shard (the owner or a
   * follower: one queue group per pchannel); hedged (sent again when slow, see
   * Hedger), retried, and given up early when the pchannel's delegators change.
   */
  private onReplica<K extends 'search' | 'query' | 'bm25Stats'>(vchannel: string, op: K, req: StreamingProtocol[K]['req']) {
    const pchannel = vchannel.slice(0, vchannel.lastIndexOf('_'));
    return withRetry(() => this.owners.guardRead(pchannel, () => this.hedge.run(() => this.shard(streamingReadSubject(pchannel))(op, req))), { deadlineMs: 120_000, retryIf: this.retryIf });
  }

  /** Appends one encoded message (at most once, by its append id, however often the request is retried). */
  private appendEncoded(vchannel: string, message: Uint8Array, reservation?: string) {
    return this.onShard(vchannel, 'append', { message, ...(reservation === undefined ? {} : { reservation }) });
  }

  /**
   * Appends WAL messages built elsewhere (cross-cluster replication,
   * runtime/replication): one as a plain append, several as one transaction;
   * at most once per `appendId` (the streaming node's dedup window).
   */
  async appendWal(vchannel: string, messages: AnyMessage[], appendId: string): Promise<{ tso: Tso }> {
    if (messages.length === 1) return this.appendEncoded(vchannel, appendMessage(messages[0]!, appendId));
    return this.onShard(vchannel, 'appendTxn', { vchannel, messages: messages.map((m) => encodeMessage(m)), appendId });
  }

  /**
   * A write of several appends is admitted whole before any is made, where
   * its collection has admission rules (writeReservation.ts): every owner it
   * reaches admits its part or none does. The id its appends carry, or none.
   */
  private async reserveWrite(r: CollectionRecord, parts: WritePart[]): Promise<string | undefined> {
    if (parts.length < 2 || !(await this.admission.ruled(r.collectionId))) return undefined;
    const ports: ReservationPorts = {
      reserve: (pchannel, req) => withRetry(() => this.owners.guard(pchannel, (subject) => this.shard(subject)('reserveWrite', req)), { deadlineMs: 120_000, retryIf: (e) => e.code !== 'RateLimited' }),
      release: (pchannel, reservation) => withRetry(() => this.owners.guard(pchannel, (subject) => this.shard(subject)('releaseWrite', { reservation })), { deadlineMs: 10_000 }),
    };
    return withRetry(() => reserveAll(ports, parts), { deadlineMs: 120_000, retryIf: this.retryIf });
  }

  /**
   * The collection record a name stands for, cached. A record reached through an
   * alias is kept for a second only: another client may move the alias. One
   * reached by its own name is kept for NAME_TTL_MS, or until the coordinator
   * announces the name changed.
   */
  private async record(name: string, fresh = false): Promise<CollectionRecord> {
    if (typeof name !== 'string' || name.length === 0) throw new ValidationError('collectionName must be a non-empty string');
    const db = this.dbName;
    const c = this.cache.get(db, name);
    if (c && !fresh && Date.now() - c.at < (c.rec.name === name ? this.opts.nameTtlMs ?? NAME_TTL_MS : ALIAS_TTL_MS)) return c.rec;
    return this.remember(name, await this.call('describeCollection', { dbName: db, name }));
  }

  /** Caches the record a name resolved to in the record's database, from now. */
  private remember(name: string, r: CollectionRecord): CollectionRecord {
    this.cache.set(dbOf(r), name, r, Date.now());
    return r;
  }

  /** Forgets this database's cached record of a name. */
  private uncache(name: string): void { this.cache.delete(this.dbName, name); }

  // ---- DDL ----------------------------------------------------------------
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
    return { collectionName: r.name, dbName: dbOf(r), collectionId: r.collectionId, schema: describedSchema(r.schema, timezoneOf(r)), metricType: r.metricType, shardsNum: r.shards, vchannels: r.vchannels, partitions: r.partitions, numPartitions: r.partitions.length, consistencyLevel: r.consistencyLevel, loadState: s.loadState, indexes: r.indexes, createdTso: r.createdTso, aliases, properties: propertyList(r), ...(r.loaded ? loadFieldsOf(r.schema, r.loadFields) : {}) };
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
    this.cache.delete(dbOf(r), r.name);
  }
  async releasePartitions(collection: string, partitions: string[]): Promise<void> {
    const r = await this.record(collection);
    await this.call('releasePartitions', { dbName: dbOf(r), name: r.name, partitions });
    this.cache.delete(dbOf(r), r.name);
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

  // ---- DML ----------------------------------------------------------------
  /**
   * Splits a batch by partition (the named one, or each row's key partition),
   * then by shard and by message size: [vchannel, partitionId, rows][]
   */
  private split(r: CollectionRecord, rows: Rows, partitionName?: string): Array<[string, number, Rows]> {
    const dim = blockDim(r.schema);
    const perMessage = Math.max(1, Math.floor(MAX_MESSAGE_BYTES / (sizingDim(r.schema) * 4 + 64)));
    const out: Array<[string, number, Rows]> = [];
    for (const [partitionId, inPartition] of writePartitions(r, rows, partitionName)) {
      const byShard: number[][] = r.vchannels.map(() => []);
      for (const i of inPartition) byShard[shardOf(rows.pks[i]!, r.shards)]!.push(i);
      byShard.forEach((idx, s) => { for (let i = 0; i < idx.length; i += perMessage) out.push([r.vchannels[s]!, partitionId, sliceRows(rows, idx.slice(i, i + perMessage), dim)]); });
    }
    return out;
  }

  private noteWrite(r: CollectionRecord, tso: Tso): void { if (tso > (this.lastWrite.get(r.collectionId) ?? 0n)) this.lastWrite.set(r.collectionId, tso); }

  private async columns(r: CollectionRecord, data: RowObject[], upsert: boolean): Promise<Rows> {
    const pk = primaryField(r.schema);
    if (!Array.isArray(data)) throw new ValidationError('data must be a list of rows');
    if (!pk.autoId || data.length === 0 || data.length > LIMITS.maxBatchRows) return toColumns(r.schema, data, null, timezoneOf(r));
    // allow_insert_auto_id: a row that gives its key keeps it (an insert or an upsert); the others get generated ones.
    const given = r.allowInsertAutoId === true ? data.map((row) => row !== null && typeof row === 'object' && row[pk.name] !== undefined) : data.map(() => false);
    if (upsert && given.includes(false)) throw new ValidationError(`upsert needs the primary key '${pk.name}' in every row: an autoID collection takes given keys only with allow_insert_auto_id`);
    const wanted = given.filter((g) => !g).length;
    const ids = wanted > 0 ? await this.call('allocIds', { count: wanted }, 10_000) : { first: 0 };
    let next = ids.first;
    return toColumns(r.schema, data, given.map((g) => (g ? undefined : next++)), timezoneOf(r));
  }

  /**
   * `opts.appendId`: the insert's messages carry append ids made of it, so the
   * same insert sent again (a bulk import's batch retried) is not written twice.
   */
  async insert(collection: string, data: RowObject[], partitionName?: string, opts: { appendId?: string } = {}): Promise<WriteResult> {
    const cached = await this.record(collection);
    refuseDenied(cached, 'writing');
    refuseNamedPartitions(cached, partitionName);
    partitionIdOf(cached, partitionName);
    const { r, rows } = await this.checkedColumns(collection, cached, data, false);
    let tso = 0n;
    const appends = this.split(r, rows, partitionName).map(([vchannel, partitionId, part], i) => ({
      vchannel,
      message: appendMessage(newMessage('Insert', vchannel, { collectionId: r.collectionId, partitionId, segmentId: -1, rows: part }), opts.appendId === undefined ? randomUUID() : `${opts.appendId}/${i}`),
    }));
    const reservation = await this.reserveWrite(r, appends.map((a) => ({ vchannel: a.vchannel, collectionId: r.collectionId, kind: 'insertMb', bytes: a.message.byteLength })));
    await Promise.all(appends.map(async (a) => {
      const res = await this.appendEncoded(a.vchannel, a.message, reservation);
      if (res.tso > tso) tso = res.tso;
    }));
    this.noteWrite(r, tso);
    return { count: rows.count, ids: rows.pks, tso };
  }

  async upsert(collection: string, data: RowObject[], partitionName?: string, opts: UpsertOptions = {}): Promise<WriteResult> {
    const r = await this.record(collection);
    refuseDenied(r, 'writing');
    refuseNamedPartitions(r, partitionName);
    partitionIdOf(r, partitionName);
    if (opts.partialUpdate === true) return this.partialUpsert(collection, r, data, partitionName);
    const checked = await this.checkedColumns(collection, r, data, true);
    const { tso } = await this.appendUpserts(checked.r, checked.rows, partitionName);
    this.noteWrite(checked.r, tso);
    return { count: checked.rows.count, ids: checked.rows.pks, tso };
  }

  /**
   * Rows checked against the cached record; refused, checked once more
   * against a fresh one (its schema may have changed since: a raised
   * max_length, a dropped field), so a stale cache never refuses a good write.
   */
  private async checkedColumns(name: string, r: CollectionRecord, data: RowObject[], upsert: boolean): Promise<{ r: CollectionRecord; rows: Rows }> {
    try {
      return { r, rows: await this.columns(r, data, upsert) };
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      const fresh = await this.record(name, true);
      if (JSON.stringify(fresh.schema) === JSON.stringify(r.schema)) throw e;
      return { r: fresh, rows: await this.columns(fresh, data, upsert) };
    }
  }

  /**
   * Each shard's rows as one transaction: a Delete of their keys, then an
   * Insert. With `unchangedSince`, a shard's transaction commits only if no
   * key of it was written after that TSO; the shards where one was are returned.
   */
  private async appendUpserts(r: CollectionRecord, rows: Rows, partitionName: string | undefined, unchangedSince?: Tso): Promise<{ tso: Tso; conflicts: Set<string> }> {
    const byShard = new Map<string, Uint8Array[]>();
    for (const [vchannel, partitionId, part] of this.split(r, rows, partitionName)) {
      const msgs = byShard.get(vchannel) ?? [];
      msgs.push(encodeMessage(newMessage('Delete', vchannel, { collectionId: r.collectionId, partitionId: -1, pks: part.pks })));
      msgs.push(encodeMessage(newMessage('Insert', vchannel, { collectionId: r.collectionId, partitionId, segmentId: -1, rows: part })));
      byShard.set(vchannel, msgs);
    }
    let tso = 0n;
    const conflicts = new Set<string>();
    const reservation = await this.reserveWrite(r, [...byShard].map(([vchannel, messages]) => ({ vchannel, collectionId: r.collectionId, kind: 'upsertMb', bytes: messages.reduce((n, m) => n + m.byteLength, 0) })));
    await Promise.all([...byShard].map(async ([vchannel, messages]) => {
      try {
        const res = await this.onShard(vchannel, 'appendTxn', { vchannel, messages, appendId: randomUUID(), ...(unchangedSince === undefined ? {} : { unchangedSince }), ...(reservation === undefined ? {} : { reservation }) });
        if (res.tso > tso) tso = res.tso;
      } catch (e) {
        if (!(e instanceof NuthatchError && e.code === 'WriteConflict')) throw e;
        conflicts.add(vchannel);
      }
    }));
    return { tso, conflicts };
  }

  /**
   * An upsert in merge mode (partialUpsert.ts), atomic per row: the stored
   * rows of its keys are read at one TSO, the given fields laid over them,
   * and each shard's rows written on condition that none of their keys was
   * written since that TSO. A shard where one was reads and merges its rows
   * again (a concurrent write is merged into, never overwritten unseen).
   */
  private async partialUpsert(collection: string, r: CollectionRecord, data: RowObject[], partitionName?: string): Promise<WriteResult> {
    if (!Array.isArray(data)) throw new ValidationError('data must be a list of rows');
    // A partial upsert lays its fields over the whole stored row: a row read without its unloaded fields would lose them.
    if (r.loaded && r.loadFields) throw new NuthatchError('FieldNotLoaded', `a partial upsert reads whole rows, and collection ${r.name} is loaded with some fields only: release it and load every field first`, { collection: r.name });
    const keys = partialKeys(r.schema, data, r.allowInsertAutoId === true);
    let pending = data, tso = 0n;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const since = await this.guarantee(r, 'Strong');
      const rows = await this.columns(r, await this.mergeStored(collection, r, pending, since, partitionName), true);
      const done = await this.appendUpserts(r, rows, partitionName, since);
      if (done.tso > tso) tso = done.tso;
      const pk = primaryField(r.schema).name;
      pending = pending.filter((row) => done.conflicts.has(r.vchannels[shardOf(row[pk] as PrimaryKey, r.shards)]!));
      if (pending.length > 0 && attempt >= PARTIAL_UPSERT_ATTEMPTS) {
        throw new NuthatchError('WriteConflict', `a partial upsert lost to concurrent writes of its keys ${attempt} times: ${pending.length} of its rows were not written`, { rows: pending.length });
      }
      if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
    this.noteWrite(r, tso);
    return { count: keys.length, ids: keys, tso };
  }

  /** A partial upsert's whole rows: the stored rows of its keys, read at exactly `at`, with the given fields laid over them. */
  private async mergeStored(collection: string, r: CollectionRecord, data: RowObject[], at: Tso, partitionName?: string): Promise<RowObject[]> {
    const keys = partialKeys(r.schema, data, r.allowInsertAutoId === true);
    const pk = primaryField(r.schema).name;
    const stored = await this.queryPartitions(collection, {
      filter: `${pk} in {keys}`, filterParams: { keys }, outputFields: ['*'], limit: 0,
      ...(partitionName ? { partitionNames: [partitionName] } : {}),
    }, undefined, at);
    return mergePartialRows(r.schema, data, stored);
  }

  async delete(collection: string, req: { ids?: PrimaryKey[]; filter?: string; filterParams?: Record<string, unknown>; partitionName?: string }): Promise<{ count: number; tso: Tso }> {
    const r = await this.record(collection);
    refuseDenied(r, 'writing');
    refuseNamedPartitions(r, req.partitionName);
    const pk = primaryField(r.schema);
    let ids = req.ids;
    if (ids === undefined) {
      if (typeof req.filter !== 'string' || req.filter.trim() === '') throw new ValidationError('delete needs ids or a non-empty filter');
      const rows = await this.query(collection, { filter: req.filter, ...(req.filterParams ? { filterParams: req.filterParams } : {}), outputFields: [pk.name], consistencyLevel: 'Strong', partitionNames: req.partitionName ? [req.partitionName] : undefined });
      ids = rows.map((x) => x[pk.name] as PrimaryKey);
    }
    for (const k of ids) if (pk.dataType === 'Int64' ? !(typeof k === 'number' && Number.isSafeInteger(k)) : typeof k !== 'string') throw new ValidationError(`ids must be ${pk.dataType === 'Int64' ? 'integers' : 'strings'}`);
    const partitionId = req.partitionName ? partitionIdOf(r, req.partitionName) : -1;
    const byShard = new Map<string, PrimaryKey[]>();
    for (const k of new Set(ids)) {
      const v = r.vchannels[shardOf(k, r.shards)]!;
      const list = byShard.get(v);
      if (list) list.push(k); else byShard.set(v, [k]);
    }
    let tso = 0n;
    // Bounded messages, as inserts are split: a delete of millions of ids is several appends.
    const appends = [...byShard].flatMap(([vchannel, pks]) => pagesOf(pks).map((page) => ({ vchannel, message: appendMessage(newMessage('Delete', vchannel, { collectionId: r.collectionId, partitionId, pks: page }), randomUUID()) })));
    const reservation = await this.reserveWrite(r, appends.map((a) => ({ vchannel: a.vchannel, collectionId: r.collectionId, kind: 'deleteMb', bytes: a.message.byteLength })));
    await Promise.all(appends.map(async (a) => {
      const res = await this.appendEncoded(a.vchannel, a.message, reservation);
      if (res.tso > tso) tso = res.tso;
    }));
    this.noteWrite(r, tso);
    return { count: ids.length, tso };
  }

  // ---- reads ----------------------------------------------------------------
  private async guarantee(r: CollectionRecord, level: ConsistencyLevel | undefined): Promise<Tso> {
    const l = level ?? r.consistencyLevel;
    switch (l) {
      // A short attempt: a request caught by a coordinator crash is retried on the standby.
      case 'Strong': return (await this.call('tsoBatch', { count: 1 }, 10_000)).first;
      // Bounded staleness needs no oracle round trip: 5 s behind this machine's clock.
      case 'Bounded': return tsoOf(Date.now() - BOUNDED_STALENESS_MS);
      case 'Session': return this.lastWrite.get(r.collectionId) ?? 0n;
      case 'Eventually': return 0n;
      default: throw new ValidationError(`unknown consistency level '${String(l)}' (Strong, Bounded, Session, Eventually)`);
    }
  }

  /** `partitionIds` given: read those (a partition's row count), else as the request says (readPartitions). */
  private readPlan(r: CollectionRecord, o: ReadOptions, partitionIds?: number[]) {
    const pk = primaryField(r.schema), vf = vectorField(r.schema);
    const tz = timezoneOf(r, o.timezone);
    const parsed = o.filter !== undefined && o.filter !== null && String(o.filter).trim() !== '' ? parseFilter(String(o.filter), o.filterParams, tz) : null;
    // A RANDOM_SAMPLE gets a fresh seed per read plan: one sample for every shard and segment of a request (messages/filter/sample.ts).
    const filter = parsed && droppedAsDynamic(withSampleSeed(parsed, crypto.getRandomValues(new Uint32Array(1))[0]!), r.schema);
    const checkedFilter = filter ? checkFilter(filter, r.schema) : null, checked = checkedFilter?.expr ?? null;
    // A partial load's columns (messages/loadFields.ts): '*' shows those, and a read naming another is refused.
    const columns = r.loaded ? r.loadFields : undefined;
    const names = new Set(r.schema.fields.map((f) => f.name));
    let fields: string[] = [];
    let dynamic: string[] = [];
    // Output field `chunks[text]` (Milvus's): the Struct list read, each element shown with the named sub-fields only.
    const subPaths = new Map<string, string[]>();
    for (const f of o.outputFields ?? []) {
      const path = structOutputPath(r.schema, f);
      if (f === '*') fields.push(...(columns ?? [...names, ...(r.schema.enableDynamicField ? ['$meta'] : [])]));
      else if (names.has(f)) fields.push(f);
      else if (path) { fields.push(path.field); subPaths.set(path.field, [...(subPaths.get(path.field) ?? []), path.sub]); }
      else if (r.schema.enableDynamicField) dynamic.push(f);
      else throw new ValidationError(`output field '${f}' does not exist in '${r.name}'`);
    }
    if (dynamic.length) fields.push('$meta');
    fields = [...new Set(fields)];
    refuseUnloaded(columns, [...(checkedFilter?.fields ?? []), ...fields], r.name);
    // A Struct field asked for whole (or by '*') shows every sub-field.
    const whole = new Set(o.outputFields ?? []);
    for (const name of [...subPaths.keys()]) if (whole.has(name) || whole.has('*')) subPaths.delete(name);
    return { pk, vf, filter, checked, fields, dynamic, tz, subPaths, partitionIds: partitionIds ?? readPartitions(r, checked, o.partitionNames) };
  }

  private shape(row: HitRow, pkName: string, dynamic: string[], fields: string[], schema: CollectionSchema, tz: string, subPaths?: ReadonlyMap<string, string[]>): RowObject {
    // No output fields asked for (the usual search): the row is its primary key alone.
    if (dynamic.length === 0 && hasNoKeys(row.fields)) return { [pkName]: row.pk };
    const f = { ...row.fields };
    if (dynamic.length && !fields.includes('*')) {
      const meta = (f.$meta ?? {}) as Record<string, unknown>;
      delete f.$meta;
      for (const d of dynamic) if (d in meta) f[d] = meta[d];
    }
    for (const [name, subs] of subPaths ?? []) f[name] = structArrayOutput(f[name], subs);
    return toRowObject({ [pkName]: row.pk, ...f }, schema, tz);
  }

  async query(collection: string, req: QueryRequest): Promise<RowObject[]> {
    refuseDenied(await this.record(collection), 'reading');
    return this.queryPartitions(collection, req);
  }

  /** A query; `partitionIds` given, of those partitions whatever the request names (a partition's row count); `at` given, read at exactly that TSO. */
  private async queryPartitions(collection: string, req: QueryRequest, partitionIds?: number[], at?: Tso): Promise<RowObject[]> {
    const r = await this.record(collection);
    const count = (req.outputFields ?? []).some(isCountStar);
    const plan = this.readPlan(r, { ...req, outputFields: (req.outputFields ?? []).filter((f) => !isCountStar(f)) }, partitionIds);
    const limit = req.limit ?? 0, offset = req.offset ?? 0;
    if (!Number.isInteger(limit) || limit < 0 || limit > LIMITS.maxTopK) throw new ValidationError(`limit must be an integer in 0..${LIMITS.maxTopK}`);
    if (!Number.isInteger(offset) || offset < 0) throw new ValidationError('offset must be a non-negative integer');
    if (!count && !plan.filter && limit === 0) throw new ValidationError('a query needs a filter or a limit');
    const order = readOrderBy(req.orderByFields, r.schema);
    if (order.length > 0 && count) throw new ValidationError('count(*) counts rows: it takes no orderByFields', { field: 'orderByFields' });
    // The shards merge by the ordered fields' values: they are read as output fields, and dropped before the rows are shown.
    const extra = orderFieldsToAdd(order, plan.fields);
    const read = extra.length ? { ...plan, fields: [...plan.fields, ...extra] } : plan;
    const guaranteeTso = at ?? await this.guarantee(r, req.consistencyLevel);
    const page = limit > 0 ? limit + offset : 0;
    const results = await this.queryShards(r, read, { limit: page, guaranteeTso, countOnly: count, ...(at === undefined ? {} : { mvccTso: at }), ...(order.length ? { orderBy: order } : {}) });
    if (count) return [{ 'count(*)': results.reduce((n, x) => n + x.count, 0) }];
    const rows = order.length
      ? mergeOrdered(results.map((x) => x.rows.map(orderedHit(order))), page, order).map(({ values: _, ...h }) => (extra.length ? { ...h, fields: withoutFields(h.fields, extra) } : h))
      : firstOnPage(results.flatMap((x) => x.rows), page);
    return rows.slice(offset).map((row) => this.shape(row, plan.pk.name, plan.dynamic, req.outputFields ?? [], r.schema, plan.tz, plan.subPaths));
  }

  /** One query on every shard; with `mvccTso`, each reads at exactly that TSO. */
  private queryShards(r: CollectionRecord, plan: ReturnType<NuthatchClient['readPlan']>, o: { limit: number; after?: PrimaryKey; countOnly: boolean; guaranteeTso: Tso; mvccTso?: Tso; orderBy?: OrderKey[]; orderAfter?: OrderCursor }) {
    return Promise.all(r.vchannels.map((vchannel) => this.onReplica(vchannel, 'query', {
      vchannel, collectionId: r.collectionId, filter: plan.filter, partitionIds: plan.partitionIds, outputFields: plan.fields,
      limit: o.limit, guaranteeTso: o.guaranteeTso, countOnly: o.countOnly, ...(o.orderBy ? { orderBy: o.orderBy } : {}), ...(o.orderAfter ? { orderAfter: o.orderAfter } : {}),
      ...(o.after !== undefined ? { after: o.after } : {}), ...(o.mvccTso !== undefined ? { mvccTso: o.mvccTso } : {}),
    })));
  }

  /**
   * The TSO an iterator pins: what its consistency level guarantees, and never
   * older than Bounded's staleness, since a snapshot names one TSO every shard
   * must serve (Eventually's 0, or a Session without writes, would read nothing).
   */
  /** A hold on a snapshot of the collection, taken at the first read (snapshotLease.ts). */
  private snapshotLease(r: CollectionRecord, tso: Tso, holdId?: number): SnapshotLease {
    return new SnapshotLease({
      hold: (id) => this.call('holdSnapshot', { dbName: dbOf(r), collection: r.name, tso, ...(id !== undefined ? { holdId: id } : {}) }),
      release: (id) => this.call('releaseSnapshot', { holdId: id }),
    }, holdId);
  }

  private async snapshotTso(r: CollectionRecord, level: ConsistencyLevel | undefined, guaranteed?: Tso): Promise<Tso> {
    const guarantee = guaranteed ?? await this.guarantee(r, level);
    const bounded = tsoOf(Date.now() - BOUNDED_STALENESS_MS);
    return guarantee > bounded ? guarantee : bounded;
  }

  /**
   * Rows in primary-key order (or with `orderByFields` in that order), batch
   * by batch, all read at one TSO pinned now (queryIterator.ts). A `resume`
   * position continues another iterator's walk.
   */
  async queryIterator(collection: string, req: QueryIteratorRequest): Promise<QueryIterator> {
    const r = await this.record(collection);
    refuseDenied(r, 'reading');
    const { batchSize, limit } = iteratorSizes(req.batchSize, req.limit);
    if ((req.outputFields ?? []).some(isCountStar)) throw new ValidationError('a query iterator returns rows: count(*) is not an output field of it', { field: 'outputFields' });
    const order = readOrderBy(req.orderByFields, r.schema);
    const plan = this.readPlan(r, req);
    const resume = req.resume;
    if (resume !== undefined) checkPosition(resume, plan.pk.dataType, order);
    if (resume?.after !== undefined && order.length > 0) checkOrderCursor({ values: resume.afterValues, pk: resume.after }, order, r.schema);
    const snapshotTso = resume?.snapshotTso ?? await this.snapshotTso(r, req.consistencyLevel);
    const lease = this.snapshotLease(r, snapshotTso, resume?.holdId);
    const pinned = { countOnly: false, guaranteeTso: snapshotTso, mvccTso: snapshotTso };
    const shape = (row: HitRow) => this.shape(row, plan.pk.name, plan.dynamic, req.outputFields ?? [], r.schema, plan.tz, plan.subPaths);
    const hold = () => lease.holdId;
    if (order.length === 0) {
      const rowsAfter = async ({ after }: IteratorCursor, n: number) => {
        await lease.renew();
        const results = await this.queryShards(r, plan, { limit: n, ...(after !== undefined ? { after } : {}), ...pinned });
        return firstOnPage(results.flatMap((x) => x.rows), n).map(shape);
      };
      return new QueryIterator(rowsAfter, plan.pk.name, batchSize, limit, snapshotTso, resume, hold).onFinish(() => lease.end());
    }
    // An ordered walk: each page is the first n rows past the last one's (values, key), merged over shards as an ordered query's.
    const extra = orderFieldsToAdd(order, plan.fields);
    const read = extra.length ? { ...plan, fields: [...plan.fields, ...extra] } : plan;
    // Rows are shown shaped (a Timestamptz as text, fields dropped): the cursor keeps the values the shards compare.
    const cursors = new WeakMap<RowObject, IteratorCursor>();
    const rowsAfter = async ({ after, afterValues }: IteratorCursor, n: number) => {
      await lease.renew();
      const orderAfter = after === undefined ? {} : { orderAfter: { values: afterValues ?? [], pk: after } };
      const results = await this.queryShards(r, read, { limit: n, orderBy: order, ...orderAfter, ...pinned });
      return mergeOrdered(results.map((x) => x.rows.map(orderedHit(order))), n, order).map(({ values, ...h }) => {
        const row = shape(extra.length ? { ...h, fields: withoutFields(h.fields, extra) } : h);
        cursors.set(row, { after: h.pk, afterValues: values as unknown[] });
        return row;
      });
    };
    return new QueryIterator(rowsAfter, (row) => cursors.get(row)!, batchSize, limit, snapshotTso, resume, hold, order).onFinish(() => lease.end());
  }

  async get(collection: string, ids: PrimaryKey[], opts: ReadOptions = {}): Promise<RowObject[]> {
    const r = await this.record(collection);
    if (!Array.isArray(ids) || ids.length === 0) throw new ValidationError('get needs a non-empty list of ids');
    const pk = primaryField(r.schema);
    for (const k of ids) if (pk.dataType === 'Int64' ? !(typeof k === 'number' && Number.isSafeInteger(k)) : typeof k !== 'string') throw new ValidationError(`ids must be ${pk.dataType === 'Int64' ? 'integers' : 'strings'}`);
    const filter = `${pk.name} in [${ids.map((k) => JSON.stringify(k)).join(', ')}]`;
    return this.query(collection, { ...opts, filter, limit: 0, consistencyLevel: opts.consistencyLevel ?? 'Strong' });
  }

  /**
   * Milvus's run_analyzer: what an analyzer makes of each text, for trying
   * analyzer_params before a collection uses them, or seeing what a field's
   * analyzer does (`collectionName` and `fieldName`). Plain terms, or with
   * `withDetail` each term's offsets in the text and position, and with
   * `withHash` its sparse index (the BM25 term hash).
   */
  async runAnalyzer(texts: string | string[], opts: RunAnalyzerOptions = {}): Promise<Array<string[] | AnalyzerToken[]>> {
    const list = analyzerTexts(texts);
    if ((opts.collectionName === undefined) !== (opts.fieldName === undefined)) throw new ValidationError('runAnalyzer takes collectionName and fieldName together');
    // Params tried outside a collection run at the current analyzer revision, as a collection created with them would.
    if (opts.collectionName === undefined) {
      if (opts.analyzerNames !== undefined) throw new ValidationError('runAnalyzer takes analyzerNames with a field of multi_analyzer_params (collectionName and fieldName)', { field: 'analyzer_names' });
      const analyzer = fieldAnalyzer(opts.analyzerParams === undefined ? undefined : { analyzerParams: opts.analyzerParams, analyzerVersion: ANALYZER_VERSION });
      return analyzeTexts(list, () => analyzer, opts);
    }
    if (opts.analyzerParams !== undefined) throw new ValidationError('runAnalyzer takes analyzerParams or a field, not both');
    const schema = (await this.record(opts.collectionName)).schema;
    const f = schema.fields.find((x) => x.name === opts.fieldName);
    if (!f || f.enableAnalyzer !== true) throw new ValidationError(`'${opts.fieldName}' is not a VarChar field with enable_analyzer of '${opts.collectionName}'`, { field: 'fieldName' });
    const analysis = textAnalysis(schema, f.name), names = analyzerNamesOf(opts.analyzerNames, list.length);
    return analyzeTexts(list, (i) => analysis.named(names?.[i]), opts);
  }

  async search(collection: string, req: SearchRequest & { aggregation: SearchAggregation }): Promise<AggregatedSearchResult>;
  async search(collection: string, req: SearchRequest): Promise<Hit[][]>;
  async search(collection: string, req: SearchRequest): Promise<Hit[][] | AggregatedSearchResult> {
    const r = await this.record(collection);
    refuseDenied(r, 'reading');
    if (req.orderByFields !== undefined && req.aggregation !== undefined) throw new ValidationError('a search aggregation orders its buckets itself (order, top_hits.sort): it takes no orderByFields', { field: 'orderByFields' });
    if (querySourceOf(req) === 'data') return this.searchOf(r, req);
    // A primary-key search (primaryKeySearch.ts): the rows read by key, then searched with, at one guarantee TSO.
    const keyed = checkKeySearch(r.schema, req);
    const guaranteed = await this.guarantee(r, req.consistencyLevel);
    const data = await this.keyedQueries(r, keyed, req.partitionNames, guaranteed);
    const { ids: _, ...rest } = req;
    return this.searchOf(r, { ...rest, data: data as NonNullable<SearchRequest['data']> }, guaranteed);
  }

  /**
   * A search of its `data`; `guaranteed` given, every read of it waits for
   * that TSO (a primary-key search's, taken once for its keyed read and its search).
   */
  private async searchOf(r: CollectionRecord, req: SearchRequest, guaranteed?: Tso): Promise<Hit[][] | AggregatedSearchResult> {
    if (req.orderByFields !== undefined) {
      // The page of hits, read with the ordered fields, then reordered by them (orderedReads.ts).
      const order = readOrderBy(req.orderByFields, r.schema);
      const { orderByFields: _, ...plain } = req;
      const asked = req.outputFields ?? [], extra = orderFieldsToAdd(order, asked, [primaryField(r.schema).name]);
      const hits = await this.searchOf(r, { ...plain, outputFields: [...asked, ...extra] }, guaranteed) as Hit[][];
      return hits.map((list) => orderHits(list, order, r.schema).map((h) => (extra.length ? { ...h, fields: withoutFields(h.fields, extra) } : h)));
    }
    if (structVectorOf(r.schema, req.annsField)) refuseEmbListOptions(req, req.annsField!);
    const level = req.aggregation === undefined ? undefined : checkAggregation(req.aggregation, r.schema);
    if (level) refuseAggregationOptions(req);
    if (level) return this.aggregated(r, req, level, guaranteed);
    if (req.highlighter !== undefined) return this.highlighted(r, req, guaranteed);
    if (req.ranker === undefined) return this.searchAt(r, req, undefined, undefined, guaranteed);
    const { boost, decay } = checkSearchRanker(req.ranker, r.schema, req.filterParams, timezoneOf(r, req.timezone));
    if (boost && req.groupingField !== undefined) throw new ValidationError('a boost ranker cannot rank a grouping search (as in Milvus)', { field: 'ranker' });
    return decay ? this.decayRanked(r, req, decay, boost, guaranteed) : this.searchAt(r, req, undefined, boost, guaranteed);
  }

  /**
   * A search aggregation (searchAggregation.ts): the plain search ranks the
   * candidates, then every shard returns the partial buckets of its candidate
   * rows, both rounds at one pinned TSO; the client merges and orders them.
   */
  private async aggregated(r: CollectionRecord, req: SearchRequest, level: AggLevel, guaranteed?: Tso): Promise<AggregatedSearchResult> {
    const pin = await this.snapshotTso(r, req.consistencyLevel, guaranteed);
    const { aggregation: _a, roundDecimal, ...plain } = req;
    const candidates = await this.searchAt(r, { ...plain, outputFields: [] }, pin);
    return this.aggregateRound(r, req, level, candidates, pin, roundDecimal);
  }

  /**
   * Round two of a search aggregation, a plain or a hybrid search's: every
   * shard's partial buckets of the candidates' rows at `pin`, merged, ordered
   * and cut; `read` names the output fields shown with top hits and the partitions.
   */
  private async aggregateRound(r: CollectionRecord, read: ReadOptions, level: AggLevel, candidates: Hit[][], pin: Tso, roundDecimal?: number): Promise<AggregatedSearchResult> {
    const shown = read.outputFields ?? [];
    const plan = this.readPlan(r, { ...read, outputFields: [...shown, ...aggregationFields(level)] });
    const round = roundDecimal === undefined || roundDecimal === -1 ? (d: number) => d : (d: number) => roundDistance(d, roundDecimal);
    const showPlan = this.readPlan(r, { ...read, outputFields: shown });
    const agg_buckets = await aggregateCandidates(candidates, {
      level, pkName: plan.pk.name,
      askShards: (filter, aggregate) => Promise.all(r.vchannels.map((vchannel) => this.onReplica(vchannel, 'query', {
        vchannel, collectionId: r.collectionId, filter, partitionIds: plan.partitionIds, outputFields: plan.fields,
        limit: 0, guaranteeTso: pin, mvccTso: pin, aggregate,
      }))),
      hit: (h) => ({
        pk: h.pk, score: round(h.score),
        fields: this.shape({ pk: h.pk, distance: h.score, fields: pick(h.fields, showPlan.fields) }, plan.pk.name, showPlan.dynamic, shown, r.schema, plan.tz, showPlan.subPaths),
      }),
    });
    return { agg_buckets };
  }

  /**
   * A search whose hits carry highlights (highlighter.ts): the highlighted
   * text fields read with the hits (shown only when asked for), then their
   * terms tagged in fragments under each hit's `highlight`.
   */
  private async highlighted(r: CollectionRecord, req: SearchRequest, guaranteed?: Tso): Promise<Hit[][]> {
    const field = annsFieldOf(r.schema, req.annsField);
    const h = checkHighlighter(req.highlighter, r.schema, bm25FunctionOf(r.schema, field.name)?.inputFieldNames[0], analyzerNameOf(req.searchParams));
    const asked = req.outputFields ?? [];
    const extra = highlightedFields(h).filter((f) => !asked.includes('*') && !asked.includes(f));
    const { highlighter: _h, ...plain } = req;
    const hits = await this.searchOf(r, { ...plain, outputFields: [...asked, ...extra] }, guaranteed) as Hit[][];
    return hits.map((list, q) => list.map((hit) => {
      const text = req.data?.[q];
      const highlight = highlightHit(h, hit.fields, typeof text === 'string' ? text : undefined);
      const fields = extra.length === 0 ? hit.fields : Object.fromEntries(Object.entries(hit.fields).filter(([k]) => !extra.includes(k)));
      return { ...hit, fields, highlight };
    }));
  }

  /**
   * A search re-ranked by a decay ranker (decayRanker.ts): the search's hits,
   * read with the ranker's field (boosted on the servers first when the
   * ranker is a FunctionScore with boost functions), scored again, then paged.
   */
  private async decayRanked(r: CollectionRecord, req: SearchRequest, d: CheckedDecay, boost?: ShardBoost, guaranteed?: Tso): Promise<Hit[][]> {
    if (req.groupingField !== undefined) throw new ValidationError('a decay ranker cannot rank a grouping search (as in Milvus)', { field: 'ranker' });
    const offset = req.offset ?? 0;
    const asked = req.outputFields ?? [];
    const wanted = asked.includes('*') || asked.includes(d.field);
    const all = await this.searchAt(r, { ...req, offset: 0, limit: req.limit + offset, outputFields: wanted ? asked : [...asked, d.field] }, undefined, boost, guaranteed);
    const metric = metricOfField(r, annsFieldOf(r.schema, req.annsField).name);
    return all.map((hits) => decayRerank(hits, d, metric).slice(offset, offset + req.limit).map((h) => (wanted ? h : { ...h, fields: withoutField(h.fields, d.field) })));
  }

  /**
   * A hybrid search: several searches (each of its own vector field, vectors,
   * filter and limit) read at one pinned TSO, their hits fused per query
   * vector by a reranker (RRF by default; hybridRank.ts). A hit's distance is
   * its fused score, larger is better.
   */
  async hybridSearch(collection: string, req: HybridSearchRequest & { aggregation: SearchAggregation }): Promise<AggregatedSearchResult>;
  async hybridSearch(collection: string, req: HybridSearchRequest): Promise<Hit[][]>;
  async hybridSearch(collection: string, req: HybridSearchRequest): Promise<Hit[][] | AggregatedSearchResult> {
    const r = await this.record(collection);
    refuseDenied(r, 'reading');
    if (req.orderByFields !== undefined && req.aggregation !== undefined) throw new ValidationError('a search aggregation orders its buckets itself (order, top_hits.sort): it takes no orderByFields', { field: 'orderByFields' });
    if (req.orderByFields !== undefined) {
      // As a search's: the fused page, read with the ordered fields, reordered by them (orderedReads.ts).
      const order = readOrderBy(req.orderByFields, r.schema);
      const { orderByFields: _, ...plain } = req;
      const asked = req.outputFields ?? [], extra = orderFieldsToAdd(order, asked, [primaryField(r.schema).name]);
      const hits = await this.hybridAt(r, { ...plain, outputFields: [...asked, ...extra] });
      return hits.map((list) => orderHits(list, order, r.schema).map((h) => (extra.length ? { ...h, fields: withoutFields(h.fields, extra) } : h)));
    }
    if (req.aggregation !== undefined) return this.hybridAggregated(r, req, checkAggregation(req.aggregation, r.schema));
    return this.hybridAt(r, req);
  }

  /**
   * A hybrid search aggregated (searchAggregation.ts): the fused hits (the
   * best `limit`, unrounded) are the candidates, `_score` their fused score;
   * round two asks the shards for their partial buckets at the same pinned TSO.
   */
  private async hybridAggregated(r: CollectionRecord, req: HybridSearchRequest, level: AggLevel): Promise<AggregatedSearchResult> {
    const clash = req.groupingField !== undefined ? 'groupingField' : (req.offset ?? 0) !== 0 ? 'offset' : undefined;
    if (clash) throw new ValidationError(`a search aggregation takes no ${clash}: it buckets the hybrid search's best \`limit\` hits itself`, { field: clash });
    const pin = await this.snapshotTso(r, req.consistencyLevel);
    const { aggregation: _a, roundDecimal, outputFields: _o, ...plain } = req;
    const candidates = await this.hybridAt(r, { ...plain, outputFields: [] }, pin);
    return this.aggregateRound(r, { ...(req.outputFields ? { outputFields: req.outputFields } : {}), ...(req.partitionNames ? { partitionNames: req.partitionNames } : {}), ...(req.timezone ? { timezone: req.timezone } : {}) }, level, candidates, pin, roundDecimal);
  }

  /** A hybrid search's fused hits; `pin` reads every search at exactly that TSO (else one pinned now). */
  private async hybridAt(r: CollectionRecord, req: HybridSearchRequest, pinned?: Tso): Promise<Hit[][]> {
    if (!Array.isArray(req.searches) || req.searches.length === 0) throw new ValidationError('hybrid search needs searches: a non-empty list');
    refuseKeys(req, 'a hybrid search');
    req.searches.forEach((s, i) => refuseKeys(s, `searches[${i}] of a hybrid search`, `searches[${i}].ids`));
    if (req.searches.length > MAX_HYBRID_SEARCHES) throw new ValidationError(`hybrid search takes at most ${MAX_HYBRID_SEARCHES} searches, got ${req.searches.length}`);
    if (req.ranker !== undefined && req.rerank !== undefined) throw new ValidationError('a hybrid search takes rerank or ranker, not both', { field: 'ranker' });
    const decay = req.ranker === undefined ? undefined : checkDecayRanker(req.ranker, r.schema);
    const rerank = checkReranker(req.rerank, req.searches.length);
    const limit = req.limit, offset = req.offset ?? 0;
    if (!Number.isInteger(limit) || limit < 1 || limit + offset > LIMITS.maxTopK) throw new ValidationError(`limit must be an integer in 1..${LIMITS.maxTopK} (with offset)`);
    if (!Number.isInteger(offset) || offset < 0) throw new ValidationError('offset must be a non-negative integer');
    const group = groupSpec(req, r.schema);
    if (group && decay) throw new ValidationError('a hybrid search groups with a rerank (rrf or weighted), not a decay ranker', { field: 'groupingField' });
    const nq = req.searches[0]!.data?.length;
    req.searches.forEach((s, i) => { if (structVectorOf(r.schema, s.annsField)) throw new ValidationError(`searches[${i}] names '${s.annsField}': nuthatch fuses no embedding-list search into a hybrid search`, { field: `searches[${i}].annsField` }); });
    req.searches.forEach((s, i) => { if (!Array.isArray(s.data) || s.data.length !== nq) throw new ValidationError(`searches[${i}] holds ${Array.isArray(s.data) ? s.data.length : 'no'} query vectors; every search of a hybrid search needs the same number (${nq})`); });
    const boosts = req.searches.map((s, i) => subSearchBoost(s.ranker, r, s.filterParams, timezoneOf(r, req.timezone), i));
    const pin = pinned ?? await this.snapshotTso(r, req.consistencyLevel);
    const asked = req.outputFields ?? [];
    // A decay ranker's field, or the grouping field, is read with every hit; shown only when asked for.
    const extra = decay?.field ?? group?.field;
    const shown = extra === undefined || asked.includes('*') || asked.includes(extra);
    const outputFields = shown ? req.outputFields : [...asked, extra];
    const grouping = group ? { groupingField: group.field, groupSize: group.size, strictGroupSize: group.strict } : {};
    const lists = await Promise.all(req.searches.map(({ ranker: _, ...s }, i) => this.searchAt(r, {
      ...s, ...grouping, ...(outputFields ? { outputFields } : {}), ...(req.partitionNames ? { partitionNames: req.partitionNames } : {}),
    }, pin, boosts[i])));
    const metrics = req.searches.map((s) => metricOfField(r, annsFieldOf(r.schema, s.annsField).name));
    const distance = req.roundDecimal === undefined || req.roundDecimal === -1 ? (d: number) => d : (d: number) => roundDistance(d, req.roundDecimal!);
    if (decay) {
      return Array.from({ length: nq }, (_, q) => decayFuse(lists.map((l, i) => ({ metric: metrics[i]!, hits: l[q]! })), decay, limit, offset)
        .map((h) => ({ id: h.id, distance: distance(h.distance), fields: shown ? h.fields : withoutField(h.fields, decay.field) })));
    }
    return Array.from({ length: nq }, (_, q) => {
      const ranked = lists.map((l, i) => ({ metric: metrics[i]!, hits: l[q]!.map((h) => ({ pk: h.id, distance: h.distance, h })) }));
      const fused = group ? fuseGroups(ranked, rerank, (x) => x.h.fields[group.field], limit, offset, group.size) : fuse(ranked, rerank, limit, offset);
      return fused.map((f) => ({ id: f.pk, distance: distance(f.score), fields: shown ? f.hit.h.fields : withoutField(f.hit.h.fields, extra!) }));
    });
  }

  /**
   * A search; `pin` reads at exactly that TSO (a hybrid search's one snapshot)
   * instead of the consistency level's; `boost` is applied by the servers to
   * each segment's candidates (messages/boostRanker.ts), dense and sparse fields (not embedding lists).
   */
  private async searchAt(r: CollectionRecord, req: SearchRequest, pin?: Tso, boost?: ShardBoost, guaranteed?: Tso): Promise<Hit[][]> {
    const struct = structVectorOf(r.schema, req.annsField);
    const field0 = struct ? undefined : annsFieldOf(r.schema, req.annsField);
    if (boost && struct) throw new ValidationError(`a boost ranker ranks no embedding-list search, as '${req.annsField}' is`, { field: 'ranker' });
    if (struct) return this.searchEmbListAt(r, req, struct.sub, pin);
    const plan = this.readPlan(r, req);
    refuseUnisolated(r, plan.checked);
    const field = field0!, dim = field.dim!, metric = metricOfField(r, field.name);
    if (field.dataType === 'SparseFloatVector') return this.searchSparseAt(r, req, field, pin, boost, guaranteed);
    // The first vector field is the shards' default: named only when another one is searched.
    const anns = field.name === plan.vf?.name ? {} : { annsField: field.name };
    if (!Array.isArray(req.data) || req.data.length === 0) throw new ValidationError('search needs data: a non-empty list of vectors');
    if (req.data.length > 1024) throw new ValidationError('search takes at most 1024 vectors at once');
    const limit = req.limit, offset = req.offset ?? 0;
    if (!Number.isInteger(limit) || limit < 1 || limit + offset > LIMITS.maxTopK) throw new ValidationError(`limit must be an integer in 1..${LIMITS.maxTopK} (with offset)`);
    if (!Number.isInteger(offset) || offset < 0) throw new ValidationError('offset must be a non-negative integer');
    if (req.searchParams?.metricType && req.searchParams.metricType !== metric) throw new ValidationError(`metricType ${req.searchParams.metricType} differs from field '${field.name}''s ${metric}`);
    const queries = denseQueries(field, req.data, r.schema);
    const { ef, nprobe, rbqQueryBits, refineK, reorderK, searchList, mhSearchWithJaccard, mhElementBitWidth, range, ignoreGrowing, roundDecimal, group, iterativeFilter } = searchOptions(req, metric, r.schema, r.indexes.find((i) => i.fieldName === field.name)?.indexType);
    const k = limit + offset;
    const guaranteeTso = pin ?? guaranteed ?? await this.guarantee(r, req.consistencyLevel);
    const searchShards = (qs: Float32Array, filter: unknown, kk: number, grouping: GroupBySpec | undefined) => Promise.all(r.vchannels.map((vchannel) => this.onReplica(vchannel, 'search', {
      vchannel, collectionId: r.collectionId, queries: qs, ...anns, nq: qs.length / dim, k: kk, ef, nprobe, rbqQueryBits, refineK, reorderK, searchList, filter, ...(boost ? { boost } : {}),
      ...(mhSearchWithJaccard !== undefined ? { mhSearchWithJaccard } : {}), ...(mhElementBitWidth !== undefined ? { mhElementBitWidth } : {}),
      partitionIds: plan.partitionIds, outputFields: plan.fields, guaranteeTso, ...(pin !== undefined ? { mvccTso: pin } : {}),
      ...(range ? { range } : {}), ...(ignoreGrowing ? { ignoreGrowing } : {}), ...(grouping ? { group: grouping } : {}), ...(iterativeFilter ? { iterativeFilter } : {}),
    })));
    // With groups of several hits, a first pass of one hit per group picks them and a second fills them (groupRefine.ts).
    const refine = group !== undefined && group.size > 1;
    const perShard = await searchShards(queries, plan.filter, k, refine ? { ...group, size: 1, strict: false } : group);
    const merge = (lists: HitRow[][]) => (group ? mergeGroupedHits(lists, limit, refine ? 1 : group.size, metric, offset) : mergeHits(lists, limit, metric, offset));
    let results = req.data.map((_, q) => merge(perShard.map((s) => s.hits[q] ?? [])));
    if (refine) {
      results = await Promise.all(results.map(async (first, q) => {
        const values = chosenGroups(first);
        if (values.length === 0) return first;
        const again = await searchShards(queries.subarray(q * dim, (q + 1) * dim), restrictToGroups(plan.filter, group.field, values), values.length, group);
        return mergeGroupedHits(again.map((s) => s.hits[0] ?? []), values.length, group.size, metric);
      }));
    }
    const distance = roundDecimal === undefined ? (d: number) => d : (d: number) => roundDistance(d, roundDecimal);
    return results.map((hits) => hits.map((h) => ({ id: h.pk, distance: distance(h.distance), fields: this.shape(h, plan.pk.name, plan.dynamic, req.outputFields ?? [], r.schema, plan.tz, plan.subPaths) })));
  }

  /**
   * An embedding-list search of a Struct's vector sub-field (`annsField`
   * `chunks[text_vector]`): each query is a list of vectors and each row is
   * scored by MAX_SIM over its own list, exactly, on every shard; hits merge
   * in the metric's order (larger first but for MAX_SIM_L2).
   */
  private async searchEmbListAt(r: CollectionRecord, req: SearchRequest, sub: StructSubField, pin?: Tso): Promise<Hit[][]> {
    const annsField = req.annsField!;
    refuseEmbListOptions(req, annsField);
    const plan = this.readPlan(r, req);
    refuseUnisolated(r, plan.checked);
    const lists = embListQueries(sub, annsField, req.data);
    const metric = embListMetricOf(req, annsField, r.indexes.find((i) => i.fieldName === annsField)?.metricType);
    const limit = req.limit, offset = req.offset ?? 0;
    if (!Number.isInteger(limit) || limit < 1 || limit + offset > LIMITS.maxTopK) throw new ValidationError(`limit must be an integer in 1..${LIMITS.maxTopK} (with offset)`);
    if (!Number.isInteger(offset) || offset < 0) throw new ValidationError('offset must be a non-negative integer');
    const { ef, ignoreGrowing, roundDecimal } = searchOptions(req, pairMetric(metric), r.schema);
    const guaranteeTso = pin ?? await this.guarantee(r, req.consistencyLevel);
    const perShard = await Promise.all(r.vchannels.map((vchannel) => this.onReplica(vchannel, 'search', {
      vchannel, collectionId: r.collectionId, queries: new Float32Array(0), annsField, embList: { lists, metric }, nq: lists.length, k: limit + offset, ef,
      filter: plan.filter, partitionIds: plan.partitionIds, outputFields: plan.fields, guaranteeTso, ...(pin !== undefined ? { mvccTso: pin } : {}),
      ...(ignoreGrowing ? { ignoreGrowing } : {}),
    })));
    const distance = roundDecimal === undefined ? (d: number) => d : (d: number) => roundDistance(d, roundDecimal);
    return lists.map((_, q) => mergeHits(perShard.map((s) => s.hits[q] ?? []), limit, pairMetric(metric), offset)
      .map((h) => ({ id: h.pk, distance: distance(h.distance), fields: this.shape(h, plan.pk.name, plan.dynamic, req.outputFields ?? [], r.schema, plan.tz, plan.subPaths) })));
  }

  /**
   * A search of a sparse field, read at one pinned TSO. A BM25 field's search
   * is two rounds: every shard counts the query terms among its live rows
   * (bm25Stats), the sums go to every shard with the queries, so all score
   * with the collection's idf and mean length (messages/bm25.ts). Range
   * searches keep scores in (radius, range_filter]; grouping searches group
   * as dense ones do.
   */
  private async searchSparseAt(r: CollectionRecord, req: SearchRequest, field: FieldSchema, pin?: Tso, boost?: ShardBoost, guaranteed?: Tso): Promise<Hit[][]> {
    const plan = this.readPlan(r, req);
    refuseUnisolated(r, plan.checked);
    if (!Array.isArray(req.data) || req.data.length === 0) throw new ValidationError('search needs data: a non-empty list of query vectors or texts');
    if (req.data.length > 1024) throw new ValidationError('search takes at most 1024 queries at once');
    const limit = req.limit, offset = req.offset ?? 0;
    if (!Number.isInteger(limit) || limit < 1 || limit + offset > LIMITS.maxTopK) throw new ValidationError(`limit must be an integer in 1..${LIMITS.maxTopK} (with offset)`);
    if (!Number.isInteger(offset) || offset < 0) throw new ValidationError('offset must be a non-negative integer');
    const metric = metricOfField(r, field.name);
    if (req.searchParams?.metricType && req.searchParams.metricType !== metric) throw new ValidationError(`metricType ${req.searchParams.metricType} differs from field '${field.name}''s ${metric}`);
    const { range, ignoreGrowing, roundDecimal, group } = searchOptions(req, metric, r.schema);
    const bm25 = bm25FunctionOf(r.schema, field.name);
    const vectors = sparseQueryVectors(req.data, field.name, bm25 !== undefined, bm25AnalyzerOf(r.schema, field.name, analyzerNameOf(req.searchParams)));
    const tso = pin ?? await this.snapshotTso(r, req.consistencyLevel, guaranteed);
    const at = { collectionId: r.collectionId, annsField: field.name, partitionIds: plan.partitionIds, guaranteeTso: tso, mvccTso: tso };
    const stats = bm25 ? await this.bm25Counts(r, field, vectors, at) : undefined;
    const k = limit + offset;
    const searchShards = (queries: Uint8Array[], filter: unknown, kk: number, grouping: GroupBySpec | undefined) => Promise.all(r.vchannels.map((vchannel) => this.onReplica(vchannel, 'search', {
      ...at, vchannel, queries: new Float32Array(0), sparse: { queries, ...(stats ? { bm25: stats } : {}) }, nq: queries.length, k: kk, filter, ...(boost ? { boost } : {}),
      outputFields: plan.fields, ...(ignoreGrowing ? { ignoreGrowing } : {}), ...(range ? { range } : {}), ...(grouping ? { group: grouping } : {}),
    })));
    // Groups of several hits: one hit per group first picks the groups, a second round fills them (groupRefine.ts), as for dense fields.
    const refine = group !== undefined && group.size > 1;
    const encoded = vectors.map(encodeSparse);
    const perShard = await searchShards(encoded, plan.filter, k, refine ? { ...group, size: 1, strict: false } : group);
    let results = vectors.map((_, q) => {
      const lists = perShard.map((s) => s.hits[q] ?? []);
      return group ? mergeGroupedHits(lists, limit, refine ? 1 : group.size, 'IP', offset) : mergeHits(lists, limit, 'IP', offset);
    });
    if (refine) {
      results = await Promise.all(results.map(async (first, q) => {
        const values = chosenGroups(first);
        if (values.length === 0) return first;
        const again = await searchShards([encoded[q]!], restrictToGroups(plan.filter, group.field, values), values.length, group);
        return mergeGroupedHits(again.map((s) => s.hits[0] ?? []), values.length, group.size, 'IP');
      }));
    }
    const distance = roundDecimal === undefined ? (d: number) => d : (d: number) => roundDistance(d, roundDecimal);
    return results.map((hits) => hits.map((h) => ({ id: h.pk, distance: distance(h.distance), fields: this.shape(h, plan.pk.name, plan.dynamic, req.outputFields ?? [], r.schema, plan.tz, plan.subPaths) })));
  }

  /**
   * A primary-key search's keyed read (primaryKeySearch.ts): the `annsField`
   * vectors of the rows the keys name, in the partitions the search reads,
   * waiting for the search's guarantee TSO (growing and sealed rows, deletes
   * applied), as a get reads them; then the queries, in the keys' order.
   */
  private async keyedQueries(r: CollectionRecord, { field, pk, ids }: ReturnType<typeof checkKeySearch>, partitionNames: string[] | undefined, guaranteeTso: Tso): Promise<unknown[]> {
    const partitions = partitionNames ? { partitionNames } : {};
    const plan = this.readPlan(r, { ...keyedFilter(pk.name, ids), outputFields: [field.name], ...partitions });
    const results = await this.queryShards(r, plan, { limit: 0, countOnly: false, guaranteeTso });
    const rows = results.flatMap((x) => x.rows).map((row) => this.shape(row, pk.name, [], [field.name], r.schema, plan.tz));
    return queriesOf(ids, rows, pk.name, field.name, r.name);
  }

  /** Round one of a BM25 search: the collection's counts of the queries' terms, summed over the shards at the read's TSO. */
  private async bm25Counts(r: CollectionRecord, field: FieldSchema, vectors: SparseVector[], at: { collectionId: number; annsField: string; partitionIds: number[] | null; guaranteeTso: Tso; mvccTso: Tso }): Promise<SparseQuery['bm25']> {
    const terms = termsOf(vectors);
    const parts = await Promise.all(r.vchannels.map((vchannel) => this.onReplica(vchannel, 'bm25Stats', { ...at, vchannel, terms })));
    return { ...bm25ParamsOf(r, field.name), terms, stats: mergeStats(parts, terms.length) };
  }

  /**
   * Hits of one vector, best first, batch by batch, each hit once, all read at
   * one TSO pinned now: each batch a range search past the last (searchIterator.ts).
   */
  async searchIterator(collection: string, req: SearchIteratorRequest): Promise<SearchIterator> {
    const r = await this.record(collection);
    refuseDenied(r, 'reading');
    refuseKeys(req, 'a search iterator');
    const { batchSize, limit } = iteratorSizes(req.batchSize, req.limit);
    const plan = this.readPlan(r, req);
    refuseUnisolated(r, plan.checked);
    if (structVectorOf(r.schema, req.annsField)) throw new ValidationError(`a search iterator cannot read embedding lists ('${req.annsField}')`, { field: 'annsField' });
    const field = annsFieldOf(r.schema, req.annsField), metric = metricOfField(r, field.name);
    const anns = field.name === plan.vf?.name ? {} : { annsField: field.name };
    const sparseField = field.dataType === 'SparseFloatVector';
    const bm25 = sparseField && bm25FunctionOf(r.schema, field.name) !== undefined;
    const sparseQueries = sparseField ? sparseQueryVectors([req.vector], field.name, bm25, bm25AnalyzerOf(r.schema, field.name)) : undefined;
    const queries = sparseField ? new Float32Array(0) : denseQueries(field, [req.vector as number[]]);
    // The index's knobs go with every batch, as a search's do (reorder_k at least each batch's k).
    const { ef, nprobe, rbqQueryBits, refineK, reorderK, range } = searchOptions({ data: [], limit: 1, searchParams: { params: req.params ?? {} } }, metric, r.schema);
    const snapshotTso = await this.snapshotTso(r, req.consistencyLevel);
    const lease = this.snapshotLease(r, snapshotTso);
    // A sparse field's queries (and a BM25 field's counts, taken once at the pinned TSO) go with every batch.
    const sparse = sparseQueries && {
      queries: sparseQueries.map(encodeSparse),
      ...(bm25 ? { bm25: await this.bm25Counts(r, field, sparseQueries, { collectionId: r.collectionId, annsField: field.name, partitionIds: plan.partitionIds, guaranteeTso: snapshotTso, mvccTso: snapshotTso }) } : {}),
    };
    const search = async (k: number, bounds: DistanceRange | undefined, filter: Expr | null) => {
      await lease.renew();
      const perShard = await Promise.all(r.vchannels.map((vchannel) => this.onReplica(vchannel, 'search', {
        vchannel, collectionId: r.collectionId, queries, ...anns, ...(sparse ? { sparse } : {}), nq: 1, k, ef, nprobe, rbqQueryBits, refineK,
        ...(reorderK !== undefined ? { reorderK: Math.max(reorderK, k) } : {}), filter, partitionIds: plan.partitionIds, outputFields: plan.fields,
        guaranteeTso: snapshotTso, mvccTso: snapshotTso, ...(bounds ? { range: bounds } : {}),
      })));
      return mergeHits(perShard.map((x) => x.hits[0] ?? []), k, metric)
        .map((h) => ({ id: h.pk, distance: h.distance, fields: this.shape(h, plan.pk.name, plan.dynamic, req.outputFields ?? [], r.schema, plan.tz, plan.subPaths) }));
    };
    return new SearchIterator(search, metric, plan.pk.name, plan.filter, range, batchSize, limit, snapshotTso).onFinish(() => lease.end());
  }

  // Resource groups (ResourceGroupApi): kept by the coordinator.
  async createResourceGroup(name: string, opts: { config?: ResourceGroupConfig } = {}): Promise<void> { await this.call('createResourceGroup', { name, ...(opts.config ? { config: opts.config } : {}) }); }
  async dropResourceGroup(name: string): Promise<void> { await this.call('dropResourceGroup', { name }); }
  listResourceGroups(): Promise<string[]> { return this.call('listResourceGroups', {}); }
  describeResourceGroup(name: string): Promise<ResourceGroupInfo> { return this.call('describeResourceGroup', { name }); }
  async updateResourceGroups(configs: Record<string, ResourceGroupConfig>): Promise<void> { await this.call('updateResourceGroups', { configs }); }
  async transferReplica(sourceGroup: string, targetGroup: string, collectionName: string, numReplicas: number): Promise<void> {
    await this.call('transferReplica', { dbName: this.dbName, sourceGroup, targetGroup, collection: collectionName, numReplicas });
  }

  // Users and roles (RbacApi): kept by the coordinator.
  async createUser(user: string, password: string): Promise<void> { await this.call('createUser', { user, password }); }
  async dropUser(user: string): Promise<void> { await this.call('dropUser', { user }); }
  listUsers(): Promise<string[]> { return this.call('listUsers', {}); }
  describeUser(user: string): Promise<{ userName: string; roles: string[] }> { return this.call('describeUser', { user }); }
  async updatePassword(user: string, oldPassword: string, newPassword: string): Promise<void> { await this.call('updatePassword', { user, oldPassword, newPassword }); }
  async createRole(role: string): Promise<void> { await this.call('createRole', { role }); }
  async dropRole(role: string, opts: { forceDrop?: boolean } = {}): Promise<void> { await this.call('dropRole', { role, force: opts.forceDrop === true }); }
  listRoles(): Promise<string[]> { return this.call('listRoles', {}); }
  describeRole(role: string): Promise<Grant[]> { return this.call('describeRole', { role }); }
  async grantRole(user: string, role: string): Promise<void> { await this.call('grantRole', { user, role }); }
  async revokeRole(user: string, role: string): Promise<void> { await this.call('revokeRole', { user, role }); }
  async grantPrivilege(role: string, objectType: string, privilege: string, objectName: string, dbName?: string): Promise<void> {
    await this.call('grantPrivilege', { role, grant: { objectType, privilege, objectName, ...(dbName === undefined ? {} : { dbName }) } });
  }
  async revokePrivilege(role: string, objectType: string, privilege: string, objectName: string, dbName?: string): Promise<void> {
    await this.call('revokePrivilege', { role, grant: { objectType, privilege, objectName, ...(dbName === undefined ? {} : { dbName }) } });
  }
  async createPrivilegeGroup(group: string): Promise<void> { await this.call('createPrivilegeGroup', { group }); }
  async dropPrivilegeGroup(group: string): Promise<void> { await this.call('dropPrivilegeGroup', { group }); }
  listPrivilegeGroups(): Promise<PrivilegeGroupInfo[]> { return this.call('listPrivilegeGroups', {}); }
  async addPrivilegesToGroup(group: string, privileges: string[]): Promise<void> { await this.call('addPrivilegesToGroup', { group, privileges }); }
  async removePrivilegesFromGroup(group: string, privileges: string[]): Promise<void> { await this.call('removePrivilegesFromGroup', { group, privileges }); }
  async grantPrivilegeV2(r: PrivilegeV2Request): Promise<void> {
    await this.call('grantPrivilegeV2', { role: r.role, grant: { privilege: r.privilege, collectionName: r.collectionName, ...(r.dbName === undefined ? {} : { dbName: r.dbName }) } });
  }
  async revokePrivilegeV2(r: PrivilegeV2Request): Promise<void> {
    await this.call('revokePrivilegeV2', { role: r.role, grant: { privilege: r.privilege, collectionName: r.collectionName, ...(r.dbName === undefined ? {} : { dbName: r.dbName }) } });
  }
  authenticate(user: string, password: string): Promise<Access> { return this.call('authenticate', { user, password }); }
  onAccessChange(listener: () => void): () => void {
    const sub = this.bus.subscribe(RBAC_CHANGED_SUBJECT, () => listener());
    return () => sub.unsubscribe();
  }
}

/** The named fields of a row only. */
const pick = (fields: Record<string, unknown>, names: readonly string[]) => Object.fromEntries(names.filter((n) => n in fields).map((n) => [n, fields[n]]));

const isCountStar = (f: string) => f.replace(/\s/g, '').toLowerCase() === 'count(*)';

function hasNoKeys(o: object): boolean {
  for (const k in o) if (Object.hasOwn(o, k)) return false;
  return true;
}

/** The zone of a request's Timestamptz values: its own `timezone`, the collection's, the database's, else UTC. */
function timezoneOf(r: CollectionRecord, asked?: string): string {
  return resolveTimezone({ tz: asked, from: 'timezone' }, { tz: r.timezone, from: 'collection property timezone' }, { tz: r.dbTimezone, from: 'database property timezone' });
}

/** Refuses a request its database's force-deny switch turns away (messages/databaseProperties.ts), as Milvus's proxy does. */
function refuseDenied(r: CollectionRecord, what: 'writing' | 'reading'): void {
  if (r.denied?.[what]) throw new NuthatchError('ForceDenied', `database '${r.dbName ?? 'default'}' is force denied ${what} (database.force.deny.${what} is true)`, { database: r.dbName ?? 'default', collection: r.name });
}

/** A hit's fields without one (a decay ranker's field the request did not ask to see). */
function withoutField(fields: RowObject, name: string): RowObject {
  const { [name]: _, ...rest } = fields;
  return rest;
}

/** A message encoded for the WAL under an append id (appended at most once however often it is sent). */
function appendMessage(m: AnyMessage, appendId: string): Uint8Array {
  m.header.appendId = appendId;
  return encodeMessage(m);
}

/** A hybrid sub-search's boost functions, checked (Milvus ranks a sub-request by Boost Rankers only; the fusion is the reranker's). */
function subSearchBoost(ranker: unknown, r: CollectionRecord, filterParams: SearchRequest['filterParams'], timezone: string | undefined, i: number): ShardBoost | undefined {
  if (ranker === undefined) return undefined;
  try {
    const { boost, decay } = checkSearchRanker(ranker, r.schema, filterParams, timezone);
    if (decay) throw new ValidationError('a hybrid search ranks a search by boost functions only: a decay ranker goes in the hybrid search\'s own ranker', { field: 'ranker' });
    return boost;
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    throw new ValidationError(`searches[${i}]: ${e.message}`, { ...e.info, field: `searches[${i}].${typeof e.info.field === 'string' ? e.info.field : 'ranker'}` });
  }
}

/** A load's field set as the coordinator takes it (absent keys: not named). */
function loadFieldsReq(opts: Pick<LoadOptions, 'loadFields' | 'skipLoadDynamicField'>): { loadFields?: string[]; skipLoadDynamicField?: boolean } {
  return { ...(opts.loadFields !== undefined ? { loadFields: opts.loadFields } : {}), ...(opts.skipLoadDynamicField !== undefined ? { skipLoadDynamicField: opts.skipLoadDynamicField } : {}) };
}
