import { NuthatchError } from '../../../messages/errors.js';
import { fieldExpiriesAt } from '../../../messages/entityTtl.js';
import { checkOrderCursor, checkOrderKeys, orderedHit } from '../../../messages/orderBy.js';
import { mergeOrdered } from '../../shared/segment/orderedRows.js';
import { refuseUnloaded } from '../../../messages/loadFields.js';
import { compileFilter } from '../../../messages/filter/evaluate.js';
import type { Distribution, HitRow, QueryResult, ShardQuery, ShardSearch } from '../../../messages/rpc/records.js';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../../messages/rpc/coordinator.js';
import { queryNodeSubject, type QueryNodeProtocol } from '../../../messages/rpc/workers.js';
import { mayMatch } from '../../shared/cluster/clusterPrune.js';
import type { Expr } from '../../../messages/filter/ast.js';
import { annsFieldOf, clusteringKeyField, fieldDefaults, primaryField, vectorField, type FieldSchema } from '../../../messages/schema.js';
import { bm25FunctionOf } from '../../../messages/schemaFunctions.js';
import { isPackedVectorType } from '../../../messages/packedVectors.js';
import { mergeStats, type Bm25Stats } from '../../../messages/bm25.js';
import type { ShardBm25Stats } from '../../../messages/rpc/sparseRead.js';
import { readSparseQuery } from '../../shared/vector/sparseQuery.js';
import { structVectorOf } from '../../../messages/structArray.js';
import { pairMetric, readEmbListQuery, type EmbListTarget } from '../../shared/vector/maxSim.js';
import { searchGrowingEmbList } from '../core/growingEmbList.js';
import { compileBoost } from '../../shared/vector/boostSegment.js';
import { searchGrowingSparse, statsGrowing } from '../core/growingSparse.js';
import { metricOfField } from '../../shared/vector/fieldMetric.js';
import type { Bus } from '../../../runtime/ports/bus.js';
import { client } from '../../../runtime/rpc/typedBus.js';
import { mergeHits } from '../../shared/vector/topK.js';
import { foldGrowing, growingCopies, queryGrowing, searchGrowing, type GrowingRead } from '../core/growingSearch.js';
import { checkDistanceRange } from '../../shared/vector/distanceRange.js';
import { expiredBelow } from '../../shared/segment/rowExpiry.js';
import { mergeGroupedHits } from '../../shared/vector/groupBy.js';
import { aggregateRows, candidateRows, mergePartials } from '../../shared/aggregation/partial.js';
import { BucketFold } from '../../shared/aggregation/bucketFold.js';
import type { SearchShape } from '../../shared/vector/searchShape.js';
import { mhElementBytesOfField } from '../../shared/vector/minhashWidth.js';
import { deleteEnd, releasedBy } from '../core/shardData.js';
import { firstOnPage, type PkPage } from '../../shared/segment/pkOrder.js';
import { currentPage, newerElsewhere, newestCopies } from '../../shared/segment/newestCopy.js';
import type { PchannelWal } from './pchannelWal.js';
import { holdersOf, ReplicaFanout } from './replicaFanout.js';
import { measure } from '../../../runtime/metrics/operation.js';
import { StreamingMetrics } from './streamingMetrics.js';

/** What a delegator reads a shard from: the owner's WAL, or a follower of it on another node. */
export type ShardHost = Pick<PchannelWal, 'pchannel' | 'durable' | 'shards' | 'serviceable' | 'sync'> & Partial<Pick<PchannelWal, 'markDirty'>>;

/**
 * The query delegator of each shard: waits until the shard is serviceable at the
 * request's guarantee TSO, searches growing rows itself, fans out to the query
 * nodes that serve the shard's sealed segments (one replica per segment, falling
 * back to another replica when a node fails), and merges.
 */
export class Delegator {
  readonly distributions = new Map<string, Distribution>();
  private readonly fanout = new ReplicaFanout();
  /** Requests in flight per `vchannel\nnodeId`: failed at once when the node leaves the shard's distribution. */
  private readonly inFlight = new Map<string, Set<(e: NuthatchError) => void>>();
  constructor(private readonly bus: Bus, private readonly metrics: StreamingMetrics['reads'] = new StreamingMetrics('').reads) {}

  /** Applies a distribution: segments a query node now serves are dropped from memory (hand-off). */
  setDistribution(next: Distribution, wal: ShardHost | undefined): void {
    const cur = this.distributions.get(next.vchannel);
    const d = cur && cur.version >= next.version ? cur : next;
    if (d === next) {
      this.distributions.set(d.vchannel, d);
      const still = new Set(d.segments.map((s) => s.nodeId));
      for (const nodeId of new Set(cur?.segments.map((s) => s.nodeId))) {
        if (still.has(nodeId)) continue;
        const gone = new NuthatchError('Unavailable', `query node ${nodeId} no longer serves ${d.vchannel}`);
        for (const fail of [...(this.inFlight.get(`${d.vchannel}\n${nodeId}`) ?? [])]) fail(gone);
      }
    }
    // Applied to the shard even when the version is not new: a WAL reopened here (after a move) has a fresh shard.
    const shard = wal?.shards.get(d.vchannel);
    if (!shard) return;
    // Served by a query node, or released (rows wait in object storage): the growing copy goes.
    const retired = new Set(d.retired ?? []);
    let handedOff = false;
    for (const seg of [...shard.segments.values()]) {
      if (!seg.flushed) continue;
      const named = retired.has(seg.id) || d.segments.some((s) => s.segmentId === seg.id);
      if (!named && !releasedBy(d, seg.partitionId)) continue;
      shard.segments.delete(seg.id);
      shard.handedOff.set(seg.id, { partitionId: seg.partitionId, version: named ? d.version : -1 });
      handedOff = true;
    }
    // The log before these segments may no longer be needed: let a checkpoint say so.
    if (handedOff) wal?.markDirty?.();
  }

  /**
   * Reads of a released collection are refused, as Milvus does, rather than answered
   * from part of the data. Before refusing, ask the coordinator: a load's reply can
   * overtake its distribution event (they travel on different connections).
   */
  private async checkLoaded(wal: ShardHost, vchannel: string, collection: string): Promise<void> {
    if (this.distributions.get(vchannel)?.loaded !== false) return;
    const fresh = await client<CoordinatorProtocol>(this.bus, COORDINATOR_SUBJECT, 10_000)('distribution', { vchannel }).catch(() => undefined);
    if (fresh) this.setDistribution(fresh, wal);
    if (this.distributions.get(vchannel)?.loaded === false) throw new NuthatchError('CollectionNotLoaded', `collection ${collection} is not loaded: load it before searching or querying`);
  }

  private prepare(wal: ShardHost, vchannel: string, collectionId: number, req: { filter: unknown; partitionIds: number[] | null; outputFields: string[]; guaranteeTso: bigint }) {
    const snap = wal.durable.get(vchannel);
    const coll = snap?.context.collection;
    const shard = wal.shards.get(vchannel);
    if (!coll || coll.id !== collectionId || coll.droppedTso !== null || !shard) throw new NuthatchError('CollectionNotFound', `collection ${collectionId} does not exist on ${vchannel}`);
    const vf = vectorField(coll.schema);
    // One distribution for the whole read: growing and sealed parts must not overlap or leave a gap.
    const dist = this.distributions.get(vchannel);
    const partitionIds = loadedPartitionsOf(dist, req.partitionIds, coll.name, (id) => snap.context.partitions[id]?.name);
    const filter = req.filter ? compileFilter(req.filter, coll.schema) : null;
    // A partial load refuses a read of a column it left out, growing rows (which hold every column) too.
    refuseUnloaded(dist?.columns, [...(filter?.fields ?? []), ...req.outputFields], coll.name);
    const defaults = fieldDefaults(coll.schema);
    // Entity-level TTL at the read's time (messages/entityTtl.ts): growing rows here, sealed ones on the query nodes.
    const fieldExpiry = fieldExpiriesAt(coll, req.guaranteeTso, defaults);
    const read: GrowingRead = {
      // '' names no field, dim 0: a collection without a FloatVector has no block to read.
      pkName: primaryField(coll.schema).name, vectorName: vf?.name ?? '', dim: vf?.dim ?? 0,
      filter,
      partitionIds: partitionIds ? new Set(partitionIds) : null,
      readTso: req.guaranteeTso, outputFields: req.outputFields, defaults,
      ...(coll.ttlSeconds ? { expiredBelow: expiredBelow(req.guaranteeTso, coll.ttlSeconds) } : {}),
      ...(fieldExpiry ? { fieldExpiry } : {}),
      // The distribution pinned for this read decides: a sealed copy served by a query node wins over a growing one.
      servedElsewhere: new Set((dist?.segments ?? []).map((s) => s.segmentId)),
    };
    // Segments whose clustering key range the filter cannot match are not asked (shared/cluster/clusterPrune.ts).
    const key = clusteringKeyField(coll.schema)?.name;
    const may = key === undefined || !req.filter ? undefined : (s: Distribution['segments'][number]) => mayMatch(req.filter as Expr, key, s.keyRange);
    // The pinned segments, served by the pinned replicas plus any that loaded them since (fallback after a failure).
    const merged = (now: Distribution | undefined) => {
      const pinned = holdersOf(dist, read.partitionIds, may);
      for (const [seg, nodes] of holdersOf(now, read.partitionIds, may)) {
        const had = pinned.get(seg);
        if (had) pinned.set(seg, [...new Set([...had, ...nodes])]);
      }
      return pinned;
    };
    // While the distribution is the pinned one (nearly always), the answer is the same each time: made once.
    let same: ReturnType<typeof merged> | undefined;
    const holders = () => {
      const now = this.distributions.get(vchannel);
      if (now !== dist) return merged(now);
      same ??= merged(now);
      return same;
    };
    const visited = holders().size;
    this.metrics.sealed.visited.inc(visited);
    if (may) this.metrics.sealed.pruned.inc(holdersOf(dist, read.partitionIds).size - visited);
    return { coll, shard, read, holders, partitionIds };
  }

  /** One request to a query node; given up when the node leaves the shard's distribution (it died). */
  private ask<K extends keyof QueryNodeProtocol & string>(vchannel: string, nodeId: string, op: K, req: QueryNodeProtocol[K]['req']): Promise<QueryNodeProtocol[K]['res']> {
    const key = `${vchannel}\n${nodeId}`;
    return new Promise((resolve, reject) => {
      const set = this.inFlight.get(key) ?? new Set();
      this.inFlight.set(key, set);
      set.add(reject);
      client<QueryNodeProtocol>(this.bus, queryNodeSubject(nodeId), 120_000)(op, req).then(resolve, reject)
        .finally(() => { set.delete(reject); if (set.size === 0) this.inFlight.delete(key); });
    });
  }

  /**
   * Waits for the guarantee, then reads at the shard's serviceable TSO (never
   * below the guarantee); with an MVCC TSO (an iterator's snapshot), waits for
   * it and reads at exactly it.
   */
  private async readTso(wal: ShardHost, req: { guaranteeTso: bigint; mvccTso?: bigint }): Promise<bigint> {
    const { guaranteeTso: guarantee, mvccTso } = req;
    if (mvccTso !== undefined) {
      await wal.sync(mvccTso > guarantee ? mvccTso : guarantee);
      return mvccTso;
    }
    await wal.sync(guarantee);
    return wal.serviceable > guarantee ? wal.serviceable : guarantee;
  }

  private async readAt<T extends { guaranteeTso: bigint; mvccTso?: bigint }>(wal: ShardHost, req: T): Promise<T> {
    const t = await this.readTso(wal, req);
    return t === req.guaranteeTso ? req : { ...req, guaranteeTso: t };
  }

  search(wal: ShardHost, req: ShardSearch): Promise<HitRow[][]> {
    return measure(this.metrics.search, () => this.searchShard(wal, req));
  }

  query(wal: ShardHost, req: ShardQuery): Promise<{ rows: HitRow[]; count: number }> {
    return measure(this.metrics.query, () => this.queryShard(wal, req));
  }

  private async searchShard(wal: ShardHost, req: ShardSearch): Promise<HitRow[][]> {
    const guaranteeTso = await this.readTso(wal, req);
    const at = this.prepare(wal, req.vchannel, req.collectionId, { filter: req.filter, partitionIds: req.partitionIds, outputFields: req.outputFields, guaranteeTso });
    const { coll, shard, read, holders, partitionIds } = at;
    await this.checkLoaded(wal, req.vchannel, coll.name);
    if (req.group && !(Number.isInteger(req.group.size) && req.group.size >= 1)) throw new NuthatchError('InvalidArgument', `group size must be a positive integer, got ${req.group.size}`);
    if (req.boost && req.group) throw new NuthatchError('InvalidArgument', 'a boost ranker cannot rank a grouping search (as in Milvus)');
    const struct = structVectorOf(coll.schema, req.annsField);
    if (req.boost && struct) throw new NuthatchError('InvalidArgument', `a boost ranker ranks no embedding-list search, as '${req.annsField}' is`);
    if (struct) return this.searchEmbList(wal, req, { shard, read, holders, partitionIds }, { field: struct.field.name, sub: struct.sub.name, dim: struct.sub.dim! }, guaranteeTso);
    const field = annsFieldOf(coll.schema, req.annsField ?? (read.vectorName || undefined));
    refuseUnloaded(this.distributions.get(req.vchannel)?.columns, [field.name, ...(req.group ? [req.group.field] : [])], coll.name);
    if (field.dataType === 'SparseFloatVector') return this.searchSparse(wal, req, at, field, guaranteeTso);
    const dim = field.dim!;
    if (field.name !== read.vectorName) read.anns = { field: field.name, dim, ...(isPackedVectorType(field.dataType) ? { packed: field.dataType } : {}) };
    if (req.queries.length !== req.nq * dim) throw new NuthatchError('InvalidArgument', `queries hold ${req.queries.length} floats, expected ${req.nq} x ${dim}`);
    const queries = Array.from({ length: req.nq }, (_, i) => req.queries.subarray(i * dim, (i + 1) * dim));
    const metric = metricOfField({ metricType: coll.metricType, schema: coll.schema, indexes: Object.values(wal.durable.get(req.vchannel)?.context.indexes ?? {}) }, field.name);
    if (req.range) checkDistanceRange(metric, req.range);
    const shape: SearchShape = { k: req.k, metric, ...(req.range ? { range: req.range } : {}), ...(req.group ? { group: req.group } : {}), ...(req.iterativeFilter ? { iterativeFilter: true } : {}) };
    if (metric === 'MHJACCARD') shape.mhElementBytes = mhElementBytesOfField({ schema: coll.schema, indexes: Object.values(wal.durable.get(req.vchannel)?.context.indexes ?? {}) }, field.name, req.mhElementBitWidth);
    if (req.boost) read.boost = compileBoost(req.boost, coll.schema);
    const growing = searchGrowing(shard, req.ignoreGrowing ? { ...read, ignoreGrowing: true } : read, queries, shape);
    const deleteSeq = deleteEnd(shard);
    // Field by field rather than a spread of the decoded request, which is several times slower;
    // `satisfies` makes a field added to ShardSearch fail to compile until it is forwarded here.
    const ask = (nodeId: string, segmentIds: number[]) => this.ask(req.vchannel, nodeId, 'search', {
      vchannel: req.vchannel, collectionId: req.collectionId, queries: req.queries, annsField: req.annsField, sparse: req.sparse, embList: req.embList, nq: req.nq, k: req.k, ef: req.ef, nprobe: req.nprobe, rbqQueryBits: req.rbqQueryBits, refineK: req.refineK, reorderK: req.reorderK, searchList: req.searchList,
      mhSearchWithJaccard: req.mhSearchWithJaccard, mhElementBitWidth: req.mhElementBitWidth,
      range: req.range, ignoreGrowing: req.ignoreGrowing, iterativeFilter: req.iterativeFilter, group: req.group, filter: req.filter, boost: req.boost, partitionIds, outputFields: req.outputFields, guaranteeTso, mvccTso: req.mvccTso,
      segmentIds, pchannel: wal.pchannel, deleteSeq, expiredBelow: read.expiredBelow, fieldExpiry: read.fieldExpiry,
    } satisfies Record<keyof ShardSearch | 'segmentIds' | 'pchannel' | 'deleteSeq' | 'expiredBelow' | 'fieldExpiry', unknown>).then((r) => r.hits);
    const remote = await this.fanout.run(holders, ask);
    return growing.map((g, q) => {
      const lists = [g, ...remote.map((r) => r[q] ?? [])];
      return req.group ? mergeGroupedHits(lists, req.k, req.group.size, metric) : mergeHits(lists, req.k, metric);
    });
  }

  /** A sparse search: growing rows here, sealed segments on the query nodes, merged larger-first (by groups for a grouping search). */
  private async searchSparse(wal: ShardHost, req: ShardSearch, at: ReturnType<Delegator['prepare']>, field: FieldSchema, guaranteeTso: bigint): Promise<HitRow[][]> {
    const { shard, read, holders, partitionIds, coll } = at;
    if (!req.sparse) throw new NuthatchError('InvalidArgument', `a search of sparse field '${field.name}' needs sparse query vectors`);
    const bm25 = bm25FunctionOf(coll.schema, field.name) !== undefined;
    if (req.range) checkDistanceRange(bm25 ? 'BM25' : 'IP', req.range);
    const { queries, scoring } = readSparseQuery(req.sparse, req.nq, bm25);
    if (req.boost) read.boost = compileBoost(req.boost, coll.schema);
    const shape = { k: req.k, ...(req.range ? { range: req.range } : {}), ...(req.group ? { group: req.group } : {}) };
    const growing = searchGrowingSparse(shard, req.ignoreGrowing ? { ...read, ignoreGrowing: true } : read, field.name, queries, scoring, shape);
    const deleteSeq = deleteEnd(shard);
    const remote = await this.fanout.run(holders, (nodeId, segmentIds) => this.ask(req.vchannel, nodeId, 'search', {
      ...req, partitionIds, guaranteeTso, segmentIds, pchannel: wal.pchannel, deleteSeq, expiredBelow: read.expiredBelow, fieldExpiry: read.fieldExpiry,
    }).then((r) => r.hits));
    return growing.map((g, q) => {
      const lists = [g, ...remote.map((r) => r[q] ?? [])];
      return req.group ? mergeGroupedHits(lists, req.k, req.group.size, 'IP') : mergeHits(lists, req.k, 'IP');
    });
  }

  /**
   * An embedding-list search of a Struct's vector sub-field: exact MAX_SIM
   * over growing rows here and sealed segments on the query nodes, merged in
   * the metric's order. Range and grouping searches are not taken (nor by Milvus 2.6).
   */
  private async searchEmbList(wal: ShardHost, req: ShardSearch, at: Pick<ReturnType<Delegator['prepare']>, 'shard' | 'read' | 'holders' | 'partitionIds'>, target: EmbListTarget, guaranteeTso: bigint): Promise<HitRow[][]> {
    const { shard, read, holders, partitionIds } = at;
    if (req.range || req.group) throw new NuthatchError('InvalidArgument', `an embedding-list search of '${req.annsField}' takes no range or grouping`);
    const { queries, metric } = readEmbListQuery(req.embList, req.nq, target.dim);
    const growing = searchGrowingEmbList(shard, req.ignoreGrowing ? { ...read, ignoreGrowing: true } : read, target, queries, metric, req.k);
    const deleteSeq = deleteEnd(shard);
    const remote = await this.fanout.run(holders, (nodeId, segmentIds) => this.ask(req.vchannel, nodeId, 'search', {
      ...req, partitionIds, guaranteeTso, segmentIds, pchannel: wal.pchannel, deleteSeq, expiredBelow: read.expiredBelow, fieldExpiry: read.fieldExpiry,
    }).then((r) => r.hits));
    return growing.map((g, q) => mergeHits([g, ...remote.map((r) => r[q] ?? [])], req.k, pairMetric(metric)));
  }

  /** Round one of a BM25 search: this shard's counts at the read TSO, growing rows and sealed segments alike. */
  async bm25Stats(wal: ShardHost, req: ShardBm25Stats): Promise<Bm25Stats> {
    const guaranteeTso = await this.readTso(wal, req);
    const { coll, shard, read, holders, partitionIds } = this.prepare(wal, req.vchannel, req.collectionId, { filter: null, partitionIds: req.partitionIds, outputFields: [], guaranteeTso });
    await this.checkLoaded(wal, req.vchannel, coll.name);
    const field = annsFieldOf(coll.schema, req.annsField);
    if (!bm25FunctionOf(coll.schema, field.name)) throw new NuthatchError('InvalidArgument', `'${field.name}' is not the output of a BM25 function`);
    const growing = statsGrowing(shard, read, field.name, req.terms);
    const deleteSeq = deleteEnd(shard);
    const remote = await this.fanout.run(holders, (nodeId, segmentIds) => this.ask(req.vchannel, nodeId, 'bm25Stats', {
      ...req, partitionIds, guaranteeTso, segmentIds, pchannel: wal.pchannel, deleteSeq, expiredBelow: read.expiredBelow, fieldExpiry: read.fieldExpiry,
    }));
    return mergeStats([growing, ...remote], req.terms.length);
  }

  private async queryShard(wal: ShardHost, request: ShardQuery): Promise<QueryResult> {
    const req = await this.readAt(wal, request);
    const { coll, shard, read, holders, partitionIds } = this.prepare(wal, req.vchannel, req.collectionId, req);
    await this.checkLoaded(wal, req.vchannel, coll.name);
    if (req.after !== undefined && typeof req.after !== (primaryField(coll.schema).dataType === 'Int64' ? 'number' : 'string')) throw new NuthatchError('InvalidArgument', `a query cursor must be a primary key of ${coll.name}, got ${String(req.after)}`);
    const page: PkPage = { limit: req.limit, ...(req.after !== undefined ? { after: req.after } : {}) };
    const order = req.orderBy === undefined ? undefined : checkOrderKeys(req.orderBy, coll.schema);
    if (order && (req.after !== undefined || req.countOnly)) throw new NuthatchError('InvalidArgument', 'an ordered query takes no key cursor and counts nothing: it pages by offset and limit, or by an ordered cursor');
    if (req.orderAfter !== undefined && !order) throw new NuthatchError('InvalidArgument', 'an ordered cursor needs the order it walks (orderBy)');
    const orderAfter = req.orderAfter === undefined ? undefined : checkOrderCursor(req.orderAfter, order!, coll.schema);
    const missing = order?.find((k) => !req.outputFields.includes(k.field));
    if (missing) throw new NuthatchError('InvalidArgument', `an ordered query returns the fields it orders by: '${missing.field}' is not among its output fields`);
    // An aggregating query folds its growing rows from the columns, here: before the query nodes are asked, as rows are read.
    const fold = req.groups ? new BucketFold(req.groups, read.pkName, read.defaults) : undefined;
    if (fold) foldGrowing(shard, read, fold);
    const growing = fold ? { rows: [], count: 0 } : queryGrowing(shard, read, !!req.countOnly, page, order, orderAfter);
    const deleteSeq = deleteEnd(shard);
    const ask = (nodeId: string, segmentIds: number[], limit = req.limit) =>
      this.ask(req.vchannel, nodeId, 'query', { ...req, limit, partitionIds, segmentIds, pchannel: wal.pchannel, deleteSeq, expiredBelow: read.expiredBelow, fieldExpiry: read.fieldExpiry });
    // An ordered page from a query node may hold copies of keys the growing rows outdate: dropped, and the node asked for more
    // (newestCopy.ts). Without a limit every row comes, and the merge below sorts the copies out.
    const copies = order && req.limit > 0 ? growingCopies(shard, read) : [];
    const askOrdered = async (nodeId: string, segmentIds: number[]) => {
      let last: QueryResult | undefined;
      const rows = await currentPage(async (limit) => (last = await ask(nodeId, segmentIds, limit)).rows, (h) => newerElsewhere(copies, -1, h.pk, h.tso!), req.limit);
      return { ...last!, rows };
    };
    const remote = await this.fanout.run(holders, copies.length > 0 ? askOrdered : ask);
    const count = growing.count + remote.reduce((n, r) => n + r.count, 0);
    if (req.countOnly) return { rows: [], count };
    // A search aggregation's round two: this shard's growing rows aggregated here, merged with its query nodes' parts.
    if (req.aggregate) {
      const mine = aggregateRows(candidateRows(growing.rows, req.aggregate), req.aggregate.level);
      return { rows: [], count, agg: mergePartials([mine, ...remote.map((r) => r.agg ?? [])], req.aggregate.level) };
    }
    // An aggregating query: the buckets of this shard's growing rows merged with its query nodes' buckets.
    if (fold) {
      for (const r of remote) if (r.groups) fold.addPacked(r.groups);
      return { rows: [], count, groups: fold.packed() };
    }
    if (order) {
      // Each source's rows come in the order: merged k ways by the values they carry.
      const rows = mergeOrdered(newestCopies([growing.rows, ...remote.map((r) => r.rows)].map((l) => l.map(orderedHit(order)))), req.limit, order).map(({ values: _, ...h }) => h);
      return { rows, count: rows.length };
    }
    const rows = firstOnPage([...growing.rows, ...remote.flatMap((r) => r.rows)], req.limit);
    return { rows, count: rows.length };
  }
}

/**
 * The partitions a read covers: those it names, which must be loaded, or with
 * none named every loaded one (null: all, the whole collection is loaded).
 */
function loadedPartitionsOf(d: Distribution | undefined, asked: number[] | null, collection: string, nameOf: (id: number) => string | undefined): number[] | null {
  const loaded = d?.partitions;
  if (loaded === undefined) return asked;
  if (asked === null) return loaded;
  const missing = asked.find((id) => !loaded.includes(id));
  if (missing !== undefined) {
    const name = nameOf(missing);
    throw new NuthatchError('PartitionNotLoaded', `partition ${name === undefined ? missing : `'${name}'`} of collection ${collection} is not loaded: load it before searching or querying it`, { partitionId: missing });
  }
  return asked;
}
