import { NuthatchError, ValidationError } from '../../../messages/errors.js';
import type { DeleteEntry } from '../../../messages/rpc/records.js';
import type { SnapshotView } from '../../../messages/rpc/snapshot.js';
import { dbOf } from '../../../messages/database.js';
import { pchannelOf, type CollectionRef } from '../core/catalog.js';
import { checkSnapshotName, referencedKeys, snapshotKeys, takeSnapshot, viewOf, type CollectionSnapshot } from '../core/collectionSnapshots.js';
import { collectionAt } from '../core/databases.js';
import type { CoordinatorContext } from './context.js';
import { flush } from './ddl.js';
import { getRecord, Keys, listRecords, putRecord } from './metaCodec.js';
import { removeFiles, supersededIds } from './segmentFlow.js';

/** Longest description kept (Milvus keeps a description as a collection's, short text). */
const MAX_DESCRIPTION = 1024;

/**
 * Collection snapshots kept by the coordinator (core/collectionSnapshots.ts):
 * each is one record in the meta store, and held in memory where file removal
 * (segmentFlow.ts removeFiles), purges and the orphan sweep look for pins.
 */
export async function loadCollectionSnapshots(ctx: CoordinatorContext): Promise<void> {
  for (const stored of await listRecords<StoredSnapshot>(ctx.opts.meta, Keys.collectionSnapshots)) {
    const { deleteRecords, ...rest } = stored;
    const deletes: DeleteEntry[][] = [];
    for (const [shard, n] of deleteRecords.entries()) {
      const log: DeleteEntry[] = [];
      for (let i = 0; i < n; i++) log.push(...(await getRecord<DeleteEntry[]>(ctx.opts.meta, Keys.snapshotDeletes(rest.name, shard, i)) ?? []));
      deletes.push(log);
    }
    ctx.collectionSnapshots.set(rest.name, { ...rest, deletes });
  }
}

/** Deletes per meta record (a record stays far below etcd's 1.5 MiB request limit). */
const DELETES_PER_RECORD = 10_000;

/** A snapshot as its record holds it: its deletes in records of their own, `deleteRecords[shard]` of them. */
type StoredSnapshot = Omit<CollectionSnapshot, 'deletes'> & { deleteRecords: number[] };

/** Its deletes first, then its record: a record found at start always has its deletes. */
async function saveSnapshot(ctx: CoordinatorContext, s: CollectionSnapshot): Promise<void> {
  const deleteRecords: number[] = [];
  for (const [shard, log] of s.deletes.entries()) {
    let n = 0;
    for (let from = 0; from < log.length; from += DELETES_PER_RECORD) await putRecord(ctx.opts.meta, Keys.snapshotDeletes(s.name, shard, n++), log.slice(from, from + DELETES_PER_RECORD));
    deleteRecords.push(n);
  }
  const { deletes: _deletes, ...rest } = s;
  await putRecord(ctx.opts.meta, Keys.collectionSnapshot(s.name), { ...rest, deleteRecords } satisfies StoredSnapshot);
}

/**
 * Takes a snapshot. The collection is flushed first (a seal of its growing
 * segments, as flush() does), so every row written before the call is in a
 * sealed segment the snapshot names. Then, under the metadata lock (no
 * compaction switches, merges or trims meanwhile): a TSO, the segment records,
 * and each shard's delete log; the snapshot pins its files from that moment.
 */
export async function createSnapshot(ctx: CoordinatorContext, ref: CollectionRef, name: string, description = ''): Promise<SnapshotView> {
  const rec = collectionAt(ctx.catalog, ref);
  checkSnapshotName(name, new Set(ctx.collectionSnapshots.keys()));
  if (typeof description !== 'string' || description.length > MAX_DESCRIPTION) throw new ValidationError(`a snapshot's description is text of at most ${MAX_DESCRIPTION} characters`, { field: 'description' });
  await flush(ctx, ref);
  const snapshotId = await ctx.allocIds(1);
  const snap = await ctx.lock(async () => {
    checkSnapshotName(name, new Set(ctx.collectionSnapshots.keys()));
    const now = collectionAt(ctx.catalog, ref);
    if (now.collectionId !== rec.collectionId) throw new NuthatchError('CollectionNotFound', `collection '${ref.name}' was dropped while its snapshot was taken`, { collection: ref.name });
    const tso = await ctx.tso(1);
    const merged = supersededIds(ctx);
    const segments = [...ctx.segments.values()].filter((s) => s.collectionId === now.collectionId && !merged.has(s.segmentId));
    const logs = await Promise.all(now.vchannels.map((v) => deleteLog(ctx, v)));
    const s = takeSnapshot({ snapshotId, name, description, rec: now, segments, logs, tso, nowMs: ctx.now() });
    ctx.collectionSnapshots.set(name, s);
    try {
      await saveSnapshot(ctx, s);
    } catch (e) {
      ctx.collectionSnapshots.delete(name);
      throw e;
    }
    return s;
  });
  ctx.log(`snapshot '${name}' of ${rec.name}: ${snap.segments.length} segments, ${snapshotKeys(snap).length} files, at tso ${snap.tso}`);
  return viewOf(snap);
}

/** A shard's whole delete log, page by page, from its owner. */
async function deleteLog(ctx: CoordinatorContext, vchannel: string): Promise<DeleteEntry[]> {
  const out: DeleteEntry[] = [];
  for (let from = 0; ;) {
    const page = await ctx.streaming(pchannelOf(vchannel))('deletes', { vchannel, fromSeq: from });
    out.push(...page.entries);
    from = page.from + page.entries.length;
    if (from >= page.seq || page.entries.length === 0) return out;
  }
}

export function snapshotNamed(ctx: CoordinatorContext, name: string): CollectionSnapshot {
  const s = ctx.collectionSnapshots.get(name);
  if (!s) throw new NuthatchError('SnapshotNotFound', `snapshot '${name}' does not exist`, { snapshotName: name });
  return s;
}

export function describeSnapshot(ctx: CoordinatorContext, name: string): SnapshotView {
  return viewOf(snapshotNamed(ctx, name));
}

/** Every snapshot, or those of the collection `ref` names now (by its name in its database). */
export function listSnapshots(ctx: CoordinatorContext, db: string, collection?: string): { snapshots: SnapshotView[] } {
  const all = [...ctx.collectionSnapshots.values()].sort((a, b) => a.snapshotId - b.snapshotId);
  const mine = collection === undefined ? all : all.filter((s) => dbOf(s.collection) === db && s.collection.name === collection);
  return { snapshots: mine.map(viewOf) };
}

/**
 * Drops a snapshot: its record goes, then the files it named that nothing else
 * names now (a segment record, a restored collection's, another snapshot) are
 * removed; a file of a dropped collection still waiting for its purge goes with it.
 */
export async function dropSnapshot(ctx: CoordinatorContext, name: string, restoring: (name: string) => boolean): Promise<null> {
  const freed = await ctx.lock(async () => {
    const s = snapshotNamed(ctx, name);
    if (restoring(name)) throw new NuthatchError('FailedPrecondition', `snapshot '${name}' is being restored: drop it once the restore ends`, { snapshotName: name });
    await ctx.opts.meta.delete(Keys.collectionSnapshot(name));
    for (const e of await ctx.opts.meta.list(Keys.snapshotDeletesOf(name))) await ctx.opts.meta.delete(e.key);
    ctx.collectionSnapshots.delete(name);
    const still = referencedKeys(ctx.segments.values(), ctx.collectionSnapshots.values());
    return snapshotKeys(s).filter((k) => !still.has(k));
  });
  await removeFiles(ctx, freed);
  return null;
}
