import type { CollectionRecord, SegmentRecord } from '../../../messages/rpc/records.js';
import { partitionLives, segmentTruncated } from '../core/catalog.js';
import { queryNodeSubject, type QueryNodeProtocol } from '../../../messages/rpc/workers.js';
import { client } from '../../../runtime/rpc/typedBus.js';
import type { CoordinatorContext } from './context.js';
import { Keys } from './metaCodec.js';
import { removeFiles, setServing } from './segmentFlow.js';

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
  for (const seg of gone) {
    const holders = (ctx.distributions.get(seg.vchannel)?.segments ?? []).filter((s) => s.segmentId === seg.segmentId).map((s) => s.nodeId);
    if (holders.length === 0) continue;
    await setServing(ctx, seg.vchannel, seg.segmentId, null);
    for (const nodeId of holders) {
      await client<QueryNodeProtocol>(ctx.opts.bus, queryNodeSubject(nodeId))('release', { segmentIds: [seg.segmentId] })
        .catch((e) => ctx.log(`releasing discarded segment ${seg.segmentId} on ${nodeId} failed:`, (e as Error).message));
    }
  }
  await removeFiles(ctx, gone.flatMap((s) => [s.dataKey, ...Object.values(s.indexKeys)]));
  return gone;
}
