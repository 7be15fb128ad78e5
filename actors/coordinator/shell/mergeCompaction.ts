import { collectionById } from '../core/databases.js';
import { rewriteAppliedTso } from '../../shared/segment/deleteCover.js';
import { jsonColumnsRequest } from '../../shared/segment/jsonShredding.js';
import { droppedFieldsRewrite, recordFieldExpiries } from '../core/compactionPolicy.js';
import type { CollectionRecord, KeyRange, SegmentRecord } from '../../../messages/rpc/records.js';
import { unionRange } from '../../shared/cluster/keyRange.js';
import { queryNodeSubject, type QueryNodeProtocol } from '../../../messages/rpc/workers.js';
import { expiredBelow } from '../../shared/segment/rowExpiry.js';
import { client } from '../../../runtime/rpc/typedBus.js';
import { DEFAULT_SEGMENT_BYTES, rowsForBytes, sizingDim } from '../../shared/segment/segmentSize.js';
import { mergeGroups, type CompactionPolicy } from '../core/compactionPolicy.js';
import { partitionLoaded } from '../core/partitionLoad.js';
import { lineageOf, retainRetiredMs, retiredIds } from '../core/mergeLineage.js';
import { DEFAULT_ORPHAN_POLICY } from '../core/orphanFiles.js';
import type { CoordinatorContext } from './context.js';
import { Keys, putRecord } from './metaCodec.js';
import { horizonOf } from './snapshotHoldsShell.js';
import { buildMissingIndexes, buildRewriteIndexes, loadSegment, removeFiles } from './segmentFlow.js';

/**
 * Merge compaction: small sealed segments of a partition (core/compactionPolicy.ts
 * mergeGroups) are rewritten by a data node as one new segment, indexed, and
 * switched to in three steps, each safe to repeat after a crash:
 * 1. the merged record is written, naming its parts (`mergedFrom`);
 * 2. the parts' records go (from here on they are never served or reported again);
 * 3. the merged segment is loaded; the distribution version that adds it drops
 *    its parts (setServing), then the parts are released and their files removed.
 * A coordinator that starts with a merged record whose parts are still recorded
 * or served finishes steps 2 and 3 (finishMerges) before anything is loaded.
 */
export async function mergeShard(ctx: CoordinatorContext, rec: CollectionRecord, segs: SegmentRecord[], policy: CompactionPolicy): Promise<number> {
  const target = policy.mergeTargetRows ?? rowsForBytes(DEFAULT_SEGMENT_BYTES, sizingDim(rec.schema));
  let merged = 0;
  // A dropped partition's segments are not worth a rewrite.
  const live = segs.filter((s) => rec.partitions.some((p) => p.id === s.partitionId));
  for (const group of mergeGroups(live, target, policy.mergeSegments)) {
    if (ctx.stopped) break;
    if (await mergeOne(ctx, rec, group, policy)) merged++;
  }
  return merged;
}

async function mergeOne(ctx: CoordinatorContext, rec: CollectionRecord, parts: SegmentRecord[], policy: CompactionPolicy): Promise<boolean> {
  const before = parts.map((p) => p.dataKey);
  const first = parts[0]!;
  const untilTso = horizonOf(ctx, rec.collectionId, policy);
  const segmentId = await ctx.allocIds(1);
  const expired = expiredBelow(untilTso, rec.ttlSeconds);
  const fieldExpiry = recordFieldExpiries(rec, first.vchannel, untilTso);
  const dropped = droppedFieldsRewrite(rec);
  const out = await ctx.dataNodes.call('mergeSegments', {
    segments: parts, segmentId, untilTso, ...(expired === undefined ? {} : { expiredBelow: expired }), ...(fieldExpiry === undefined ? {} : { fieldExpiry }), ...dropped.request, ...jsonColumnsRequest(rec.schema),
  }, 10 * 60_000, ` of segments ${parts.map((p) => p.segmentId).join(',')}`);
  const indexKeys = await buildRewriteIndexes(ctx, rec, segmentId, out.dataKey);
  // The parts' clustering key ranges together hold the merged segment's (unknown if any part's is).
  const keyRange = parts.slice(1).reduce<KeyRange | undefined>((r, p) => unionRange(r, p.keyRange), first.keyRange);
  const drop = () => removeFiles(ctx, [out.dataKey, ...Object.values(indexKeys)]);
  const merged: SegmentRecord = {
    collectionId: first.collectionId, partitionId: first.partitionId, segmentId, vchannel: first.vchannel, pchannel: first.pchannel,
    rows: out.rows, dataKey: out.dataKey, indexKeys,
    from: Math.min(...parts.map((p) => p.from)), to: Math.max(...parts.map((p) => p.to)),
    deleteSeq: out.deleteSeq, reachedRows: out.pending,
    ...(out.rowsFromTso === undefined ? {} : { rowsFromTso: out.rowsFromTso }), deletesAppliedTso: rewriteAppliedTso(parts, out.appliedTso),
    ...(expired === undefined ? {} : { expiryCheckedTso: expired }), ...dropped.checked,
    ...(keyRange === undefined ? {} : { keyRange }),
    // With the parts' recent ancestors: none may come back (segmentFlushed refuses a late report of any).
    ...lineageOf(parts, ctx.now(), retainRetiredMs(ctx.opts.orphans?.toleranceMs ?? DEFAULT_ORPHAN_POLICY.toleranceMs)),
  };
  // Step 1, if every part is as it was read (not compacted or merged meanwhile) and the collection lives.
  const written = await ctx.lock(async () => {
    if (rec.state !== 'created' || parts.some((p, i) => ctx.segments.get(p.segmentId) !== p || p.dataKey !== before[i])) return false;
    await putRecord(ctx.opts.meta, Keys.segment(merged.collectionId, segmentId), merged);
    ctx.segments.set(segmentId, merged);
    return true;
  });
  if (!written) { await drop(); return false; }
  ctx.log(`segments ${parts.map((p) => p.segmentId).join(', ')}: merged into ${segmentId} (${out.rows} rows, ${out.removed} deleted rows left out)`);
  // An index created while this ran was not built for the merged segment.
  void buildMissingIndexes(ctx, rec);
  await finishMerge(ctx, rec, merged, parts);
  return true;
}

/** Step 2: the parts' records go. */
async function forgetParts(ctx: CoordinatorContext, merged: SegmentRecord): Promise<void> {
  await ctx.lock(async () => {
    for (const id of retiredIds(merged)) {
      if (!ctx.segments.has(id)) continue;
      ctx.segments.delete(id);
      await ctx.opts.meta.delete(Keys.segment(merged.collectionId, id));
    }
  });
}

/** Steps 2 and 3 for one merged segment; `parts` are the records its parts had, when still known. */
async function finishMerge(ctx: CoordinatorContext, rec: CollectionRecord, merged: SegmentRecord, parts: SegmentRecord[]): Promise<void> {
  const ids = new Set(retiredIds(merged));
  await forgetParts(ctx, merged);
  const holders = new Set((ctx.distributions.get(merged.vchannel)?.segments ?? []).filter((s) => ids.has(s.segmentId)).map((s) => s.nodeId));
  if (partitionLoaded(rec, merged.partitionId)) await loadSegment(ctx, rec, merged);
  for (const nodeId of holders) {
    await client<QueryNodeProtocol>(ctx.opts.bus, queryNodeSubject(nodeId))('release', { segmentIds: [...ids] })
      .catch((e) => ctx.log(`releasing merged segments on ${nodeId} failed:`, (e as Error).message));
  }
  await removeFiles(ctx, parts.flatMap((p) => [p.dataKey, ...Object.values(p.indexKeys)]));
}

/**
 * At start, before any segment is loaded: finishes merges a previous
 * coordinator left half done. The parts' records go at once (nothing may load
 * a part); the loads, releases and file removals run in the background.
 */
export async function finishMerges(ctx: CoordinatorContext): Promise<void> {
  const pending: Array<{ rec: CollectionRecord; merged: SegmentRecord; parts: SegmentRecord[] }> = [];
  for (const merged of [...ctx.segments.values()]) {
    // A clustering compaction's outputs are finished together (clusteringCompaction.ts).
    if (merged.clusterGroup) continue;
    const retired = new Set(retiredIds(merged));
    if (retired.size === 0) continue;
    const parts = [...retired].map((id) => ctx.segments.get(id)).filter((p): p is SegmentRecord => p !== undefined);
    const served = ctx.distributions.get(merged.vchannel)?.segments.some((s) => retired.has(s.segmentId)) ?? false;
    const rec = collectionById(ctx.catalog, merged.collectionId);
    if ((parts.length === 0 && !served) || !rec) continue;
    await forgetParts(ctx, merged);
    pending.push({ rec, merged, parts });
  }
  for (const { rec, merged, parts } of pending) {
    void finishMerge(ctx, rec, merged, parts).catch((e) => ctx.log(`finishing the merge into ${merged.segmentId} failed:`, (e as Error).message));
  }
}
