import { allCollections } from '../core/databases.js';
import { jsonColumnsRequest } from '../../shared/segment/jsonShredding.js';
import type { CollectionRecord, SegmentRecord } from '../../../messages/rpc/records.js';
import type { Tso } from '../../../messages/types.js';
import { deleteFloorOf, minTso, rewriteAppliedTso } from '../../shared/segment/deleteCover.js';
import { expiredBelow } from '../../shared/segment/rowExpiry.js';
import { pchannelOf } from '../core/catalog.js';
import { droppedFieldsDue, droppedFieldsRewrite, expiryDue, fieldExpiryDue, floorHolders, recordFieldExpiries, fullyIndexed, worthExamining, type CompactionPolicy } from '../core/compactionPolicy.js';
import { partitionLoaded } from '../core/partitionLoad.js';
import type { CoordinatorContext } from './context.js';
import { Keys, putRecord } from './metaCodec.js';
import { mergeShard } from './mergeCompaction.js';
import { discardSegments } from './segmentDiscard.js';
import { buildMissingIndexes, buildRewriteIndexes, loadSegment, removeFiles } from './segmentFlow.js';
import { horizonOf } from './snapshotHoldsShell.js';

/**
 * Delete compaction rounds: each sealed segment that deletes may have reached
 * enough of (core/compactionPolicy.ts) is rewritten by a data node without its
 * deleted rows; its indexes are built from the new file; then the segment
 * record switches to the new files at once, query nodes serving it reload, and
 * the old files are removed. The segment keeps its id and place in the
 * distribution, so delegators see no change but fewer rows.
 *
 * A rewrite that cannot be switched to (the collection was dropped meanwhile,
 * an index build failed) is removed. A coordinator that dies between the
 * rewrite and the switch leaves the new files unnamed (the next compaction of
 * the segment writes others); the orphan sweep (orphanSweep.ts) removes them.
 */
export async function runCompactions(ctx: CoordinatorContext, policy: CompactionPolicy, onlyCollection?: number, failures?: string[]): Promise<number> {
  let compacted = 0;
  for (const rec of allCollections(ctx.catalog)) {
    if (rec.state !== 'created' || (onlyCollection !== undefined && rec.collectionId !== onlyCollection)) continue;
    // A snapshot restore between its deletes and its segment records: a trim now would drop the deletes its files need.
    if (ctx.compactionHeld?.(rec.collectionId)) continue;
    for (const vchannel of rec.vchannels) {
      if (ctx.stopped) return compacted;
      try {
        compacted += await compactShard(ctx, rec, vchannel, policy);
      } catch (e) {
        ctx.log(`compaction of ${vchannel} failed (retried next round):`, (e as Error).message);
        failures?.push(`${vchannel}: ${(e as Error).message}`);
      }
    }
  }
  return compacted;
}

/** One shard's round: its segments worth examining (or holding its delete log back), then the trim. */
async function compactShard(ctx: CoordinatorContext, rec: CollectionRecord, vchannel: string, policy: CompactionPolicy): Promise<number> {
  let compacted = 0;
  const segs = () => [...ctx.segments.values()].filter((s) => s.collectionId === rec.collectionId && s.vchannel === vchannel);
  const indexed = segs().filter((s) => fullyIndexed(rec, s));
  const pchannel = pchannelOf(vchannel);
  // Past the end: an empty page that says how long the log is.
  const log = await ctx.streaming(pchannel)('deletes', { vchannel, fromSeq: Number.MAX_SAFE_INTEGER });
  const horizon = horizonOf(ctx, rec.collectionId, policy);
  const forced = new Set(floorHolders(indexed, log, horizon, policy));
  const cutoff = expiredBelow(horizon, rec.ttlSeconds);
  for (const seg of indexed) {
    if (ctx.stopped) return compacted;
    const expiring = (cutoff !== undefined && expiryDue(seg, cutoff, rec.ttlSeconds!, policy.minRatio)) || fieldExpiryDue(seg, rec, horizon) || droppedFieldsDue(seg, rec);
    if (!forced.has(seg) && !expiring && !worthExamining(seg, log.seq, policy.minRatio)) continue;
    if (await compactOne(ctx, rec, seg, policy, forced.has(seg) ? 0 : policy.minRatio)) compacted++;
  }
  if (policy.mergeSegments >= 2) compacted += await mergeShard(ctx, rec, segs().filter((s) => fullyIndexed(rec, s)), policy);
  await trimShardDeletes(ctx, rec, pchannel, vchannel, segs, log, policy);
  return compacted;
}

/**
 * Asks the shard's owner to drop the deletes every segment record covers
 * (shared/segment/deleteCover.ts), no younger than the grace; the owner lowers
 * the floor for the segments it still holds, or declines.
 */
async function trimShardDeletes(ctx: CoordinatorContext, rec: CollectionRecord, pchannel: string, vchannel: string, segsNow: () => SegmentRecord[], log: { seq: number; base: number; floorTso: Tso }, policy: CompactionPolicy): Promise<void> {
  if (log.seq === log.base) return; // nothing logged to drop
  const untilTso = horizonOf(ctx, rec.collectionId, policy);
  // The records and the distribution version together (serving changes take the lock): the owner
  // declines a floor that missed a hand-off newer than this version.
  const { segs, asOfVersion } = await ctx.lock(async () => ({ segs: segsNow(), asOfVersion: ctx.distributions.get(vchannel)?.version ?? 0 }));
  const covered = deleteFloorOf(segs);
  const floorTso = covered === undefined ? untilTso : minTso(covered, untilTso);
  if (floorTso <= log.floorTso) return;
  const r = await ctx.streaming(pchannel)('trimDeletes', { vchannel, floorTso, covered: segs.map((s) => s.segmentId), asOfVersion });
  if (r.base > log.base) ctx.log(`${vchannel}: ${r.base - log.base} deletes trimmed from the log (up to tso ${r.floorTso}); ${log.seq - r.base} kept`);
}

async function compactOne(ctx: CoordinatorContext, rec: CollectionRecord, seg: SegmentRecord, policy: CompactionPolicy, minRatio: number): Promise<boolean> {
  const before = { dataKey: seg.dataKey, indexKeys: { ...seg.indexKeys } };
  const untilTso = horizonOf(ctx, rec.collectionId, policy);
  const expired = expiredBelow(untilTso, rec.ttlSeconds);
  const fieldExpiry = recordFieldExpiries(rec, seg.vchannel, untilTso);
  const dropped = droppedFieldsRewrite(rec);
  const out = await ctx.dataNodes.call('compactSegment', {
    segment: seg, untilTso, minRatio, ...(expired === undefined ? {} : { expiredBelow: expired }), ...(fieldExpiry === undefined ? {} : { fieldExpiry }), ...dropped.request, ...jsonColumnsRequest(rec.schema),
  }, 10 * 60_000, ` of segment ${seg.segmentId}`);
  // Dropped, or switched by someone else meanwhile: leave it.
  const unchanged = () => ctx.segments.get(seg.segmentId) === seg && seg.dataKey === before.dataKey && rec.state === 'created';
  if (out.compacted && out.rows === 0) {
    const gone = await discardSegments(ctx, () => (unchanged() ? [seg] : []));
    if (gone.length > 0) ctx.log(`segment ${seg.segmentId}: every row deleted or expired, discarded`);
    return gone.length > 0;
  }
  // The file holds no row a delete up to out.appliedTso (untilTso, or less when the log the data node read was
  // complete only that far) hides: after a rewrite, or when none was found; nor one its old file's cover kept out (a
  // horizon held back by a snapshot hold may lie below it). After a rewrite its oldest row is the new file's
  // (expired rows left), else the oldest known.
  const rowsFrom = out.rowsFromTso === undefined ? {} : { rowsFromTso: out.compacted ? out.rowsFromTso : seg.rowsFromTso ?? out.rowsFromTso };
  const applied = { ...rowsFrom, ...(out.compacted || out.removed === 0 ? { deletesAppliedTso: rewriteAppliedTso([seg], out.appliedTso) } : {}), ...(expired === undefined ? {} : { expiryCheckedTso: expired }),
    ...(out.nextExpiryUs === undefined ? {} : { fieldExpiryChecked: { field: rec.ttlField ?? null, nextUs: out.nextExpiryUs } }), ...dropped.checked };
  if (!out.compacted) {
    await save(ctx, seg, { deleteSeq: out.deleteSeq, reachedRows: out.removed + out.pending, ...applied }, unchanged);
    return false;
  }
  const indexKeys = await buildRewriteIndexes(ctx, rec, seg.segmentId, out.dataKey);
  // Dropped (perhaps purged already) or changed meanwhile: the new files would name nothing.
  if (!await save(ctx, seg, { dataKey: out.dataKey, rows: out.rows, indexKeys, deleteSeq: out.deleteSeq, reachedRows: out.pending, ...applied }, unchanged)) {
    await removeFiles(ctx, [out.dataKey, ...Object.values(indexKeys)]);
    return false;
  }
  ctx.log(`segment ${seg.segmentId}: compacted, ${out.removed} deleted rows removed, ${out.rows} left`);
  if (partitionLoaded(rec, seg.partitionId)) await loadSegment(ctx, rec, seg);
  // An index created while this ran was built from the old file: build it from the new one.
  void buildMissingIndexes(ctx, rec);
  const old = [before.dataKey, ...Object.values(before.indexKeys)].filter((k) => k !== seg.dataKey && !Object.values(seg.indexKeys).includes(k));
  await removeFiles(ctx, old);
  return true;
}

/** Applies `change` to the record if `still()` holds under the metadata lock (a drop takes it too). */
async function save(ctx: CoordinatorContext, seg: SegmentRecord, change: Partial<SegmentRecord>, still: () => boolean): Promise<boolean> {
  return ctx.lock(async () => {
    if (!still()) return false;
    Object.assign(seg, change);
    await putRecord(ctx.opts.meta, Keys.segment(seg.collectionId, seg.segmentId), seg);
    return true;
  });
}
