import { allCollections, collectionById } from '../core/databases.js';
import { buildsAtLoad } from '../core/sparseIndexParams.js';
import { NuthatchError } from '../../../messages/errors.js';
import type { CollectionRecord, Distribution, SegmentRecord } from '../../../messages/rpc/records.js';
import type { IndexParams } from '../../../messages/types.js';
import { EVENTS, queryNodeSubject, type IndexNodeProtocol, type QueryNodeProtocol } from '../../../messages/rpc/workers.js';
import { encodeValue } from '../../../messages/valueCodec.js';
import { client, withRetry } from '../../../runtime/rpc/typedBus.js';
import { referencedKeys } from '../core/collectionSnapshots.js';
import type { CoordinatorContext } from './context.js';
import { Keys, putRecord } from './metaCodec.js';
import { indexStands, partitionLives, segmentTruncated } from '../core/catalog.js';
import { partitionLoaded } from '../core/partitionLoad.js';
import { retiredIds } from '../core/mergeLineage.js';
import { refuseFlush } from '../core/flushRefusals.js';
import { copiesToRelease, loadTicket, mayServe, type LoadTicket } from '../core/loadGenerations.js';
import { isScalarIndexType } from '../../shared/scalarIndex/scalarIndexTypes.js';
import { partitionKeyField } from '../../../messages/schema.js';

/**
 * After a segment is persisted: build its index, load it on a query node, and
 * publish the new distribution so the shard's delegator hands the growing copy off.
 */
/** Segments merged into others (core/mergeLineage.ts): gone for good. */
export function supersededIds(ctx: Pick<CoordinatorContext, 'segments'>): Set<number> {
  const out = new Set<number>();
  for (const s of ctx.segments.values()) for (const id of retiredIds(s)) out.add(id);
  return out;
}

export async function segmentFlushed(ctx: CoordinatorContext, seg: SegmentRecord): Promise<null> {
  const rec = collectionById(ctx.catalog, seg.collectionId);
  // A late report of a segment merged since: bringing its record back would serve its rows twice.
  if (supersededIds(ctx).has(seg.segmentId)) return null;
  const known = ctx.segments.get(seg.segmentId);
  // A repeated report of a segment compacted since: its record names the newer files.
  if (known && known.dataKey !== seg.dataKey) return null;
  if (known) seg = { ...known, ...seg, indexKeys: { ...seg.indexKeys, ...known.indexKeys } };
  const kept = await ctx.lock(async () => {
    // Of a collection dropped since (a report made again after a restart may come after the drop): its files go too.
    if (!collectionById(ctx.catalog, seg.collectionId)) return false;
    // Sealed by its partition's drop: its rows are gone with the partition (checked under the lock the drop takes).
    if (rec && !partitionLives(rec, seg)) return false;
    // Sealed by a truncation: its rows were written before it.
    if (rec && segmentTruncated(rec, seg)) return false;
    ctx.segments.set(seg.segmentId, seg);
    await putRecord(ctx.opts.meta, Keys.segment(seg.collectionId, seg.segmentId), seg);
    return true;
  });
  if (!kept) {
    ctx.refusedFlushes = refuseFlush(ctx.refusedFlushes, seg.segmentId);
    for (const w of [...ctx.flushWaiters]) w();
    await removeFiles(ctx, [seg.dataKey]);
    return null;
  }
  for (const w of [...ctx.flushWaiters]) w();
  if (!rec) return null;
  if (partitionLoaded(rec, seg.partitionId)) void loadSegment(ctx, rec, seg).catch((e) => ctx.log('load of segment', seg.segmentId, 'failed:', e.message));
  else await publishLoadState(ctx, rec);
  void buildMissingIndexes(ctx, rec);
  return null;
}

/** Starts index builds (ANN and scalar) for every persisted segment that lacks one of the collection's indexes. */
export async function buildMissingIndexes(ctx: CoordinatorContext, rec: CollectionRecord): Promise<void> {
  const build = (op: 'buildIndex', req: IndexNodeProtocol['buildIndex']['req']) => ctx.indexNodes.call(op, req, 30 * 60_000, ` of segment ${req.segmentId}`);
  const jobs: Promise<void>[] = [];
  for (const index of rec.indexes) {
    if (buildsAtLoad(index.indexType)) continue;
    for (const seg of ctx.segments.values()) {
      const key = `${seg.segmentId}/${index.indexName}`;
      if (seg.collectionId !== rec.collectionId || seg.indexKeys[index.indexName] || ctx.indexBuilds.has(key)) continue;
      ctx.indexBuilds.add(key);
      const dataKey = seg.dataKey;
      // A stopped coordinator's builds stop retrying: its successor (in this process too) builds them again.
      jobs.push(withRetry(() => build('buildIndex', buildRequest(rec, seg.segmentId, dataKey, index)), { deadlineMs: 30 * 60_000, signal: { get aborted() { return ctx.stopped; } } })
        // A build that outlived its index (dropped, or created again otherwise) is not recorded.
        .then(async (r) => { if (indexStands(rec, index)) await indexBuilt(ctx, seg.collectionId, seg.segmentId, index.indexName, r.key, dataKey); })
        .catch((e) => ctx.log('index build of segment', seg.segmentId, 'failed:', e.message))
        .finally(() => ctx.indexBuilds.delete(key)));
    }
  }
  await Promise.all(jobs);
}

/**
 * What an index node needs to build an index of a segment file: a scalar index reads its field's column by the field's schema;
 * under partition key isolation a vector index is built per value of the key (runtime/vectorIndex/keyedIndex.ts).
 */
function buildRequest(rec: CollectionRecord, segmentId: number, dataKey: string, index: IndexParams): IndexNodeProtocol['buildIndex']['req'] {
  const field = rec.schema.fields.find((f) => f.name === index.fieldName);
  const key = rec.partitionKeyIsolation ? partitionKeyField(rec.schema) : undefined;
  return { collectionId: rec.collectionId, segmentId, dataKey, index, ...(field ? { field } : {}), ...(key && !isScalarIndexType(index.indexType) ? { partitionKey: key } : {}) };
}

/** Records a built index; one built from data the segment no longer has (compacted meanwhile) is ignored. */
export async function indexBuilt(ctx: CoordinatorContext, collectionId: number, segmentId: number, indexName: string, key: string, fromDataKey?: string): Promise<null> {
  const seg = ctx.segments.get(segmentId);
  if (!seg || (fromDataKey !== undefined && fromDataKey !== seg.dataKey)) return null;
  await ctx.lock(async () => {
    seg.indexKeys = { ...seg.indexKeys, [indexName]: key };
    await putRecord(ctx.opts.meta, Keys.segment(collectionId, segmentId), seg);
  });
  const rec = collectionById(ctx.catalog, collectionId);
  if (rec && partitionLoaded(rec, seg.partitionId)) await loadSegment(ctx, rec, seg).catch((e) => ctx.log('reload with index failed:', e.message));
  for (const w of [...ctx.flushWaiters]) w();
  return null;
}

/** How many query nodes serve each sealed segment of a collection. */
export function replicasOf(ctx: CoordinatorContext, rec: CollectionRecord): number {
  return Math.max(1, rec.replicas ?? ctx.opts.replicas ?? 1);
}

/**
 * The query nodes that should serve a segment: one per replica, among the
 * replica's nodes (resourceGroupPlacement.ts): the live one serving it now, else
 * the least loaded. A replica with no live node serves nothing (fewer copies).
 */
export function desiredNodes(ctx: CoordinatorContext, rec: CollectionRecord, seg: SegmentRecord): string[] {
  const d = ctx.distributions.get(seg.vchannel);
  const current = new Set(d?.segments.filter((s) => s.segmentId === seg.segmentId && ctx.queryNodes.has(s.nodeId)).map((s) => s.nodeId));
  const load = new Map<string, number>([...ctx.queryNodes].map((n) => [n, 0]));
  for (const dist of ctx.distributions.values()) for (const s of dist.segments) if (load.has(s.nodeId)) load.set(s.nodeId, load.get(s.nodeId)! + 1);
  const out: string[] = [];
  for (const nodes of ctx.groups.replicas.get(rec.collectionId) ?? []) {
    const live = nodes.filter((n) => load.has(n));
    const pick = live.find((n) => current.has(n)) ?? live.sort((a, b) => load.get(a)! - load.get(b)! || a.localeCompare(b))[0];
    if (pick !== undefined) out.push(pick);
  }
  return out;
}

/**
 * Loads (or reloads with its index) one segment on its replica query nodes and
 * publishes the distribution with the nodes that loaded it. A node that failed
 * is tried again (or replaced once its session ends) until every replica serves.
 * The load takes a ticket as it starts (core/loadGenerations.ts): once its
 * collection or partition is released, it neither loads nor serves any more.
 */
export async function loadSegment(ctx: CoordinatorContext, rec: CollectionRecord, seg: SegmentRecord): Promise<void> {
  const ticket = loadTicket(ctx.loadGenerations, seg.collectionId, seg.partitionId);
  await withRetry(async () => {
    // Discarded since (a truncate, a dropped partition; its files may be gone) or released since: nothing to load.
    if (!servable(ctx, seg.segmentId, ticket)) return;
    const nodes = desiredNodes(ctx, rec, seg);
    if (nodes.length === 0) throw new NuthatchError('Unavailable', `no query node is available to collection '${rec.name}' (its resource groups have none)`);
    const before = servingNodes(ctx, seg.vchannel, seg.segmentId);
    const indexName = servedIndexName(rec, seg);
    const results = await Promise.allSettled(nodes.map((n) => client<QueryNodeProtocol>(ctx.opts.bus, queryNodeSubject(n), 10 * 60_000)('load', { segment: seg, indexName, ...(rec.loadFields ? { columns: rec.loadFields } : {}) })));
    const loaded = nodes.filter((_, i) => results[i]!.status === 'fulfilled');
    if (loaded.length > 0) {
      const served = await setServingMany(ctx, seg.vchannel, [{ segmentId: seg.segmentId, nodeIds: loaded, indexName, ticket }]);
      await releaseUnserved(ctx, seg, loaded);
      // Copies no replica wants any more (a node moved to another group or replica) leave their node once out of the distribution;
      // not after a load that served nothing (released since: a later load may have placed the segment there).
      for (const n of before.filter((x) => served.has(seg.segmentId) && !nodes.includes(x) && ctx.queryNodes.has(x))) {
        void client<QueryNodeProtocol>(ctx.opts.bus, queryNodeSubject(n))('release', { segmentIds: [seg.segmentId] }).catch(() => {});
      }
    }
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }, { deadlineMs: 10 * 60_000 });
}

/** Whether a load with this ticket may (still) serve the segment (core/loadGenerations.ts mayServe), as things are now. */
export function servable(ctx: CoordinatorContext, segmentId: number, ticket: LoadTicket): boolean {
  const rec = collectionById(ctx.catalog, ticket.collectionId);
  return mayServe(ctx.loadGenerations, ticket, { recorded: ctx.segments.has(segmentId), partitionLoaded: rec !== undefined && partitionLoaded(rec, ticket.partitionId) });
}

/**
 * After a load answered: the copies just loaded that the distribution does not
 * name leave their nodes, unless a load now wants them there. Such a copy is
 * left by a load that raced a discard (a truncate, a dropped partition: the
 * segment has no record) or a release (its ticket is stale), and nothing else
 * would release it.
 */
export async function releaseUnserved(ctx: CoordinatorContext, seg: Pick<SegmentRecord, 'segmentId' | 'collectionId' | 'partitionId' | 'vchannel'>, nodes: readonly string[]): Promise<void> {
  const rec = collectionById(ctx.catalog, seg.collectionId);
  const recorded = ctx.segments.get(seg.segmentId);
  const wanted = recorded && rec && partitionLoaded(rec, seg.partitionId) ? desiredNodes(ctx, rec, recorded) : [];
  for (const n of copiesToRelease(nodes, servingNodes(ctx, seg.vchannel, seg.segmentId), wanted)) {
    await client<QueryNodeProtocol>(ctx.opts.bus, queryNodeSubject(n))('release', { segmentIds: [seg.segmentId] }).catch(() => {});
  }
}

/** The index a distribution names for a segment: an ANN index when it has one (loadProgress counts those), else a scalar one. */
export function servedIndexName(rec: CollectionRecord, seg: SegmentRecord): string | null {
  const built = rec.indexes.filter((i) => seg.indexKeys[i.indexName]);
  return (built.find((i) => !isScalarIndexType(i.indexType)) ?? built[0])?.indexName ?? null;
}

export function servingNodes(ctx: CoordinatorContext, vchannel: string, segmentId: number): string[] {
  return [...new Set(ctx.distributions.get(vchannel)?.segments.filter((s) => s.segmentId === segmentId).map((s) => s.nodeId))];
}

/** Most segment ids a distribution lists as retired. */
const MAX_RETIRED = 10_000;

/**
 * Sets the query nodes that serve a segment (none: it is released) and publishes
 * the distribution. A merged segment served takes its parts' place in the same
 * version, so no reader ever sees both.
 */
export async function setServing(ctx: CoordinatorContext, vchannel: string, segmentId: number, nodeIds: string[] | null, indexName: string | null = null): Promise<void> {
  await setServingMany(ctx, vchannel, [{ segmentId, nodeIds, indexName }]);
}

/** One segment's serving nodes (none: released); a load's change carries the ticket it took as it started. */
export interface ServingChange { segmentId: number; nodeIds: string[] | null; indexName: string | null; ticket?: LoadTicket }

/**
 * setServing of several segments in one distribution version: a clustering
 * compaction's outputs take their parts' place together, so a reader sees
 * either the parts or every output, never both nor neither. Returns the
 * segments it listed on nodes (a change it refused is not among them).
 */
export async function setServingMany(ctx: CoordinatorContext, vchannel: string, changes: ServingChange[]): Promise<Set<number>> {
  return ctx.lock(async () => {
    const d: Distribution = ctx.distributions.get(vchannel) ?? { vchannel, version: 0, segments: [] };
    // While its parts are served, a clustering compaction's output is served only with all its group still
    // recorded (one loaded alone, as at a restart, waits for the rest): reads never miss a key range.
    const released = new Set(changes.filter((c) => !c.nodeIds?.length).map((c) => c.segmentId));
    const willServe = new Set([...d.segments.map((s) => s.segmentId).filter((id) => !released.has(id)), ...changes.filter((c) => c.nodeIds?.length).map((c) => c.segmentId)]);
    const servedNow = new Set(d.segments.map((s) => s.segmentId));
    const waits = (id: number): boolean => {
      const rec = ctx.segments.get(id);
      if (!rec?.clusterGroup || !retiredIds(rec).some((p) => servedNow.has(p))) return false; // nothing of the old layout left to replace
      return !rec.clusterGroup.every((m) => willServe.has(m) || !ctx.segments.has(m));
    };
    // A segment with no record is not served anew: a load that raced its discard (a truncate, a dropped partition)
    // would list it after the discard took it out, on a node that no longer holds it, and every read of the shard would wait on it.
    // Nor is one whose load began before a release of its collection or partition: the release took out what was listed then.
    const mayList = (c: ServingChange): boolean => (c.ticket ? servable(ctx, c.segmentId, c.ticket) : ctx.segments.has(c.segmentId));
    changes = changes.filter((c) => !c.nodeIds?.length || (mayList(c) && !waits(c.segmentId)));
    const changed = new Set(changes.map((c) => c.segmentId));
    const parts = new Set<number>();
    for (const c of changes) {
      const merged = c.nodeIds?.length ? ctx.segments.get(c.segmentId) : undefined;
      for (const id of merged ? retiredIds(merged) : []) parts.add(id);
    }
    const segments = d.segments.filter((s) => !changed.has(s.segmentId) && !parts.has(s.segmentId));
    const superseded = supersededIds(ctx);
    for (const { segmentId, nodeIds, indexName } of changes) {
      const rec = ctx.segments.get(segmentId);
      // A part of a merged segment is never served again (a load that raced the merge).
      if (superseded.has(segmentId)) continue;
      for (const nodeId of nodeIds ?? []) {
        segments.push({ segmentId, nodeId, indexName, ...(rec === undefined ? {} : { partitionId: rec.partitionId }), ...(rec?.keyRange === undefined ? {} : { keyRange: rec.keyRange }) });
      }
    }
    // The newest ids only: an old part was handed off everywhere long ago (checkpoints keep that), and every
    // distribution carries the list.
    const retired = parts.size > 0 ? [...new Set([...(d.retired ?? []), ...parts])].sort((a, b) => a - b).slice(-MAX_RETIRED) : d.retired;
    const next: Distribution = { ...d, version: d.version + 1, segments: segments.sort((a, b) => a.segmentId - b.segmentId || a.nodeId.localeCompare(b.nodeId)), ...(retired ? { retired } : {}) };
    await publishDistribution(ctx, next);
    return new Set(changes.filter((c) => c.nodeIds?.length && !superseded.has(c.segmentId)).map((c) => c.segmentId));
  });
}

async function publishDistribution(ctx: CoordinatorContext, next: Distribution): Promise<void> {
  ctx.distributions.set(next.vchannel, next);
  await putRecord(ctx.opts.meta, Keys.distribution(next.vchannel), next);
  ctx.opts.bus.publish(EVENTS.distribution, encodeValue(next));
}

/**
 * Tells the collection's delegators whether it is loaded: a released collection's
 * reads are refused, and its flushed rows leave the delegators' memory (they live in
 * object storage until a load), so growing memory and recovery replay stay bounded.
 */
export async function publishLoadState(ctx: CoordinatorContext, rec: CollectionRecord): Promise<void> {
  await ctx.lock(async () => {
    for (const vchannel of rec.vchannels) {
      const d: Distribution = ctx.distributions.get(vchannel) ?? { vchannel, version: 0, segments: [] };
      const { partitions: _, columns: _c, ...rest } = d;
      await publishDistribution(ctx, { ...rest, version: d.version + 1, loaded: rec.loaded, ...(rec.loaded && rec.loadedPartitions ? { partitions: rec.loadedPartitions } : {}), ...(rec.loaded && rec.loadFields ? { columns: rec.loadFields } : {}) });
    }
  });
}

/** Loads the segments of the loaded partitions. */
export async function loadCollectionSegments(ctx: CoordinatorContext, rec: CollectionRecord): Promise<void> {
  const segs = [...ctx.segments.values()].filter((s) => s.collectionId === rec.collectionId && partitionLoaded(rec, s.partitionId));
  await Promise.all(segs.map((s) => loadSegment(ctx, rec, s)));
}

/** Stops serving the segments of partitions no longer loaded: out of the distribution, then off the query nodes. */
export async function releaseUnloadedSegments(ctx: CoordinatorContext, rec: CollectionRecord): Promise<void> {
  for (const vchannel of rec.vchannels) {
    const d = ctx.distributions.get(vchannel);
    if (!d) continue;
    const unload = d.segments.filter((s) => { const seg = ctx.segments.get(s.segmentId); return seg !== undefined && !partitionLoaded(rec, seg.partitionId); });
    for (const id of new Set(unload.map((s) => s.segmentId))) await setServing(ctx, vchannel, id, null);
    const byNode = new Map<string, number[]>();
    for (const s of unload) byNode.set(s.nodeId, [...(byNode.get(s.nodeId) ?? []), s.segmentId]);
    for (const [nodeId, segmentIds] of byNode) await client<QueryNodeProtocol>(ctx.opts.bus, queryNodeSubject(nodeId))('release', { segmentIds }).catch(() => {});
  }
}

export async function releaseCollectionSegments(ctx: CoordinatorContext, rec: CollectionRecord): Promise<void> {
  for (const vchannel of rec.vchannels) {
    const d = ctx.distributions.get(vchannel);
    if (!d) continue;
    const byNode = new Map<string, number[]>();
    for (const s of d.segments) byNode.set(s.nodeId, [...(byNode.get(s.nodeId) ?? []), s.segmentId]);
    for (const [nodeId, segmentIds] of byNode) {
      await client<QueryNodeProtocol>(ctx.opts.bus, queryNodeSubject(nodeId))('release', { segmentIds }).catch(() => {});
    }
    for (const id of new Set(d.segments.map((s) => s.segmentId))) await setServing(ctx, vchannel, id, null);
  }
}

/**
 * Load progress: the share of the collection's persisted segments served by a
 * query node, with their ANN index when the collection has one (a segment served
 * by brute force while its index builds is not loaded yet). Scalar indexes only
 * speed filters up: a segment is loaded without them.
 */
export function loadProgress(ctx: CoordinatorContext, rec: CollectionRecord, partitionIds?: readonly number[]): number {
  const segs = [...ctx.segments.values()].filter((s) => s.collectionId === rec.collectionId && partitionLoaded(rec, s.partitionId) && (partitionIds === undefined || partitionIds.includes(s.partitionId)));
  if (!rec.loaded) return 0;
  // Not 100 before every delegator has heard of the load: a read it answers then would be refused as not loaded.
  if (!loadPublished(ctx, rec)) return Math.min(99, segs.length === 0 ? 99 : servedShare(ctx, rec, segs));
  if (segs.length === 0) return 100;
  return servedShare(ctx, rec, segs);
}

/** Whether each vchannel's published distribution carries the collection's load: loaded, with its partitions. */
function loadPublished(ctx: CoordinatorContext, rec: CollectionRecord): boolean {
  return rec.vchannels.every((v) => {
    const d = ctx.distributions.get(v);
    if (d?.loaded !== true) return false;
    return rec.loadedPartitions === undefined ? d.partitions === undefined : d.partitions !== undefined && rec.loadedPartitions.every((p) => d.partitions!.includes(p));
  });
}

/** The share (0..100) of the loaded segments served with their vector index. */
function servedShare(ctx: CoordinatorContext, rec: CollectionRecord, segs: readonly SegmentRecord[]): number {
  const ann = new Set(rec.indexes.filter((i) => !buildsAtLoad(i.indexType) && !isScalarIndexType(i.indexType)).map((i) => i.indexName));
  const served = segs.filter((s) => ctx.distributions.get(s.vchannel)?.segments.some((x) => x.segmentId === s.segmentId && (ann.size === 0 || (typeof x.indexName === 'string' && ann.has(x.indexName))))).length;
  return Math.floor((served * 100) / segs.length);
}

/**
 * Has a data node delete files no longer needed (a failure is logged: the orphan sweep removes them later), except those something still names: a
 * segment record (a restored collection's records name its snapshot's files) or
 * a collection snapshot (core/collectionSnapshots.ts). Callers drop their own
 * records first, under the metadata lock.
 */
export async function removeFiles(ctx: CoordinatorContext, asked: string[]): Promise<void> {
  const pinned = referencedKeys(ctx.segments.values(), ctx.collectionSnapshots.values());
  const keys = asked.filter((k) => !pinned.has(k));
  if (keys.length === 0) return;
  await ctx.dataNodes.call('removeFiles', { keys }, 120_000)
    .catch((e) => ctx.log(`files ${keys.join(', ')} not removed (${(e as Error).message}); the orphan sweep removes them`));
}

/**
 * Builds every index (ANN and scalar) of a rewritten data file (a compaction's or a merge's)
 * before its record names it; if one fails, the file and the indexes built so
 * far are removed and the failure is thrown.
 */
export async function buildRewriteIndexes(ctx: CoordinatorContext, rec: CollectionRecord, segmentId: number, dataKey: string): Promise<Record<string, string>> {
  const build = (op: 'buildIndex', req: IndexNodeProtocol['buildIndex']['req']) => ctx.indexNodes.call(op, req, 30 * 60_000, ` of segment ${req.segmentId}`);
  const indexKeys: Record<string, string> = {};
  try {
    for (const index of rec.indexes) {
      if (buildsAtLoad(index.indexType)) continue;
      indexKeys[index.indexName] = (await build('buildIndex', buildRequest(rec, segmentId, dataKey, index))).key;
    }
  } catch (e) {
    await removeFiles(ctx, [dataKey, ...Object.values(indexKeys)]);
    throw e;
  }
  return indexKeys;
}
