import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSession } from '../../../messages/nodeSession.js';
import type { FieldExpiry } from '../../../messages/entityTtl.js';
import { NuthatchError } from '../../../messages/errors.js';
import { compileFilter, type CompiledFilter } from '../../../messages/filter/evaluate.js';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../../messages/rpc/coordinator.js';
import type { CollectionRecord, ShardQuery } from '../../../messages/rpc/records.js';
import { aggregateRows, candidateRows } from '../../shared/aggregation/partial.js';
import { BucketFold } from '../../shared/aggregation/bucketFold.js';
import { streamingReadSubject, streamingSubject, type StreamingProtocol } from '../../../messages/rpc/streamingNode.js';
import { EVENTS, queryNodeChecks, queryNodeSubject, type QueryNodeProtocol } from '../../../messages/rpc/workers.js';
import { isNewer, type AdmissionSnapshot } from '../../../messages/admission.js';
import { decodeValue } from '../../../messages/valueCodec.js';
import { forceDenial } from '../../shared/quota/forceDeny.js';
import { annsFieldOf, fieldDefaults, namesFields, partitionKeyField, primaryField, vectorField } from '../../../messages/schema.js';
import { isolatedKey } from '../../shared/partitionKey/keyIsolation.js';
import { mappedRows } from '../../../runtime/vectorIndex/rowMappedIndex.js';
import { isPackedVectorType } from '../../../messages/packedVectors.js';
import { metricOfField } from '../../shared/vector/fieldMetric.js';
import type { Tso } from '../../../messages/types.js';
import type { Bus, BusSubscription } from '../../../runtime/ports/bus.js';
import type { Lease, MetaStore } from '../../../runtime/ports/metaStore.js';
import type { ObjectStore } from '../../../runtime/ports/objectStore.js';
import { sumDiskReads, type VectorIndex, type VectorIndexFactories } from '../../../runtime/vectorIndex/vectorIndex.js';
import { client, serveProtocol, withRetry } from '../../../runtime/rpc/typedBus.js';
import { applyDeletePage, heldFileVerdict, newShardDeletes, readsFile, type ShardDeletes } from '../core/shardDeletes.js';
import { foldSealed, querySealed, searchSealed, type ReadSegment, type SealedRead } from '../core/sealedSearch.js';
import type { SegmentWalk } from '../core/iterativeSegment.js';
import { boostPool, compileBoost } from '../../shared/vector/boostSegment.js';
import { searchSealedSparse, statsSealed } from '../core/sealedSparse.js';
import { readSparseQuery } from '../../shared/vector/sparseQuery.js';
import { structVectorOf } from '../../../messages/structArray.js';
import { readEmbListQuery } from '../../shared/vector/maxSim.js';
import { embListCandidates, searchSealedEmbList } from '../core/sealedEmbList.js';
import { bm25FunctionOf } from '../../../messages/schemaFunctions.js';
import { mhElementBytesOfField } from '../../shared/vector/minhashWidth.js';
import { filterPlanner } from '../core/filterPlanner.js';
import { checkOrderCursor, checkOrderKeys } from '../../../messages/orderBy.js';
import type { MetricsRegistry } from '../../../runtime/metrics/registry.js';
import { measure } from '../../../runtime/metrics/operation.js';
import { QueryNodeMetrics } from './queryNodeMetrics.js';
import { refuseUnloaded } from '../../../messages/loadFields.js';
import { jsonShreddingConfig, type JsonShreddingConfig } from '../../shared/segment/jsonShredding.js';
import { AsyncSearches, searchesAsync } from './asyncIndexSearch.js';
import { SegmentStore, type Loaded } from './segmentStore.js';
import { deleteCoverOf } from '../../shared/segment/deleteCover.js';
import { tieredStorageConfig, type TieredStorageOptions } from '../core/tieredStorageConfig.js';
import { cacheBudget } from './cacheBudget.js';

export interface QueryNodeOptions {
  nodeId: string; bus: Bus; meta: MetaStore; objects: ObjectStore;
  /** The index types this node loads, by type (runtime/vectorIndex/vectorIndexes.ts). */
  indexes: VectorIndexFactories;
  log?: (...a: unknown[]) => void;
  /** TTL of the node's session lease (default 10 s): how long after a crash its segments are loaded elsewhere. */
  sessionTtlMs?: number;
  /** Where the node's metrics go (the process's registry); kept privately when absent. */
  metrics?: MetricsRegistry;
  /** JSON shredding of loaded segments (Milvus's common.enabledJSONShredding and its dataCoord.jsonShredding* knobs); on by default. */
  jsonShredding?: Partial<JsonShreddingConfig>;
  /** Tiered storage: lazy load, warm-up and eviction (Milvus's queryNode.segcore.tieredStorage.*); off by default. */
  tieredStorage?: TieredStorageOptions;
  /** The node's local data directory: tiered storage's disk tier defaults to `cache/tiered/<node>` under it (else under the temp dir). */
  dataDir?: string;
}

/** What reading sealed segments needs of a search or query request. */
type ReadRequest = Pick<ShardQuery, 'vchannel' | 'collectionId' | 'filter' | 'partitionIds' | 'outputFields' | 'guaranteeTso'> & { segmentIds: number[]; pchannel: string; deleteSeq: number; expiredBelow?: Tso; fieldExpiry?: FieldExpiry[] };

/**
 * The query node: holds sealed segments and their indexes in memory and searches
 * them for delegators. Deletes come from the shard's delegator by sequence number,
 * pulled when a request says the node is behind, so a search never misses one.
 */
export class QueryNode {
  private readonly segments: SegmentStore;
  private readonly deletes = new Map<string, ShardDeletes>();
  private readonly schemas = new Map<number, CollectionRecord>();
  private sub?: BusSubscription;
  private admissionSub?: BusSubscription;
  /** The coordinator's newest admission snapshot: its force-deny switches hold for reads sent here directly too. */
  private admission?: AdmissionSnapshot;
  private lease?: Lease;
  private stopped = false;
  private readonly metrics: QueryNodeMetrics;
  private readonly stopSampling: () => void;
  /** This process's incarnation: a restart under the same id is told apart by it (messages/nodeSession.ts). */
  private readonly incarnation = randomUUID();
  /**
   * DISKANN is searched through searchAsync only under tiered storage, where its records are read in place
   * from the disk tier and may be cold: with every record in the page cache (a full load), the synchronous
   * search is two to three times faster (bench tieredStorage --diskann).
   */
  private readonly asyncDiskann: boolean;
  constructor(private readonly opts: QueryNodeOptions) {
    const metrics = this.metrics = new QueryNodeMetrics(opts.nodeId, opts.metrics);
    const tiered = tieredStorageConfig(opts.tieredStorage);
    this.asyncDiskann = tiered.enabled;
    this.segments = new SegmentStore({
      nodeId: opts.nodeId, objects: opts.objects, indexes: opts.indexes, shredding: jsonShreddingConfig(opts.jsonShredding),
      collection: (id, fresh) => this.collection(id, fresh), onCount: (n) => metrics.loadedSegments.set(n),
      onShredded: (atLoad, fromSidecar) => { metrics.shreddedColumns.atLoad.inc(atLoad); metrics.shreddedColumns.fromSidecar.inc(fromSidecar); },
      ...(opts.log ? { log: opts.log } : {}),
      ...(tiered.enabled ? { tiered: { config: tiered, budget: cacheBudget(tiered), events: metrics.cache, diskDir: join(opts.dataDir ?? join(tmpdir(), 'nuthatch'), 'cache', 'tiered', opts.nodeId) } } : {}),
    });
    this.stopSampling = metrics.sampleDiskCaches(() => sumDiskReads(this.segments.vectorIndexes()));
    if (tiered.enabled) metrics.cacheBudget.set(cacheBudget(tiered));
  }

  async start(): Promise<void> {
    const offer = (a: AdmissionSnapshot) => { if (isNewer(a, this.admission)) this.admission = a; };
    this.admissionSub = this.opts.bus.subscribe(EVENTS.admission, (data) => offer(decodeValue(data) as unknown as AdmissionSnapshot));
    // Asked in the background: a query node may start before the coordinator, and snapshots come every few seconds.
    void withRetry(() => client<CoordinatorProtocol>(this.opts.bus, COORDINATOR_SUBJECT)('admission', {}), { deadlineMs: 120_000 }).then(offer, () => {});
    this.sub = serveProtocol<QueryNodeProtocol>(this.opts.bus, queryNodeSubject(this.opts.nodeId), queryNodeChecks, {
      load: ({ segment, columns }) => this.segments.load(segment, columns),
      release: ({ segmentIds }) => { for (const id of segmentIds) this.segments.unload(id); this.forgetReleased(); return null; },
      search: (req) => measure(this.metrics.reads.search, () => this.search(req)),
      query: (req) => measure(this.metrics.reads.query, () => this.query(req)),
      bm25Stats: (req) => this.bm25Stats(req),
      status: () => ({ nodeId: this.opts.nodeId, segments: this.segments.ids(), files: this.segments.status() }),
    });
    await this.register();
  }

  /** The session under a lease; registered again if the lease is lost while running. */
  private async register(): Promise<void> {
    const lease = await this.opts.meta.grantLease(this.opts.sessionTtlMs ?? 10_000);
    this.lease = lease;
    await this.opts.meta.put(`sessions/query-node/${this.opts.nodeId}`, encodeSession({ nodeId: this.opts.nodeId, incarnation: this.incarnation }), { lease });
    void lease.lost.then(() => {
      if (this.stopped) return;
      this.opts.log?.(`session lease of ${this.opts.nodeId} lost; registering again`);
      void withRetry(() => this.register(), { deadlineMs: 24 * 3600_000, maxMs: 5000 }).catch((e) => this.opts.log?.('re-register failed:', e.message));
    });
  }

  /**
   * Forgets the cached records of collections no segment here belongs to any more: what may change only
   * while a collection is released (its warm-up, field-level or collection-level) is read afresh by its next load.
   */
  private forgetReleased(): void {
    const held = this.segments.collectionIds();
    for (const id of [...this.schemas.keys()]) if (!held.has(id)) this.schemas.delete(id);
  }

  /** The collection's record, cached; `fresh` asks again (its indexes change after the cache was filled). */
  private async collection(collectionId: number, fresh = false): Promise<CollectionRecord> {
    const c = this.schemas.get(collectionId);
    const coord = client<CoordinatorProtocol>(this.opts.bus, COORDINATOR_SUBJECT);
    if (c && !fresh) return c;
    // By id: names are only unique within a database, and a rename changes them.
    const r = await coord('collectionById', { collectionId });
    this.schemas.set(collectionId, r);
    return r;
  }

  /**
   * Catches up on the shard's deletes up to the delegator's sequence number. The
   * owner and every follower delegator hold the same delete log (one fold of one
   * WAL), so a prefix from any of them applies; the owner is asked first, any
   * delegator (the read subject) when the owner is away or behind the asker.
   */
  private async deletesOf(pchannel: string, vchannel: string, seq: number): Promise<ShardDeletes> {
    let d = this.deletes.get(vchannel);
    if (!d) { d = newShardDeletes(); this.deletes.set(vchannel, d); }
    // Answers come in pages: only a round that gains nothing counts as a failed attempt.
    for (let attempt = 0; d.seq < seq && attempt < 20;) {
      const from = d.seq;
      const subject = attempt % 2 === 0 ? streamingSubject(pchannel) : streamingReadSubject(pchannel);
      const r = await client<StreamingProtocol>(this.opts.bus, subject, 10_000)('deletes', { vchannel, fromSeq: from }).catch(() => undefined);
      // A concurrent catch-up may have applied the same entries meanwhile.
      if (r && d.seq === from) applyDeletePage(d, r, this.heldCovers(vchannel));
      if (d.seq > from) continue;
      attempt++;
      if (d.seq < seq) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return d;
  }

  /**
   * Files held here whose cover is below the floor of this node's deletes (core/shardDeletes.ts heldFileVerdict):
   * each segment's current record says whether the file is still its own (its cover raised since it was loaded:
   * read with the new cover) or superseded (the read is refused, Unavailable, which the delegator retries, while
   * the current file loads here).
   */
  private async settleStale(collectionId: number, stale: readonly Loaded[], d: ShardDeletes): Promise<void> {
    const records = await client<CoordinatorProtocol>(this.opts.bus, COORDINATOR_SUBJECT)('segments', { collectionId }).catch((e: Error) => {
      throw new NuthatchError('Unavailable', `query node ${this.opts.nodeId} could not check its files against the segment records: ${e.message}`);
    });
    const current = new Map(records.map((r) => [r.segmentId, r]));
    for (const l of stale) {
      const rec = current.get(l.record.segmentId);
      const cover = rec && { dataKey: rec.dataKey, cover: rec.dataKey === l.record.dataKey ? deleteCoverOf(rec, l.seg) : deleteCoverOf(rec) };
      const verdict = heldFileVerdict(d, { dataKey: l.record.dataKey, cover: l.cover }, cover);
      if (verdict === 'adopt') { this.segments.adoptCover(l.record.segmentId, l.record.dataKey, cover!.cover); continue; }
      if (verdict === 'reload') void this.segments.refresh(rec!).catch((e: Error) => this.opts.log?.(`segment ${rec!.segmentId}: loading its current file failed:`, e.message));
      throw new NuthatchError('Unavailable', `segment ${l.record.segmentId} on query node ${this.opts.nodeId} holds file ${l.record.dataKey}, whose rows deletes trimmed below tso ${d.floorTso} may reach; ${verdict === 'reload' ? `its current file ${rec!.dataKey} is loading` : 'no current record covers them'}`);
    }
  }

  /** The delete covers of the files held here of `vchannel` that hold rows: how far its deletes may be trimmed (core/shardDeletes.ts). */
  private heldCovers(vchannel: string): Tso[] {
    return this.segments.covers().filter((l) => l.vchannel === vchannel && l.rows > 0).map((l) => l.cover);
  }

  /**
   * The segments a read names and what reading them needs; their data and
   * vector indexes are held from here until the caller calls `done` (a release
   * meanwhile closes them only after, tiered storage evicts them only after),
   * so callers end in finally. `withVector`: a search, which reads ANN indexes.
   */
  private async read(req: ReadRequest, withVector = false): Promise<{ loaded: Loaded[]; read: SealedRead; coll: CollectionRecord; done: () => void }> {
    const denied = forceDenial(this.admission, 'read', req.collectionId);
    if (denied) throw new NuthatchError(denied.code, denied.message, denied.details);
    const coll = await this.collection(req.collectionId);
    const { loaded, done } = await this.segments.acquire(req.segmentIds, withVector);
    try {
      return { ...await this.readParts(req, loaded, coll), done };
    } catch (e) { done(); throw e; }
  }

  private async readParts(req: ReadRequest, loaded: Loaded[], collection: CollectionRecord): Promise<{ loaded: Loaded[]; read: SealedRead; coll: CollectionRecord }> {
    let coll = collection;
    const d = await this.deletesOf(req.pchannel, req.vchannel, req.deleteSeq);
    // Deletes the delegator holds that this node could not fetch: answering without them would show deleted rows.
    if (d.seq < req.deleteSeq) throw new NuthatchError('Unavailable', `query node ${this.opts.nodeId} could not catch up on the deletes of ${req.vchannel} (has ${d.seq} of ${req.deleteSeq})`);
    // A file whose rows the deletes this node lacks may reach (trimmed from the log before they were read here) is not
    // read with them showing: unless its current record says it is still the segment's file, the read is refused.
    const stale = loaded.filter((l) => l.seg.count > 0 && !readsFile(d, l.cover));
    if (stale.length > 0) await this.settleStale(req.collectionId, stale, d);
    let filter: CompiledFilter | null;
    try {
      // An added vector field may be what the search names (a Struct's `field[sub]` path is not a field name).
      const named = (req as { annsField?: string }).annsField;
      const anns = named !== undefined && !named.includes('[') ? [named] : [];
      if (!namesFields(coll.schema, [...req.outputFields, ...anns])) throw new Error('an output or vector field the cached schema lacks');
      filter = req.filter ? compileFilter(req.filter, coll.schema) : null;
    } catch {
      // A field added since the record was cached (AddCollectionField): ask again once.
      coll = await this.collection(req.collectionId, true);
      filter = req.filter ? compileFilter(req.filter, coll.schema) : null;
    }
    // Checked by each segment's own columns, whatever the asker's cached record says (messages/loadFields.ts).
    for (const l of loaded) refuseUnloaded(l.columns, [...(filter?.fields ?? []), ...req.outputFields], coll.name);
    const read: SealedRead = {
      // '' names no field: a collection without a FloatVector has no block to read.
      pkName: primaryField(coll.schema).name, vectorName: vectorField(coll.schema)?.name ?? '',
      filter, ...(filter ? { planFilter: filterPlanner(filter, coll.schema) } : {}),
      partitionIds: req.partitionIds ? new Set(req.partitionIds) : null,
      readTso: req.guaranteeTso, outputFields: req.outputFields, deletes: d.index, deleteVersion: { seq: d.seq, maxTso: d.maxTso },
      ...(req.expiredBelow !== undefined ? { expiredBelow: req.expiredBelow } : {}),
      ...(req.fieldExpiry !== undefined ? { fieldExpiry: req.fieldExpiry } : {}),
      defaults: fieldDefaults(coll.schema),
    };
    return { loaded, read, coll };
  }

  private async search(req: QueryNodeProtocol['search']['req']) {
    const { loaded, read, coll, done } = await this.read(req, true);
    try { return await this.searchLoaded(req, loaded, read, coll); } finally { done(); }
  }

  private async searchLoaded(req: QueryNodeProtocol['search']['req'], loaded: Loaded[], read: SealedRead, coll: CollectionRecord) {
    const struct = structVectorOf(coll.schema, req.annsField);
    if (struct) {
      // With an index of the sub-field, the rows of each query vector's `ef` nearest elements are the candidates, scored exactly; else every visible row is.
      const { queries, metric } = readEmbListQuery(req.embList, req.nq, struct.sub.dim!);
      const target = { field: struct.field.name, sub: struct.sub.name, dim: struct.sub.dim! };
      const ef = Math.max(req.ef ?? 64, req.k);
      const segs = this.countingDiskReads(loaded, req.annsField!, () => loaded.map((l) => {
        const index = l.indexes.get(req.annsField!)?.vector;
        return { seg: l.seg, ...(index ? { candidates: embListCandidates(index, l.seg, target, ef) } : {}) };
      }));
      return { hits: searchSealedEmbList(segs, read, target, queries, metric, req.k) };
    }
    const field = annsFieldOf(coll.schema, req.annsField ?? vectorField(coll.schema)?.name);
    for (const l of loaded) refuseUnloaded(l.columns, [field.name, ...(req.group ? [req.group.field] : [])], coll.name);
    // A boosted search ranks a larger pool per segment before boosting it (shared/vector/boostSegment.ts).
    if (req.boost) {
      if (req.group) throw new NuthatchError('InvalidArgument', 'a boost ranker cannot rank a grouping search (as in Milvus)');
      read.boost = compileBoost(req.boost, coll.schema);
    }
    if (field.dataType === 'SparseFloatVector') {
      // Postings are built in memory per segment on first use (shared/vector/sparsePostings.ts): no index file.
      // A BM25 function added or dropped since the record was cached (AddCollectionFunction): the asker's read of the
      // schema shows in whether it sent BM25 counts; ask again once when the cached record says otherwise.
      const asked = req.sparse?.bm25 !== undefined;
      if ((bm25FunctionOf(coll.schema, field.name) !== undefined) !== asked) coll = await this.collection(req.collectionId, true);
      const { queries, scoring } = readSparseQuery(req.sparse ?? { queries: [] }, req.nq, bm25FunctionOf(coll.schema, field.name) !== undefined);
      return { hits: searchSealedSparse(loaded.map((l) => l.seg), read, field.name, queries, scoring, { k: req.k, ...(req.range ? { range: req.range } : {}), ...(req.group ? { group: req.group } : {}) }) };
    }
    const dim = field.dim!;
    const queries = Array.from({ length: req.nq }, (_, i) => req.queries.subarray(i * dim, (i + 1) * dim));
    if (field.name !== read.vectorName) read.anns = { field: field.name, dim, ...(isPackedVectorType(field.dataType) ? { packed: field.dataType } : {}) };
    // Each index reads its own knobs: HNSW ef, IVF nprobe, IVF_RABITQ rbq_query_bits and refine_k, SCANN reorder_k, DISKANN search_list (their defaults when absent).
    const knobs = {
      ef: Math.max(req.ef ?? 64, req.boost ? boostPool(req.k) : req.k), ...(req.nprobe !== undefined ? { nprobe: req.nprobe } : {}),
      ...(req.rbqQueryBits !== undefined ? { rbqQueryBits: req.rbqQueryBits } : {}), ...(req.refineK !== undefined ? { refineK: req.refineK } : {}),
      ...(req.reorderK !== undefined ? { reorderK: req.reorderK } : {}),
      ...(req.searchList !== undefined ? { searchList: req.searchList } : {}),
      ...(req.mhSearchWithJaccard !== undefined ? { mhSearchWithJaccard: req.mhSearchWithJaccard } : {}),
    };
    const metric = metricOfField(coll, field.name);
    // A filter pinning the partition key to one value: a keyed index (partition key isolation) searches that value's sub-index alone.
    const keyField = partitionKeyField(coll.schema);
    const key = keyField && read.filter ? isolatedKey(read.filter.expr, keyField) : null;
    const opts = key === null ? knobs : { ...knobs, partitionKey: key };
    // DISKANN searches through searchAsync: the pure core runs as passes, its index calls run between them (asyncIndexSearch.ts).
    const pending = this.asyncDiskann && loaded.some((l) => searchesAsync(l.indexes.get(field.name)?.vector)) ? new AsyncSearches() : undefined;
    const searchOf = (index: VectorIndex | undefined) => (!index ? null
      : pending && searchesAsync(index) ? pending.searchOf(index, opts)
      : (q: Float32Array, k: number, accept: ((row: number) => boolean) | undefined) => index.search(q, k, accept ? { ...opts, accept } : opts));
    // Iterative filtering: an index that can be walked (runtime/vectorIndex/indexWalk.ts) is, and one whose filtered
    // search asks the filter only of the rows it reaches (HNSW) is also searched so (iterativeSegment.ts chooses per
    // query); any other filters as usual.
    const walkOf = (index: VectorIndex | undefined): { walk?: SegmentWalk; filtersLazily?: boolean } => {
      if (!req.iterativeFilter || !index) return {};
      const lazy = index.filtersLazily?.(opts) === true ? { filtersLazily: true } : {};
      if (!index.iterate || index.iterate(queries[0] ?? new Float32Array(dim), 1, 1, opts) === undefined) return lazy;
      return { walk: (q, first, limit) => index.iterate!(q, first, limit, opts) ?? (() => []), ...lazy };
    };
    const scopeOf = (index: VectorIndex | undefined) => {
      if (key === null || !index?.keyRows) return {};
      this.metrics.isolatedReads.inc();
      return { scope: index.keyRows(key) };
    };
    const pass = () => this.countingDiskReads(loaded, field.name, () => searchSealed(loaded.map((l) => {
      const index = l.indexes.get(field.name)?.vector;
      // A row-mapped or keyed index holds only rows having a vector (a nullable field's nulls are never indexed).
      const noNulls = index !== undefined && (mappedRows(index) !== undefined || index.keyRows !== undefined);
      return { ...this.readSegment(l, read), index: searchOf(index), ...scopeOf(index), ...walkOf(index), ...(noNulls ? { indexHoldsNoNulls: true } : {}) };
    }), read, queries,
      { k: req.k, metric, ...(req.range ? { range: req.range } : {}), ...(req.group ? { group: req.group } : {}), ...(req.iterativeFilter ? { iterativeFilter: true } : {}), ...(metric === 'MHJACCARD' ? { mhElementBytes: mhElementBytesOfField(coll, field.name, req.mhElementBitWidth) } : {}) }));
    if (!pending) return { hits: pass() };
    const hits = await pending.run(pass);
    // The passes' samples counted the synchronous indexes' reads; the asynchronous searches count their own.
    this.metrics.countDiskReads({ cacheHits: 0, fileReads: 0, cachedNodes: 0, cachedBytes: 0 }, { ...pending.tally, cachedNodes: 0, cachedBytes: 0 });
    return { hits };
  }

  private async bm25Stats(req: QueryNodeProtocol['bm25Stats']['req']) {
    const { loaded, read, done } = await this.read({ ...req, filter: null, outputFields: [] });
    try { return statsSealed(loaded.map((l) => l.seg), read, req.annsField, req.terms); } finally { done(); }
  }

  private async query(req: QueryNodeProtocol['query']['req']) {
    const { loaded, read, coll, done } = await this.read(req);
    try { return this.queryLoaded(req, loaded, read, coll); } finally { done(); }
  }

  private queryLoaded(req: QueryNodeProtocol['query']['req'], loaded: Loaded[], read: SealedRead, coll: CollectionRecord) {
    // An aggregating query: the buckets of every row this node matches, folded from the columns.
    if (req.groups) {
      const fold = new BucketFold(req.groups, read.pkName, read.defaults);
      foldSealed(loaded.map((l) => this.readSegment(l, read)), read, fold);
      return { rows: [], count: 0, groups: fold.packed() };
    }
    const order = req.orderBy === undefined ? undefined : checkOrderKeys(req.orderBy, coll.schema);
    const orderAfter = req.orderAfter === undefined || order === undefined ? undefined : checkOrderCursor(req.orderAfter, order, coll.schema);
    const found = querySealed(loaded.map((l) => this.readSegment(l, read)), read, !!req.countOnly, { limit: req.limit, ...(req.after !== undefined ? { after: req.after } : {}) }, order, orderAfter);
    // A search aggregation's round two: the partial buckets of this node's candidate rows, not the rows.
    if (req.aggregate) return { rows: [], count: found.count, agg: aggregateRows(candidateRows(found.rows, req.aggregate), req.aggregate.level) };
    return found;
  }

  /**
   * Runs a read of `loaded`'s `field` indexes and counts the DISKANN node
   * reads it made (the read is synchronous: no other search's reads fall
   * between the two samples).
   */
  private countingDiskReads<T>(loaded: readonly Loaded[], field: string, read: () => T): T {
    const sample = () => sumDiskReads(loaded.map((l) => l.indexes.get(field)?.vector));
    const before = sample(), out = read();
    this.metrics.countDiskReads(before, sample());
    return out;
  }

  /** A segment as a read takes it, counted when its scalar indexes narrow the read's filter. */
  private readSegment(l: Loaded, read: SealedRead): ReadSegment {
    if (l.scalar.size === 0) return { seg: l.seg };
    if (read.planFilter?.(l.scalar)) this.metrics.narrowedReads.inc();
    return { seg: l.seg, scalar: l.scalar };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopSampling();
    this.sub?.unsubscribe();
    // Its DISKANN files go with it (a read still running closes them when it ends).
    this.segments.close();
    this.admissionSub?.unsubscribe();
    await this.lease?.revoke().catch(() => {});
  }
}
