import type { CollectionRecord, SegmentRecord } from '../../../messages/rpc/records.js';
import { partitionLives, segmentTruncated } from '../core/catalog.js';
import { queryNodeSubject, type QueryNodeProtocol } from '../../../messages/rpc/workers.js';
import { client } from '../../../runtime/rpc/typedBus.js';
import type { CoordinatorContext } from './context.js';
import { Keys } from './metaCodec.js';
import { removeFiles, setServing } from './segmentFlow.js';
import { retiredIds } from '../core/mergeLineage.js';

/**
 * Discards the records (and files) of segments whose partition is no longer
 * in their collection. Segments it still had growing were sealed by the
 * DropPartition message and are refused when their flush is reported
 * (segmentFlushed).
 */
export async function discardDroppedPartitions(ctx: CoordinatorContext, rec: CollectionRecord): Promise<number> {
  const gone = await discardSegments(ctx, () => [...ctx.segments.values()].filter((s) => s.collectionId === rec.collectionId && !partitionLives(rec, s)));
  if (gone.length > 0) ctx.log(`${rec.name}: ${gone.length} segments of dropped partitions discarded`);
  return gone.length;
}

/** Discards the records (and files) of segments written before their shard's truncation. */
export async function discardTruncated(ctx: CoordinatorContext, rec: CollectionRecord): Promise<number> {
  const gone = await discardSegments(ctx, () => [...ctx.segments.values()].filter((s) => s.collectionId === rec.collectionId && segmentTruncated(rec, s)));
  if (gone.length > 0) ctx.log(`${rec.name}: ${gone.length} segments truncated`);
  return gone.length;
}

/**
 * Discards segments for good (their rows are gone: a dropped partition's, or
 * all expired): `pick` chooses them under the metadata lock and their records
 * go at once; then they leave the distribution (no read is sent to them), the
 * query nodes, and object storage. Returns the records discarded.
 */
export async function discardSegments(ctx: CoordinatorContext, pick: () => SegmentRecord[]): Promise<SegmentRecord[]> {
  const gone = await ctx.lock(async () => {
    const segs = pick();
    for (const s of segs) {
      ctx.segments.delete(s.segmentId);
      await ctx.opts.meta.delete(Keys.segment(s.collectionId, s.segmentId));
    }
    return segs;
  });
  for (const seg of gone) await unserve(ctx, seg.vchannel, seg.segmentId);
  await removeFiles(ctx, gone.flatMap((s) => [s.dataKey, ...Object.values(s.indexKeys)]));
  return gone;
}

/** A segment out of its shard's distribution (no read is sent to it), then off the query nodes that held it. */
async function unserve(ctx: CoordinatorContext, vchannel: string, segmentId: number): Promise<void> {
  const holders = (ctx.distributions.get(vchannel)?.segments ?? []).filter((s) => s.segmentId === segmentId).map((s) => s.nodeId);
  if (holders.length === 0) return;
  await setServing(ctx, vchannel, segmentId, null);
  for (const nodeId of holders) {
    await client<QueryNodeProtocol>(ctx.opts.bus, queryNodeSubject(nodeId))('release', { segmentIds: [segmentId] })
      .catch((e) => ctx.log(`releasing discarded segment ${segmentId} on ${nodeId} failed:`, (e as Error).message));
  }
}

/**
 * At start, after half-done merges and clusterings are finished: segments a
 * distribution still serves that have no record and that no record retires
 * leave it. A discard cut short between its records and the distribution
 * leaves such entries, and nothing would ever load them again: every read of
 * the shard would wait on them (Unavailable) for good.
 */
export async function unserveUnrecorded(ctx: CoordinatorContext): Promise<void> {
  const retired = new Set([...ctx.segments.values()].flatMap((s) => retiredIds(s)));
  for (const [vchannel, d] of [...ctx.distributions]) {
    for (const id of new Set(d.segments.map((s) => s.segmentId))) {
      if (ctx.segments.has(id) || retired.has(id)) continue;
      ctx.log(`${vchannel}: segment ${id} has no record (a discard cut short); no longer served`);
      await unserve(ctx, vchannel, id);
    }
  }
}
