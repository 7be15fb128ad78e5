import { NuthatchError } from '../../../messages/errors.js';
import { attemptStep } from './jobStep.js';
import { DEFAULT_DB } from '../../../messages/database.js';
import type { BackupView } from '../../../messages/rpc/backup.js';
import type { DataNodeProtocol } from '../../../messages/rpc/workers.js';
import {
  backupFailed, backupMeta, backupProgress, backupRows, checkBackupName, described, holdsLoad, loadedForBackup, metaWritten, newBackupJob, nextBackupStep, pageExported,
  releasedAfterBackup, type BackupJob,
} from '../core/backupJobs.js';
import type { CollectionRef } from '../core/catalog.js';
import { collectionAt, collectionById } from '../core/databases.js';
import { HOLD_TTL } from '../core/snapshotHolds.js';
import type { CoordinatorContext } from './context.js';
import { Keys, listRecords, putRecord } from './metaCodec.js';
import { holdSnapshot, releaseSnapshot } from './snapshotHoldsShell.js';

/** Rows per page (one file of the backup). */
const PAGE_ROWS = 5000;

/** How long one step may take on its data node (a node that dies hands it on sooner: runtime/rpc/workerPool.ts). */
const STEP_TIMEOUT_MS = 10 * 60_000;

/**
 * Runs backup jobs (core/backupJobs.ts) one after another, each step an RPC
 * to a data node, the job recorded in the meta store after every step. The
 * job's snapshot hold is renewed before each step (so a hold outlives a
 * coordinator that stops for less than its time to live) and released at the end.
 */
export class BackupJobs {
  private readonly jobs = new Map<string, BackupJob>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: CoordinatorContext, private readonly restoring: (backupName: string) => boolean) {}

  async resume(): Promise<void> {
    const jobs = (await listRecords<BackupJob>(this.ctx.opts.meta, Keys.backups)).sort((a, b) => a.jobId - b.jobId);
    for (const j of jobs) this.jobs.set(j.backupName, j);
    for (const j of jobs) if (nextBackupStep(j).kind !== 'none') this.enqueue(j.backupName);
  }

  async create(ref: CollectionRef, name: unknown): Promise<{ backupName: string; tso: bigint }> {
    const backupName = checkBackupName(name);
    const rec = collectionAt(this.ctx.catalog, ref);
    if (this.jobs.has(backupName)) throw new NuthatchError('BackupExists', `backup '${backupName}' exists (drop it first)`, { backupName });
    const tso = await this.ctx.tso(1);
    const hold = await holdSnapshot(this.ctx, ref, tso, undefined, HOLD_TTL.maxMs);
    const job = newBackupJob({
      jobId: await this.ctx.allocIds(1), backupName, collectionId: rec.collectionId, collectionName: rec.name, dbName: rec.dbName ?? DEFAULT_DB, tso, holdId: hold.holdId, nowMs: this.ctx.now(), loaded: rec.loaded,
    });
    await this.save(job);
    this.enqueue(backupName);
    return { backupName, tso };
  }

  /** The job of a backup; NotFound when there is none. */
  job(name: string): BackupJob {
    const job = this.jobs.get(name);
    if (!job) throw new NuthatchError('BackupNotFound', `backup '${name}' does not exist`, { backupName: name });
    return job;
  }

  describe(name: string): BackupView { return viewOf(this.job(name)); }

  /** The backups of a database, or of one collection of it (by the name it had when backed up). */
  list(db: string, collection?: string): { backups: BackupView[] } {
    const jobs = [...this.jobs.values()].filter((j) => j.dbName === db && (collection === undefined || j.collectionName === collection));
    return { backups: jobs.sort((a, b) => a.jobId - b.jobId).map(viewOf) };
  }

  /** Deletes a backup's files, then its record; refused while it is being made or restored. */
  async drop(name: string): Promise<null> {
    const job = this.job(name);
    if (nextBackupStep(job).kind !== 'none') throw new NuthatchError('FailedPrecondition', `backup '${name}' is still being made`, { backupName: name });
    if (this.restoring(name)) throw new NuthatchError('FailedPrecondition', `backup '${name}' is being restored`, { backupName: name });
    await attemptStep(this.ctx, () => this.dn('dropBackupFiles', { backupName: name }, name));
    this.jobs.delete(name);
    await this.ctx.opts.meta.delete(Keys.backupJob(name));
    return null;
  }

  private enqueue(name: string): void {
    this.queue = this.queue.then(() => this.run(name)).catch((e) => this.ctx.log(`backup '${name}' stopped:`, (e as Error).message));
  }

  /**
   * One step on one live data node, handed to another if that node's session
   * ends. Each step is safe to run twice: a page is a query at the backup's
   * TSO written to a key fixed by the step, the meta file is the job's, a
   * describe and a load write nothing of their own, a drop deletes what is left.
   */
  private dn<K extends keyof DataNodeProtocol & string>(op: K, req: DataNodeProtocol[K]['req'], backupName: string): Promise<DataNodeProtocol[K]['res']> {
    return this.ctx.dataNodes.call(op, req, STEP_TIMEOUT_MS, ` of backup '${backupName}'`);
  }

  private async run(name: string): Promise<void> {
    const dn = <K extends keyof DataNodeProtocol & string>(op: K, req: DataNodeProtocol[K]['req']) => this.dn(op, req, name);
    for (;;) {
      if (this.ctx.stopped) return;
      const job = this.jobs.get(name);
      if (!job) return;
      const step = nextBackupStep(job);
      if (step.kind === 'none') { await releaseSnapshot(this.ctx, job.holdId); return; }
      const found = collectionById(this.ctx.catalog, job.collectionId);
      const rec = found && found.state !== 'dropping' ? found : undefined;
      if (!rec) { await this.end(backupFailed(job, `collection '${job.collectionName}' was dropped`, this.ctx.now())); return; }
      const at = { dbName: rec.dbName ?? DEFAULT_DB, collection: rec.name };
      try {
        await holdSnapshot(this.ctx, { db: at.dbName, name: rec.name }, job.tso, job.holdId, HOLD_TTL.maxMs);
        let next: BackupJob;
        if (step.kind === 'load') {
          await attemptStep(this.ctx, () => dn('loadRestored', at));
          next = loadedForBackup(job);
        } else if (step.kind === 'release') {
          await attemptStep(this.ctx, () => dn('releaseCollection', at));
          next = releasedAfterBackup(job, this.ctx.now());
        } else if (step.kind === 'describe') {
          const d = await attemptStep(this.ctx, () => dn('describeForBackup', { ...at, backupName: job.backupName }));
          next = described(job, d.collection, d.partitions, d.rows);
        } else if (step.kind === 'export') {
          const partitionName = job.partitions[step.partition]!.name;
          const r = await attemptStep(this.ctx, () => dn('exportBackupRows', { ...at, partitionName, tso: job.tso, after: step.after ?? null, maxRows: PAGE_ROWS, key: step.key }));
          next = pageExported(job, step.partition, r.rows, r.last, PAGE_ROWS);
        } else {
          await attemptStep(this.ctx, () => dn('writeBackupMeta', { meta: backupMeta(job) }));
          next = metaWritten(job, this.ctx.now());
        }
        await this.save(next);
      } catch (e) {
        if (this.ctx.stopped) return;
        await this.end(backupFailed(job, (e as Error).message, this.ctx.now()));
        return;
      }
    }
  }

  private async end(job: BackupJob): Promise<void> {
    await this.save(job);
    await releaseSnapshot(this.ctx, job.holdId);
    if (!holdsLoad(job)) return;
    // A failed job leaves the collection as it found it: not loaded (best effort; the failure is recorded already).
    const rec = collectionById(this.ctx.catalog, job.collectionId);
    if (!rec || rec.state === 'dropping') return;
    try {
      await this.dn('releaseCollection', { dbName: rec.dbName ?? DEFAULT_DB, collection: rec.name }, job.backupName);
      await this.save({ ...job, released: true });
    } catch (e) {
      this.ctx.log(`backup '${job.backupName}' failed and could not release '${rec.name}':`, (e as Error).message);
    }
  }


  private async save(job: BackupJob): Promise<void> {
    this.jobs.set(job.backupName, job);
    await putRecord(this.ctx.opts.meta, Keys.backupJob(job.backupName), job);
  }
}

function viewOf(job: BackupJob): BackupView {
  return {
    backupName: job.backupName, collectionName: job.collectionName, dbName: job.dbName, tso: job.tso,
    createTime: new Date(job.createdMs).toISOString(), ...(job.completedMs === undefined ? {} : { completeTime: new Date(job.completedMs).toISOString() }),
    rows: backupRows(job), state: job.state, progress: backupProgress(job), ...(job.reason === undefined ? {} : { reason: job.reason }),
    partitions: job.partitions.map((p) => ({ partitionName: p.name, rows: p.rows, files: p.files })),
  };
}
