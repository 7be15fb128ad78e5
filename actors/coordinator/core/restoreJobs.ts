import type { RestoredAutoId, RestoreState } from '../../../messages/rpc/backup.js';

/**
 * Restore jobs, pure: a backup made into a collection again. Three stages,
 * each recorded when done so a coordinator that takes over goes on from the
 * next: create the collection (schema, partitions, indexes, properties) from
 * meta.json; import each partition's files into its partition (a bulk
 * import job, core/importJobs.ts); load it if the original was loaded.
 *
 * An autoID collection is made autoID again, with allow_insert_auto_id set
 * while its rows are imported with their keys; the coordinator's id
 * allocator is moved past the largest of them before the import, so a key
 * generated later never repeats one; the property is dropped after (unless
 * the original had it).
 */
export interface RestoreFile { key: string; partitionName?: string }

export interface RestoreJob {
  jobId: number;
  backupName: string;
  /** The collection made, and its database. */
  collectionName: string;
  dbName: string;
  createdMs: number;
  /** Rows in the backup. */
  totalRows: number;
  /** Set once the collection exists: its files to import and whether to load it. */
  created?: { files: RestoreFile[]; load: boolean; autoId?: RestoredAutoId };
  /** The import job of the files, once made. */
  importJobId?: number;
  imported: boolean;
  /** allow_insert_auto_id dropped again (autoId.close). */
  autoIdClosed?: boolean;
  loaded: boolean;
  state: RestoreState;
  reason?: string;
  completedMs?: number;
}

export function newRestoreJob(jobId: number, backupName: string, dbName: string, collectionName: string, totalRows: number, nowMs: number): RestoreJob {
  return { jobId, backupName, collectionName, dbName, createdMs: nowMs, totalRows, imported: false, loaded: false, state: 'Pending' };
}

export type RestoreStep =
  | { kind: 'create' }
  | { kind: 'startImport'; files: RestoreFile[] }
  | { kind: 'awaitImport'; importJobId: number }
  | { kind: 'closeAutoId' }
  | { kind: 'load' }
  | { kind: 'none' };

export function nextRestoreStep(job: RestoreJob): RestoreStep {
  if (job.state === 'Completed' || job.state === 'Failed') return { kind: 'none' };
  if (job.created === undefined) return { kind: 'create' };
  if (!job.imported) return job.importJobId === undefined ? { kind: 'startImport', files: job.created.files } : { kind: 'awaitImport', importJobId: job.importJobId };
  if (job.created.autoId?.close && !job.autoIdClosed) return { kind: 'closeAutoId' };
  if (job.created.load && !job.loaded) return { kind: 'load' };
  return { kind: 'none' };
}

export function collectionCreated(job: RestoreJob, files: RestoreFile[], load: boolean, autoId?: RestoredAutoId): RestoreJob {
  return { ...job, created: { files, load, ...(autoId ? { autoId } : {}) }, state: 'Importing' };
}

/** A job whose steps are all done is Completed. */
function settled(job: RestoreJob, nowMs: number): RestoreJob {
  return nextRestoreStep(job).kind === 'none' ? { ...job, state: 'Completed', completedMs: nowMs } : job;
}

export function importStarted(job: RestoreJob, importJobId: number): RestoreJob {
  return { ...job, importJobId };
}

/** The job once its files are imported: Loading next (closing allow_insert_auto_id on the way), or Completed. */
export function importDone(job: RestoreJob, nowMs: number): RestoreJob {
  return settled({ ...job, imported: true, state: job.created?.load ? 'Loading' : 'Importing' }, nowMs);
}

export function autoIdClosed(job: RestoreJob, nowMs: number): RestoreJob {
  return settled({ ...job, autoIdClosed: true }, nowMs);
}

export function restoreLoaded(job: RestoreJob, nowMs: number): RestoreJob {
  return { ...job, loaded: true, state: 'Completed', completedMs: nowMs };
}

export function restoreFailed(job: RestoreJob, reason: string, nowMs: number): RestoreJob {
  return { ...job, state: 'Failed', reason, completedMs: nowMs };
}

/** A percentage: creating 5, importing to 95 (by the import's own progress), loading the rest. */
export function restoreProgress(job: RestoreJob, importPercent: number): number {
  if (job.state === 'Completed') return 100;
  if (job.created === undefined) return 0;
  if (!job.imported) return 5 + Math.floor((90 * Math.min(100, Math.max(0, importPercent))) / 100);
  return 95;
}
