import { NuthatchError } from '../../../messages/errors.js';
import type { RestoreSnapshotJobView } from '../../../messages/rpc/snapshot.js';
import { checkName } from '../../../messages/schema.js';
import { newMessage } from '../../../messages/types.js';
import { encodeMessage } from '../../../messages/codec.js';
import { pchannelOf, type CollectionRef } from '../core/catalog.js';
import { collectionAt, namespaceOf, checkRoomForCollection } from '../core/databases.js';
import {
  holdsCompaction, idsToRestore, newSnapshotRestoreJob, nextSnapshotRestoreStep, restoredCollection, restoredDeletes, restoredSegments, restoreFailedWith, restorePercent, stepDone,
  type SnapshotRestoreJob,
} from '../core/snapshotRestore.js';
import { snapshotNamed } from './collectionSnapshotsShell.js';
import type { CoordinatorContext } from './context.js';
import { finishCreate, save } from './ddl.js';
import { loadCollection } from './loadRelease.js';
import { attemptStep } from './jobStep.js';
import { Keys, listRecords, putRecord } from './metaCodec.js';
import { buildMissingIndexes } from './segmentFlow.js';

/** Deletes per RestoreDeletes message (a page of a shard's log fits one bus message well below its limit). */
const DELETES_PER_MESSAGE = 10_000;

/**
 * Runs snapshot restore jobs (core/snapshotRestore.ts) one after another, each
 * step recorded in the meta store when done, so a coordinator that takes over
 * resumes a job at its next step.
 */
export class SnapshotRestores {
  private readonly jobs = new Map<number, SnapshotRestoreJob>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: CoordinatorContext) {}

  async resume(): Promise<void> {
    const jobs = (await listRecords<SnapshotRestoreJob>(this.ctx.opts.meta, Keys.snapshotRestores)).sort((a, b) => a.jobId - b.jobId);
    for (const j of jobs) this.jobs.set(j.jobId, j);
    for (const j of jobs) if (nextSnapshotRestoreStep(j) !== 'none') this.enqueue(j.jobId);
  }

  /** Whether a restore making this collection has not written its segment records yet (core/snapshotRestore.ts holdsCompaction). */
  holdsCompaction(collectionId: number): boolean {
    return [...this.jobs.values()].some((j) => j.collectionId === collectionId && holdsCompaction(j));
  }

  /** Whether a restore of the snapshot is under way (it may not be dropped then). */
  restoring(snapshotName: string): boolean {
    return [...this.jobs.values()].some((j) => j.snapshotName === snapshotName && nextSnapshotRestoreStep(j) !== 'none');
  }

  async create(snapshotName: string, ref: CollectionRef): Promise<{ jobId: number }> {
    const snap = snapshotNamed(this.ctx, snapshotName);
    checkName('collection', ref.name);
    namespaceOf(this.ctx.catalog, ref.db);
    return this.ctx.lock(async () => {
      if (this.exists(ref) || this.pending(ref)) throw new NuthatchError('CollectionExists', `collection '${ref.name}' exists in database '${ref.db}': restore under another name`, { collection: ref.name });
      checkRoomForCollection(this.ctx.catalog, ref.db);
      const jobId = await this.ctx.allocIds(1);
      const job = newSnapshotRestoreJob(jobId, snap, ref.db, ref.name, await this.ctx.allocIds(idsToRestore(snap)), this.ctx.now());
      await this.save(job);
      this.enqueue(job.jobId);
      return { jobId: job.jobId };
    });
  }

  state(jobId: number): RestoreSnapshotJobView {
    const job = this.jobs.get(jobId);
    if (!job) throw new NuthatchError('NotFound', `snapshot restore job ${jobId} does not exist`, { jobId });
    return viewOf(job);
  }

  list(snapshotName?: string): { jobs: RestoreSnapshotJobView[] } {
    return { jobs: [...this.jobs.values()].filter((j) => snapshotName === undefined || j.snapshotName === snapshotName).map(viewOf) };
  }

  private exists(ref: CollectionRef): boolean {
    try { collectionAt(this.ctx.catalog, ref); return true; } catch { return false; }
  }

  /** Another restore (of a snapshot) is about to make that collection. */
  private pending(ref: CollectionRef): boolean {
    return [...this.jobs.values()].some((j) => j.dbName === ref.db && j.collectionName === ref.name && !j.created && nextSnapshotRestoreStep(j) !== 'none');
  }

  private enqueue(jobId: number): void {
    this.queue = this.queue.then(() => this.run(jobId)).catch((e) => this.ctx.log(`snapshot restore job ${jobId} stopped:`, (e as Error).message));
  }

  private async run(jobId: number): Promise<void> {
    for (;;) {
      if (this.ctx.stopped) return;
      const job = this.jobs.get(jobId)!;
      const step = nextSnapshotRestoreStep(job);
      if (step === 'none') return;
      try {
        const snap = snapshotNamed(this.ctx, job.snapshotName);
        if (step === 'create') await this.createCollection(job);
        else if (step === 'deletes') await this.writeDeletes(job, snap);
        else if (step === 'segments') await this.recordSegments(job, snap);
        else await attemptStep(this.ctx, () => loadCollection(this.ctx, { db: job.dbName, name: job.collectionName }));
        await this.save(stepDone(job, step, this.ctx.now()));
      } catch (e) {
        if (this.ctx.stopped) return;
        await this.save(restoreFailedWith(job, (e as Error).message, this.ctx.now()));
        return;
      }
    }
  }

  /** The collection record (unless an earlier run made it: same id), then its WAL messages. */
  private async createCollection(job: SnapshotRestoreJob): Promise<void> {
    const ref = { db: job.dbName, name: job.collectionName };
    const snap = snapshotNamed(this.ctx, job.snapshotName);
    const rec = await this.ctx.lock(async () => {
      const there = this.exists(ref) ? collectionAt(this.ctx.catalog, ref) : undefined;
      if (there && there.collectionId === job.collectionId) return there;
      if (there) throw new NuthatchError('CollectionExists', `collection '${ref.name}' was made in database '${ref.db}' meanwhile`, { collection: ref.name });
      const r = restoredCollection(snap, job, this.ctx.opts.pchannels, await this.ctx.tso(1));
      await save(this.ctx, r);
      return r;
    });
    if (rec.state === 'creating') await finishCreate(this.ctx, rec);
  }

  /** Each shard's deletes, appended at most once per message (by its append id). */
  private async writeDeletes(job: SnapshotRestoreJob, snap: ReturnType<typeof snapshotNamed>): Promise<void> {
    const rec = collectionAt(this.ctx.catalog, { db: job.dbName, name: job.collectionName });
    const logs = restoredDeletes(snap, rec);
    for (const [i, vchannel] of rec.vchannels.entries()) {
      const log = logs[i] ?? [];
      for (let from = 0; from < log.length; from += DELETES_PER_MESSAGE) {
        const m = newMessage('RestoreDeletes', vchannel, { collectionId: rec.collectionId, entries: log.slice(from, from + DELETES_PER_MESSAGE) });
        m.header.appendId = `snapshot-restore-${job.jobId}-${i}-${from}`;
        await attemptStep(this.ctx, () => this.ctx.streaming(pchannelOf(vchannel))('append', { message: encodeMessage(m) }));
      }
    }
  }

  /** The segment records, all at once: a load then serves the snapshot's files. */
  private async recordSegments(job: SnapshotRestoreJob, snap: ReturnType<typeof snapshotNamed>): Promise<void> {
    const rec = await this.ctx.lock(async () => {
      const r = collectionAt(this.ctx.catalog, { db: job.dbName, name: job.collectionName });
      for (const seg of restoredSegments(snap, r)) {
        await putRecord(this.ctx.opts.meta, Keys.segment(seg.collectionId, seg.segmentId), seg);
        this.ctx.segments.set(seg.segmentId, seg);
      }
      return r;
    });
    // A segment sealed by the snapshot's own flush may have had no index built yet: built now, beside its data file.
    void buildMissingIndexes(this.ctx, rec);
  }

  private async save(job: SnapshotRestoreJob): Promise<void> {
    this.jobs.set(job.jobId, job);
    await putRecord(this.ctx.opts.meta, Keys.snapshotRestore(job.jobId), job);
  }
}

function viewOf(j: SnapshotRestoreJob): RestoreSnapshotJobView {
  return {
    jobId: j.jobId, snapshotName: j.snapshotName, collectionName: j.collectionName, dbName: j.dbName, state: j.state, progress: restorePercent(j),
    startTime: new Date(j.createdMs).toISOString(),
    ...(j.reason === undefined ? {} : { reason: j.reason }), ...(j.completedMs === undefined ? {} : { completeTime: new Date(j.completedMs).toISOString() }),
  };
}
