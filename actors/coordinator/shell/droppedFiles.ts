import type { DataNodeProtocol } from '../../../messages/rpc/workers.js';
import { collectionFilesPrefix } from '../../shared/segment/segmentKeys.js';
import { referencedKeys } from '../core/collectionSnapshots.js';
import type { CoordinatorContext } from './context.js';
import { getRecord, Keys, listRecords, putRecord } from './metaCodec.js';

/**
 * Dropped collections' files. A drop records a purge in the metadata store
 * before the collection leaves the catalog, so no crash loses it; once the
 * purge is `dropToleranceMs` old (reads and index builds that started before
 * the drop have ended) a data node deletes the files and the record goes.
 * Milvus's garbage collector waits the same way (gc.dropTolerance).
 * Files a collection snapshot or another collection's records still name (a
 * restored collection names its snapshot's files) are kept, and the purge stays
 * pending until nothing names them; a restored collection's purge frees the
 * files its records named outside its own prefix the same way (`foreign`).
 */
export interface PendingPurge {
  collectionId: number;
  droppedAtMs: number;
  /** Files its records named outside its own prefix (a restored collection's snapshot files): freed with it unless named elsewhere. */
  foreign?: string[];
}

export const DEFAULT_DROP_TOLERANCE_MS = 10 * 60_000;

/** Purges run a tenth of the tolerance late at most (between 1 s and 1 min). */
export const purgeIntervalFor = (toleranceMs: number) => Math.min(60_000, Math.max(1000, toleranceMs / 10));

export async function recordPurge(ctx: CoordinatorContext, collectionId: number): Promise<void> {
  if (await getRecord<PendingPurge>(ctx.opts.meta, Keys.purge(collectionId))) return;
  const prefix = collectionFilesPrefix(collectionId);
  const foreign = [...new Set([...ctx.segments.values()].filter((s) => s.collectionId === collectionId).flatMap((s) => [s.dataKey, ...Object.values(s.indexKeys)]).filter((k) => !k.startsWith(prefix)))];
  await putRecord(ctx.opts.meta, Keys.purge(collectionId), { collectionId, droppedAtMs: ctx.now(), ...(foreign.length > 0 ? { foreign } : {}) } satisfies PendingPurge);
}

/** Runs the purges that are due, one at a time; a failed one stays for the next round. */
export async function runDuePurges(ctx: CoordinatorContext): Promise<void> {
  const tolerance = ctx.opts.dropToleranceMs ?? DEFAULT_DROP_TOLERANCE_MS;
  // On one live data node, handed to another if its session ends; deleting twice deletes nothing more.
  const dn = <K extends 'purgeCollection' | 'removeFiles'>(op: K, req: DataNodeProtocol[K]['req'], collectionId: number) => ctx.dataNodes.call(op, req, 120_000, ` of dropped collection ${collectionId}`);
  for (const p of await listRecords<PendingPurge>(ctx.opts.meta, Keys.purges)) {
    if (ctx.stopped || ctx.now() - p.droppedAtMs < tolerance) continue;
    try {
      // Files a snapshot or another collection (a restored one) still names stay; the purge stays pending for them.
      const pinned = referencedKeys(ctx.segments.values(), ctx.collectionSnapshots.values());
      const prefix = collectionFilesPrefix(p.collectionId);
      const keep = [...pinned].filter((k) => k.startsWith(prefix));
      const r = await dn('purgeCollection', { collectionId: p.collectionId, keep }, p.collectionId);
      const foreign = p.foreign ?? [];
      const free = foreign.filter((k) => !pinned.has(k));
      if (free.length > 0) await dn('removeFiles', { keys: free }, p.collectionId);
      const still = foreign.filter((k) => pinned.has(k));
      if (keep.length === 0 && still.length === 0) await ctx.opts.meta.delete(Keys.purge(p.collectionId));
      else await putRecord(ctx.opts.meta, Keys.purge(p.collectionId), { collectionId: p.collectionId, droppedAtMs: p.droppedAtMs, ...(still.length > 0 ? { foreign: still } : {}) } satisfies PendingPurge);
      // A purge waiting on pinned files runs every round: it says so only when it freed something.
      if (r.objects + free.length > 0) ctx.log(`dropped collection ${p.collectionId}: ${r.objects + free.length} files purged${keep.length + still.length > 0 ? `, ${keep.length + still.length} kept for snapshots and restored collections` : ''}`);
    } catch (e) {
      ctx.log(`purging dropped collection ${p.collectionId} failed (retried later):`, (e as Error).message);
    }
  }
}
