import { NuthatchError } from '../../../messages/errors.js';
import { attemptStep } from './jobStep.js';
import type { RestoreJobView } from '../../../messages/rpc/backup.js';
import { checkName } from '../../../messages/schema.js';
import type { DataNodeProtocol } from '../../../messages/rpc/workers.js';
import { backupRows } from '../core/backupJobs.js';
import type { CollectionRef } from '../core/catalog.js';
import { collectionAt, namespaceOf } from '../core/databases.js';
import {
  autoIdClosed, collectionCreated, importDone, importStarted, newRestoreJob, nextRestoreStep, restoreFailed, restoreLoaded, restoreProgress, type RestoreJob,
} from '../core/restoreJobs.js';
import type { BackupJobs } from './backupJobsShell.js';
import type { CoordinatorContext } from './context.js';
import { alterCollection } from './ddl.js';
import type { ImportJobs } from './importJobsShell.js';
import { Keys, listRecords, putRecord } from './metaCodec.js';

/** How often a restore looks at its import job. */
const POLL_MS = 200;

/**
 * Runs restore jobs (core/restoreJobs.ts) one after another: the collection
 * made by a data node from the backup's meta.json, its files imported by an
 * import job (importJobsShell.ts) with each file's partition, then loaded.
 */
export class RestoreJobs {
  private readonly jobs = new Map<number, RestoreJob>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: CoordinatorContext, private readonly imports: ImportJobs, private readonly backups: () => BackupJobs) {}

  async resume(): Promise<void> {
    const jobs = (await listRecords<RestoreJob>(this.ctx.opts.meta, Keys.restores)).sort((a, b) => a.jobId - b.jobId);
    for (const j of jobs) this.jobs.set(j.jobId, j);
    for (const j of jobs) if (nextRestoreStep(j).kind !== 'none') this.enqueue(j.jobId);
  }

  /** Whether a restore of the backup is under way (it may not be dropped then). */
  restoring(backupName: string): boolean {
    return [...this.jobs.values()].some((j) => j.backupName === backupName && nextRestoreStep(j).kind !== 'none');
  }

  async create(backupName: string, ref: CollectionRef): Promise<{ jobId: number }> {
    const backup = this.backups().job(backupName);
    if (backup.state !== 'Completed') throw new NuthatchError('FailedPrecondition', `backup '${backupName}' is ${backup.state}, not Completed: it cannot be restored`, { backupName });
    checkName('collection', ref.name);
    namespaceOf(this.ctx.catalog, ref.db);
    if (this.exists(ref) || this.pending(ref)) throw new NuthatchError('CollectionExists', `collection '${ref.name}' exists in database '${ref.db}': restore under another name`, { collection: ref.name });
    const job = newRestoreJob(await this.ctx.allocIds(1), backupName, ref.db, ref.name, backupRows(backup), this.ctx.now());
    await this.save(job);
    this.enqueue(job.jobId);
    return { jobId: job.jobId };
  }

  progress(jobId: number): RestoreJobView {
    const job = this.jobs.get(jobId);
    if (!job) throw new NuthatchError('NotFound', `restore job ${jobId} does not exist`, { jobId });
    return this.viewOf(job);
  }

  list(backupName?: string): { jobs: RestoreJobView[] } {
    return { jobs: [...this.jobs.values()].filter((j) => backupName === undefined || j.backupName === backupName).map((j) => this.viewOf(j)) };
  }

  private exists(ref: CollectionRef): boolean {
    try { collectionAt(this.ctx.catalog, ref); return true; } catch { return false; }
  }

  /** Another restore is making that collection. */
  private pending(ref: CollectionRef): boolean {
    return [...this.jobs.values()].some((j) => j.dbName === ref.db && j.collectionName === ref.name && j.created === undefined && nextRestoreStep(j).kind !== 'none');
  }

  private enqueue(jobId: number): void {
    this.queue = this.queue.then(() => this.run(jobId)).catch((e) => this.ctx.log(`restore job ${jobId} stopped:`, (e as Error).message));
  }

  private async run(jobId: number): Promise<void> {
    // On one live data node, handed to another if its session ends. Both steps are safe twice: the create makes only the
    // collection, partitions and indexes not made yet; a load of a loaded collection is a no-op.
    const dn = <K extends 'createFromBackup' | 'loadRestored'>(op: K, req: DataNodeProtocol[K]['req']) => this.ctx.dataNodes.call(op, req, 10 * 60_000, ` of restore job ${jobId}`);
    for (;;) {
      if (this.ctx.stopped) return;
      const job = this.jobs.get(jobId)!;
      const step = nextRestoreStep(job);
      if (step.kind === 'none') return;
      const at = { dbName: job.dbName, collection: job.collectionName };
      try {
        let next: RestoreJob;
        if (step.kind === 'create') {
          const made = await attemptStep(this.ctx, () => dn('createFromBackup', { ...at, backupName: job.backupName }));
          // Before any row is imported, so no key generated meanwhile is one the backup holds.
          if (made.autoId) await this.ctx.reserveIdsThrough(made.autoId.through);
          next = collectionCreated(job, made.files, made.load, made.autoId);
          if (made.files.length === 0) next = importDone(next, this.ctx.now());
        } else if (step.kind === 'startImport') {
          next = importStarted(job, (await this.imports.createWithPartitions({ db: job.dbName, name: job.collectionName }, step.files)).jobId);
        } else if (step.kind === 'awaitImport') {
          const p = this.imports.progress(step.importJobId);
          if (p.state === 'Failed') throw new NuthatchError('Internal', `import job ${step.importJobId} failed: ${p.reason ?? ''}`);
          if (p.state !== 'Completed') { await new Promise((resolve) => setTimeout(resolve, POLL_MS)); continue; }
          next = importDone(job, this.ctx.now());
        } else if (step.kind === 'closeAutoId') {
          await alterCollection(this.ctx, { db: job.dbName, name: job.collectionName }, {}, ['allowInsertAutoId']);
          next = autoIdClosed(job, this.ctx.now());
        } else {
          await attemptStep(this.ctx, () => dn('loadRestored', at));
          next = restoreLoaded(job, this.ctx.now());
        }
        await this.save(next);
      } catch (e) {
        if (this.ctx.stopped) return;
        await this.save(restoreFailed(job, (e as Error).message, this.ctx.now()));
        return;
      }
    }
  }


  private async save(job: RestoreJob): Promise<void> {
    this.jobs.set(job.jobId, job);
    await putRecord(this.ctx.opts.meta, Keys.restoreJob(job.jobId), job);
  }

  private viewOf(job: RestoreJob): RestoreJobView {
    const imp = job.importJobId === undefined ? undefined : this.importView(job.importJobId);
    return {
      jobId: job.jobId, backupName: job.backupName, collectionName: job.collectionName, dbName: job.dbName, state: job.state,
      progress: restoreProgress(job, imp?.progress ?? 0), importedRows: job.imported ? job.totalRows : imp?.importedRows ?? 0, totalRows: job.totalRows,
      ...(job.reason === undefined ? {} : { reason: job.reason }), ...(job.completedMs === undefined ? {} : { completeTime: new Date(job.completedMs).toISOString() }),
    };
  }

  private importView(id: number) {
    try { return this.imports.progress(id); } catch { return undefined; }
  }
}
