import { NuthatchError } from '../../../messages/errors.js';
import { attemptStep } from './jobStep.js';
import type { ImportJobView } from '../../../messages/rpc/coordinator.js';
import type { DataNodeProtocol } from '../../../messages/rpc/workers.js';
import {
  batchWritten, fileChecked, importFailed, importKeys, importProgress, newImportJob, nextStep, type ImportJob,
} from '../core/importJobs.js';
import type { CollectionRef } from '../core/catalog.js';
import { collectionAt, collectionById } from '../core/databases.js';
import { DEFAULT_DB } from '../../../messages/database.js';
import type { CoordinatorContext } from './context.js';
import { Keys, listRecords, putRecord } from './metaCodec.js';

/** Rows per batch a data node writes (each batch is a few WAL messages per shard). */
const BATCH_ROWS = 2000;
/** The newest jobs kept on record. */
const KEEP = 1000;
/** How long a step may take before it is sent again: a batch of rows, and a file's check. */
const WRITE_TIMEOUT_MS = 60_000;
const CHECK_TIMEOUT_MS = 5 * 60_000;

/**
 * Runs bulk import jobs (core/importJobs.ts) one after another, each step an
 * RPC to a data node (any of them: each reads the file afresh), the job
 * recorded in the meta store after every step. A coordinator that takes over
 * resumes the jobs left unfinished from the step they were at.
 */
export class ImportJobs {
  private readonly jobs = new Map<number, ImportJob>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: CoordinatorContext) {}

  async resume(): Promise<void> {
    const jobs = (await listRecords<ImportJob>(this.ctx.opts.meta, Keys.imports)).sort((a, b) => a.jobId - b.jobId);
    for (const j of jobs) this.jobs.set(j.jobId, j);
    for (const j of jobs) if (nextStep(j).kind !== 'none') this.enqueue(j.jobId);
  }

  async create(ref: CollectionRef, files: unknown, partitionName?: string): Promise<{ jobId: number }> {
    const rec = collectionAt(this.ctx.catalog, ref);
    const keys = importKeys(files);
    if (partitionName !== undefined && !rec.partitions.some((p) => p.name === partitionName)) throw new NuthatchError('PartitionNotFound', `partition '${partitionName}' does not exist in '${rec.name}'`, { partition: partitionName });
    return this.start(ref, newImportJob(await this.ctx.allocIds(1), rec.collectionId, rec.name, keys, this.ctx.now(), partitionName));
  }

  /** An import of files each into its own partition (a restore's: backupJobsShell.ts). */
  async createWithPartitions(ref: CollectionRef, files: Array<{ key: string; partitionName?: string }>): Promise<{ jobId: number }> {
    const rec = collectionAt(this.ctx.catalog, ref);
    importKeys(files.map((f) => f.key));
    return this.start(ref, newImportJob(await this.ctx.allocIds(1), rec.collectionId, rec.name, files, this.ctx.now()));
  }

  private async start(ref: CollectionRef, job: ImportJob): Promise<{ jobId: number }> {
    job.dbName = ref.db;
    await this.save(job);
    for (const id of [...this.jobs.keys()].slice(0, Math.max(0, this.jobs.size - KEEP))) {
      this.jobs.delete(id);
      await this.ctx.opts.meta.delete(Keys.importJob(id));
    }
    this.enqueue(job.jobId);
    return { jobId: job.jobId };
  }

  progress(jobId: number): ImportJobView {
    const job = this.jobs.get(jobId);
    if (!job) throw new NuthatchError('NotFound', `import job ${jobId} does not exist`, { jobId });
    return viewOf(job);
  }

  /** The jobs of a database, or of one collection of it. */
  list(db: string, collection?: string): { jobs: ImportJobView[] } {
    let jobs = [...this.jobs.values()].filter((j) => (j.dbName ?? DEFAULT_DB) === db);
    if (collection !== undefined) {
      const id = collectionAt(this.ctx.catalog, { db, name: collection }).collectionId;
      jobs = jobs.filter((j) => j.collectionId === id);
    }
    return { jobs: jobs.map(viewOf) };
  }

  private enqueue(jobId: number): void {
    this.queue = this.queue.then(() => this.run(jobId)).catch((e) => this.ctx.log(`import job ${jobId} stopped:`, (e as Error).message));
  }

  private async run(jobId: number): Promise<void> {
    // A step runs on one live data node; when that node's session ends it is sent to another at once (runtime/rpc/workerPool.ts),
    // and one that times out is sent again: a batch takes seconds, a check reads and parses a whole file. Safe twice: a check
    // writes nothing, and a batch's appends carry ids made of the job, file and first row, which the WAL takes once.
    const dn = <K extends 'checkImportFile' | 'importRows'>(op: K, req: DataNodeProtocol[K]['req'], timeoutMs = WRITE_TIMEOUT_MS) => this.ctx.dataNodes.call(op, req, timeoutMs, ` of import job ${jobId}`);
    for (;;) {
      if (this.ctx.stopped) return;
      const job = this.jobs.get(jobId)!;
      const step = nextStep(job);
      if (step.kind === 'none') return;
      // The collection by id: one dropped (or dropped and made again under its name) ends the job.
      const found = collectionById(this.ctx.catalog, job.collectionId);
      const rec = found && found.state !== 'dropping' ? found : undefined;
      if (!rec) { await this.save(importFailed(job, `collection '${job.collectionName}' was dropped`, this.ctx.now())); return; }
      const file = job.files[step.file]!;
      try {
        const next = step.kind === 'check'
          ? await attemptStep(this.ctx, () => dn('checkImportFile', { dbName: rec.dbName ?? DEFAULT_DB, collection: rec.name, key: file.key }, CHECK_TIMEOUT_MS)).then((r) => fileChecked(job, step.file, r.rows, r.bytes, this.ctx.now()))
          : await attemptStep(this.ctx, () => dn('importRows', {
            jobId, dbName: rec.dbName ?? DEFAULT_DB, collection: rec.name, key: file.key, fromRow: step.fromRow, maxRows: BATCH_ROWS, ...((file.partitionName ?? job.partitionName) === undefined ? {} : { partitionName: file.partitionName ?? job.partitionName }),
          })).then((r) => batchWritten(job, step.file, r.rows, this.ctx.now()));
        await this.save(next);
      } catch (e) {
        if (this.ctx.stopped) return;
        await this.save(importFailed(job, `${file.key}: ${(e as Error).message}`, this.ctx.now()));
        return;
      }
    }
  }


  private async save(job: ImportJob): Promise<void> {
    this.jobs.set(job.jobId, job);
    await putRecord(this.ctx.opts.meta, Keys.importJob(job.jobId), job);
  }
}

function viewOf(job: ImportJob): ImportJobView {
  const { importedRows, totalRows, progress } = importProgress(job);
  return {
    jobId: job.jobId, collectionName: job.collectionName, state: job.state, progress, importedRows, totalRows,
    fileSize: job.files.reduce((n, f) => n + (f.bytes ?? 0), 0),
    ...(job.reason === undefined ? {} : { reason: job.reason }),
    ...(job.completedMs === undefined ? {} : { completeTime: new Date(job.completedMs).toISOString() }),
    details: job.files.map((f) => {
      const rows = f.rows ?? 0, done = f.rows !== undefined && f.imported >= f.rows;
      return {
        fileName: f.key, fileSize: f.bytes ?? 0, importedRows: f.imported, totalRows: rows,
        state: job.state === 'Failed' && !done ? 'Failed' : done ? 'Completed' : f.rows === undefined ? 'Pending' : 'Importing',
        progress: done ? 100 : rows > 0 ? Math.floor((100 * f.imported) / rows) : 0,
      };
    }),
  };
}
