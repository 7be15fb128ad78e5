import { collectionById } from '../core/databases.js';
import { rewriteAppliedTso } from '../../shared/segment/deleteCover.js';
import { jsonColumnsRequest } from '../../shared/segment/jsonShredding.js';
import { droppedFieldsRewrite, recordFieldExpiries } from '../core/compactionPolicy.js';
import { NuthatchError } from '../../../messages/errors.js';
import type { CollectionRecord, SegmentRecord } from '../../../messages/rpc/records.js';
import { clusteringKeyField } from '../../../messages/schema.js';
import { queryNodeSubject, type QueryNodeProtocol } from '../../../messages/rpc/workers.js';
import { client, withRetry } from '../../../runtime/rpc/typedBus.js';
import { expiredBelow } from '../../shared/segment/rowExpiry.js';
import { DEFAULT_SEGMENT_BYTES, rowsForBytes, sizingDim } from '../../shared/segment/segmentSize.js';
import { fullyIndexed, type CompactionPolicy } from '../core/compactionPolicy.js';
import { partitionLoaded } from '../core/partitionLoad.js';
import { loadTicket, ticketCurrent } from '../core/loadGenerations.js';
import { lineageOf, retainRetiredMs, retiredIds } from '../core/mergeLineage.js';
import { DEFAULT_ORPHAN_POLICY } from '../core/orphanFiles.js';
import type { CoordinatorContext } from './context.js';
import { Keys, putRecord } from './metaCodec.js';
import { horizonOf } from './snapshotHoldsShell.js';
import { discardSegments } from './segmentDiscard.js';
import { buildMissingIndexes, buildRewriteIndexes, desiredNodes, releaseUnserved, removeFiles, servedIndexName, setServingMany, type ServingChange } from './segmentFlow.js';

/**
 * Clustering compaction (Milvus's): the sealed segments of each partition of
 * each shard are rewritten by a data node as segments that each hold one
 * contiguous range of the clustering key (data-node/core/segmentCluster.ts),
 * indexed, and switched to as merge compaction switches, but all together:
 * 1. every output's record is written (`mergedFrom`: the parts; `clusterGroup`: the outputs);
 * 2. the parts' records go;
 * 3. every output is loaded, then one distribution version serves them all and
 *    drops the parts (setServingMany): readers see the parts or the outputs,
 *    never both nor neither. The parts are released and their files removed.
 * A coordinator that starts over a group cut short in step 1 (an output not
 * recorded) rolls it back; one past step 1 finishes steps 2 and 3 (finishClusterings).
 */
export async function runClustering(ctx: CoordinatorContext, rec: CollectionRecord, policy: CompactionPolicy, failures: string[] = []): Promise<number> {
  const key = clusteringKeyField(rec.schema);
  if (!key) throw new NuthatchError('InvalidArgument', `collection '${rec.name}' has no clustering key: a clustering compaction needs one (isClusteringKey)`);
  const target = policy.clusteringTargetRows ?? Math.max(1, Math.floor(0.8 * rowsForBytes(DEFAULT_SEGMENT_BYTES, sizingDim(rec.schema))));
  let rewritten = 0;
  for (const vchannel of rec.vchannels) {
    for (const p of rec.partitions) {
      if (ctx.stopped) return rewritten;
      const segs = [...ctx.segments.values()].filter((s) => s.collectionId === rec.collectionId && s.vchannel === vchannel && s.partitionId === p.id);
      if (!worthClustering(segs)) continue;
      if (segs.some((s) => !fullyIndexed(rec, s))) { failures.push(`${vchannel}: partition ${p.name} has segments still being indexed`); continue; }
      try {
        if (await clusterPartition(ctx, rec, segs, key.name, target, policy)) rewritten++;
      } catch (e) {
        ctx.log(`clustering compaction of ${vchannel}/${p.name} failed:`, (e as Error).message);
        failures.push(`${vchannel}/${p.name}: ${(e as Error).message}`);
      }
    }
  }
  return rewritten;
}

/** Not when there is nothing, nor when the segments are exactly the outputs of one earlier clustering (nothing new since). */
function worthClustering(segs: readonly SegmentRecord[]): boolean {
  if (segs.length === 0) return false;
  const group = segs[0]!.clusterGroup;
  return !(group && segs.length === group.length && segs.every((s) => s.clusterGroup && s.clusterGroup.length === group.length && s.clusterGroup.every((id, i) => id === group[i])));
}

async function clusterPartition(ctx: CoordinatorContext, rec: CollectionRecord, parts: SegmentRecord[], key: string, targetRows: number, policy: CompactionPolicy): Promise<boolean> {
  const before = parts.map((p) => p.dataKey);
  const untilTso = horizonOf(ctx, rec.collectionId, policy);
  const expired = expiredBelow(untilTso, rec.ttlSeconds);
  const rows = parts.reduce((n, p) => n + p.rows, 0);
  const idCount = Math.ceil(rows / targetRows) + 1;
  const first = await ctx.allocIds(idCount);
  const segmentIds = Array.from({ length: idCount }, (_, i) => first + i);
  const fieldExpiry = recordFieldExpiries(rec, parts[0]!.vchannel, untilTso);
  const dropped = droppedFieldsRewrite(rec);
  const out = await ctx.dataNodes.call('clusterSegments', {
    segments: parts, segmentIds, key, targetRows, untilTso, ...(expired === undefined ? {} : { expiredBelow: expired }), ...(fieldExpiry === undefined ? {} : { fieldExpiry }), ...dropped.request, ...jsonColumnsRequest(rec.schema),
  }, 30 * 60_000, ` of segments ${parts.map((p) => p.segmentId).join(',')}`);
  const unchanged = () => rec.state === 'created' && parts.every((p, i) => ctx.segments.get(p.segmentId) === p && p.dataKey === before[i]);
  if (out.outputs.length === 0) {
    // Every row deleted or expired: the parts go, with nothing in their place.
    const gone = await discardSegments(ctx, () => (unchanged() ? parts : []));
    return gone.length > 0;
  }
  const files: string[] = out.outputs.map((o) => o.dataKey);
  const members: SegmentRecord[] = [];
  const lineage = lineageOf(parts, ctx.now(), retainRetiredMs(ctx.opts.orphans?.toleranceMs ?? DEFAULT_ORPHAN_POLICY.toleranceMs));
  const group = out.outputs.map((o) => o.segmentId);
  const p0 = parts[0]!;
  try {
    for (const o of out.outputs) {
      const indexKeys = await buildRewriteIndexes(ctx, rec, o.segmentId, o.dataKey);
      files.push(...Object.values(indexKeys));
      members.push({
        collectionId: p0.collectionId, partitionId: p0.partitionId, segmentId: o.segmentId, vchannel: p0.vchannel, pchannel: p0.pchannel,
        rows: o.rows, dataKey: o.dataKey, indexKeys,
        from: Math.min(...parts.map((p) => p.from)), to: Math.max(...parts.map((p) => p.to)),
        deleteSeq: out.deleteSeq, reachedRows: 0,
        ...(o.rowsFromTso === undefined ? {} : { rowsFromTso: o.rowsFromTso }), deletesAppliedTso: rewriteAppliedTso(parts, out.appliedTso),
        ...(expired === undefined ? {} : { expiryCheckedTso: expired }), ...dropped.checked,
        ...lineage, clusterGroup: group, ...(o.keyRange ? { keyRange: o.keyRange } : {}),
      });
    }
  } catch (e) {
    await removeFiles(ctx, files);
    throw e;
  }
  // Step 1, if every part is as it was read and the collection lives.
  const written = await ctx.lock(async () => {
    if (!unchanged()) return false;
    for (const m of members) {
      await putRecord(ctx.opts.meta, Keys.segment(m.collectionId, m.segmentId), m);
      ctx.segments.set(m.segmentId, m);
    }
    return true;
  });
  if (!written) { await removeFiles(ctx, files); return false; }
  ctx.log(`segments ${parts.map((p) => p.segmentId).join(', ')}: clustered by '${key}' into ${group.join(', ')} (${out.removed} deleted rows left out)`);
  await finishClustering(ctx, rec, members, parts);
  void buildMissingIndexes(ctx, rec);
  return true;
}

/** Steps 2 and 3 for one group; `parts` are the records its parts had, when still known. */
async function finishClustering(ctx: CoordinatorContext, rec: CollectionRecord, members: SegmentRecord[], parts: SegmentRecord[]): Promise<void> {
  const ids = new Set(members.flatMap((m) => retiredIds(m)));
  const vchannel = members[0]!.vchannel;
  await ctx.lock(async () => {
    for (const id of ids) {
      if (!ctx.segments.has(id)) continue;
      ctx.segments.delete(id);
      await ctx.opts.meta.delete(Keys.segment(members[0]!.collectionId, id));
    }
  });
  const holders = new Set((ctx.distributions.get(vchannel)?.segments ?? []).filter((s) => ids.has(s.segmentId)).map((s) => s.nodeId));
  if (partitionLoaded(rec, members[0]!.partitionId)) await loadGroup(ctx, rec, members);
  for (const nodeId of holders) {
    await client<QueryNodeProtocol>(ctx.opts.bus, queryNodeSubject(nodeId))('release', { segmentIds: [...ids] })
      .catch((e) => ctx.log(`releasing clustered segments on ${nodeId} failed:`, (e as Error).message));
  }
  await removeFiles(ctx, parts.flatMap((p) => [p.dataKey, ...Object.values(p.indexKeys)]));
}

/** Loads every member on its replica nodes, then serves them all in one distribution version. */
async function loadGroup(ctx: CoordinatorContext, rec: CollectionRecord, members: SegmentRecord[]): Promise<void> {
  const tickets = new Map(members.map((m) => [m.segmentId, loadTicket(ctx.loadGenerations, m.collectionId, m.partitionId)]));
  await withRetry(async () => {
    const placed: Array<ServingChange & { nodeIds: string[] }> = [];
    // Released since: the next load loads the group.
    if (!members.every((m) => ticketCurrent(ctx.loadGenerations, tickets.get(m.segmentId)!))) return;
    for (const seg of members) {
      const nodes = desiredNodes(ctx, rec, seg);
      if (nodes.length === 0) throw new NuthatchError('Unavailable', `no query node is available to collection '${rec.name}'`);
      const indexName = servedIndexName(rec, seg);
      await Promise.all(nodes.map((n) => client<QueryNodeProtocol>(ctx.opts.bus, queryNodeSubject(n), 10 * 60_000)('load', { segment: seg, indexName, ...(rec.loadFields ? { columns: rec.loadFields } : {}) })));
      placed.push({ segmentId: seg.segmentId, nodeIds: nodes, indexName, ticket: tickets.get(seg.segmentId)! });
    }
    await setServingMany(ctx, members[0]!.vchannel, placed);
    for (const [i, p] of placed.entries()) await releaseUnserved(ctx, members[i]!, p.nodeIds);
  }, { deadlineMs: 10 * 60_000 });
}

/**
 * At start, before any segment is loaded: a group whose outputs were not all
 * recorded is rolled back (its parts still stand); one wholly recorded whose
 * parts are still recorded or served is finished, in the background.
 */
export async function finishClusterings(ctx: CoordinatorContext): Promise<void> {
  const groups = new Map<string, SegmentRecord[]>();
  for (const s of ctx.segments.values()) if (s.clusterGroup) groups.set(`${s.vchannel}/${s.clusterGroup.join(',')}`, [...(groups.get(`${s.vchannel}/${s.clusterGroup.join(',')}`) ?? []), s]);
  for (const members of groups.values()) {
    const group = members[0]!.clusterGroup!;
    const retired = new Set(members.flatMap((m) => retiredIds(m)));
    const parts = [...retired].map((id) => ctx.segments.get(id)).filter((p): p is SegmentRecord => p !== undefined);
    const served = ctx.distributions.get(members[0]!.vchannel)?.segments.some((s) => retired.has(s.segmentId)) ?? false;
    if (parts.length === 0 && !served) continue;
    const rec = collectionById(ctx.catalog, members[0]!.collectionId);
    if (!rec) continue;
    if (members.length < group.length) {
      // Cut short in step 1: the parts stand, the outputs recorded so far go.
      await ctx.lock(async () => {
        for (const m of members) { ctx.segments.delete(m.segmentId); await ctx.opts.meta.delete(Keys.segment(m.collectionId, m.segmentId)); }
      });
      // At start a data node may not have joined yet: retried a while, then left to the orphan sweep.
      const keys = members.flatMap((m) => [m.dataKey, ...Object.values(m.indexKeys)]);
      void withRetry(() => ctx.dataNodes.call('removeFiles', { keys }, 120_000), { deadlineMs: 5 * 60_000 })
        .catch((e) => ctx.log(`files ${keys.join(', ')} not removed (${(e as Error).message}); the orphan sweep removes them`));
      ctx.log(`clustering into ${group.join(', ')} was cut short: rolled back`);
      continue;
    }
    // The parts' records go at once: nothing may load a part beside the outputs.
    await ctx.lock(async () => {
      for (const p of parts) { ctx.segments.delete(p.segmentId); await ctx.opts.meta.delete(Keys.segment(p.collectionId, p.segmentId)); }
    });
    void finishClustering(ctx, rec, members, parts).catch((e) => ctx.log(`finishing the clustering into ${group.join(', ')} failed:`, (e as Error).message));
  }
}
