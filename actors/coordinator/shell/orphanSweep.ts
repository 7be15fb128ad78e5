import { allCollections } from '../core/databases.js';
import type { DataNodeProtocol } from '../../../messages/rpc/workers.js';
import { isOrphanCandidate, referencesOf, sweepPage, type OrphanMarks, type OrphanPolicy } from '../core/orphanFiles.js';
import { snapshotKeys } from '../core/collectionSnapshots.js';
import type { CoordinatorContext } from './context.js';
import type { PendingPurge } from './droppedFiles.js';
import { getRecord, Keys, listRecords, putRecord } from './metaCodec.js';

/** Keys per listing page. */
const PAGE = 5_000;
/** Most marks kept (they live in one metadata record); the rest are marked once these are gone. */
const MAX_MARKS = 10_000;

/**
 * One garbage collection sweep of segment files (core/orphanFiles.ts): a data
 * node lists segments/ page by page; candidates are marked in the metadata
 * store, so the tolerance runs across coordinator restarts; due ones are
 * removed, after checking again under the metadata lock that no record named
 * them meanwhile. A sweep that fails part way keeps the old marks.
 */
export async function sweepOrphans(ctx: CoordinatorContext, policy: OrphanPolicy): Promise<{ removed: number; marked: number }> {
  const { meta } = ctx.opts;
  // A page's request moves to another data node if the one holding it dies (workerPool.ts): the sweep runs under the maintenance lock.
  const dn = <K extends 'listSegmentFiles' | 'removeFiles'>(op: K, req: DataNodeProtocol[K]['req']) => ctx.dataNodes.call(op, req, 120_000);
  const marks = (await getRecord<{ marks: OrphanMarks }>(meta, Keys.orphanMarks))?.marks ?? {};
  const next: OrphanMarks = {};
  let removed = 0, kept = 0;
  for (let after: string | null = null; !ctx.stopped;) {
    const { keys }: { keys: string[] } = await dn('listSegmentFiles', { after, limit: PAGE });
    if (keys.length === 0) break;
    // Taken after the listing, so a file reported while it ran is named.
    const refs = await references(ctx);
    const page = sweepPage(keys, refs, marks, ctx.now(), policy.toleranceMs);
    for (const [k, since] of Object.entries(page.marks)) if (kept < MAX_MARKS) { next[k] = since; kept++; }
    if (page.remove.length > 0) removed += await ctx.lock(async () => {
      const now = await references(ctx);
      const due = page.remove.filter((k) => isOrphanCandidate(k, now));
      if (due.length > 0) await dn('removeFiles', { keys: due });
      return due.length;
    });
    if (keys.length < PAGE) break;
    after = keys.at(-1)!;
  }
  if (ctx.stopped) return { removed, marked: kept };
  await putRecord(meta, Keys.orphanMarks, { marks: next });
  if (removed > 0) ctx.log(`garbage collection: ${removed} orphaned segment files removed, ${kept} waiting out the tolerance`);
  return { removed, marked: kept };
}

async function references(ctx: CoordinatorContext) {
  const purging = (await listRecords<PendingPurge>(ctx.opts.meta, Keys.purges)).map((p) => p.collectionId);
  const refs = referencesOf(ctx.segments.values(), [...allCollections(ctx.catalog).map((r) => r.collectionId), ...purging]);
  // A snapshot's files are named while it exists, whatever became of their segment.
  for (const s of ctx.collectionSnapshots.values()) for (const k of snapshotKeys(s)) refs.named.add(k);
  return refs;
}
