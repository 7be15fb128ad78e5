import { ValidationError } from '../../../messages/errors.js';
import { backupPartKey, type BackupCollectionMeta, type BackupMeta, type BackupState } from '../../../messages/rpc/backup.js';
import type { PrimaryKey } from '../../../messages/schema.js';
import type { Tso } from '../../../messages/types.js';

/**
 * Backup jobs, pure: the record of a backup being made. A backup reads the
 * collection at one TSO (held, so compaction keeps what it reads), first its
 * description, then each partition a page of rows at a time in primary-key
 * order (each page one file, its key fixed by its number, so a page written
 * again after a restart overwrites itself), then writes meta.json. The record
 * holds the cursor of every partition, so a coordinator that takes over
 * resumes from the page it was at.
 *
 * A collection not loaded when the backup is asked for is loaded first (a
 * backup reads as a query does) and released when the backup ends; its
 * meta.json says it was not loaded, so a restore leaves it unloaded too.
 */
export interface BackupPartition {
  name: string;
  /** Rows and files written so far. */
  rows: number;
  files: number;
  /** The last key written; absent before the first page. */
  after?: PrimaryKey;
  done: boolean;
}

export interface BackupJob {
  jobId: number;
  backupName: string;
  collectionId: number;
  collectionName: string;
  dbName: string;
  tso: Tso;
  /** The snapshot hold at `tso`, renewed while the job runs, released when it ends. */
  holdId: number;
  createdMs: number;
  /** The collection as the restore makes it again (taken by the first step). */
  collection?: BackupCollectionMeta;
  /** Rows the collection held when the job began (for progress only). */
  estimatedRows?: number;
  partitions: BackupPartition[];
  metaWritten: boolean;
  /** The collection was not loaded: the job loads it (`loaded` once done) and releases it at the end (`released`). */
  loadForBackup?: boolean;
  loaded?: boolean;
  released?: boolean;
  state: BackupState;
  reason?: string;
  completedMs?: number;
}

/** Backup names: what object keys and REST bodies carry without escaping. */
const BACKUP_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,254}$/;

export function checkBackupName(name: unknown): string {
  if (typeof name !== 'string' || !BACKUP_NAME.test(name)) {
    throw new ValidationError(`backup name must be 1..255 letters, digits, '_' or '-', not starting with a digit or '-', got ${JSON.stringify(name)}`, { field: 'backupName' });
  }
  return name;
}

export function newBackupJob(o: { jobId: number; backupName: string; collectionId: number; collectionName: string; dbName: string; tso: Tso; holdId: number; nowMs: number; loaded: boolean }): BackupJob {
  return {
    jobId: o.jobId, backupName: o.backupName, collectionId: o.collectionId, collectionName: o.collectionName, dbName: o.dbName,
    tso: o.tso, holdId: o.holdId, createdMs: o.nowMs, partitions: [], metaWritten: false, state: 'Pending', ...(o.loaded ? {} : { loadForBackup: true }),
  };
}

/** What a backup does next: load the collection, describe it, export a page of a partition, write meta.json, release it, or nothing. */
export type BackupStep =
  | { kind: 'load' }
  | { kind: 'describe' }
  | { kind: 'export'; partition: number; key: string; after?: PrimaryKey }
  | { kind: 'meta' }
  | { kind: 'release' }
  | { kind: 'none' };

export function nextBackupStep(job: BackupJob): BackupStep {
  if (job.state === 'Completed' || job.state === 'Failed') return { kind: 'none' };
  if (job.loadForBackup && !job.loaded) return { kind: 'load' };
  if (job.collection === undefined) return { kind: 'describe' };
  const open = job.partitions.findIndex((p) => !p.done);
  if (open >= 0) {
    const p = job.partitions[open]!;
    return { kind: 'export', partition: open, key: backupPartKey(job.backupName, p.name, p.files), ...(p.after === undefined ? {} : { after: p.after }) };
  }
  if (!job.metaWritten) return { kind: 'meta' };
  return job.loadForBackup && !job.released ? { kind: 'release' } : { kind: 'none' };
}

/** A job whose steps are all done is Completed. */
function settled(job: BackupJob, nowMs: number): BackupJob {
  return nextBackupStep(job).kind === 'none' ? { ...job, state: 'Completed', completedMs: nowMs } : job;
}

export function loadedForBackup(job: BackupJob): BackupJob {
  return { ...job, loaded: true };
}

export function releasedAfterBackup(job: BackupJob, nowMs: number): BackupJob {
  return settled({ ...job, released: true }, nowMs);
}

/** Whether the job loaded the collection and has not released it yet (a failed job releases it too). */
export function holdsLoad(job: BackupJob): boolean {
  return job.loadForBackup === true && job.loaded === true && job.released !== true;
}

/** The job once the collection is described: a cursor per partition. */
export function described(job: BackupJob, collection: BackupCollectionMeta, partitions: string[], estimatedRows: number): BackupJob {
  return { ...job, collection: { ...collection, loaded: job.loadForBackup !== true }, estimatedRows, state: 'Exporting', partitions: partitions.map((name) => ({ name, rows: 0, files: 0, done: false })) };
}

/** The job after a page of a partition: `rows` written to one file ending at key `last`; a short page (fewer than asked) ends the partition. */
export function pageExported(job: BackupJob, partition: number, rows: number, last: PrimaryKey | undefined, asked: number): BackupJob {
  const partitions = job.partitions.map((p, i) => {
    if (i !== partition) return p;
    const moved = rows > 0 && last !== undefined;
    return { ...p, rows: p.rows + rows, files: p.files + (rows > 0 ? 1 : 0), ...(moved ? { after: last } : {}), done: rows < asked };
  });
  return { ...job, partitions };
}

export function metaWritten(job: BackupJob, nowMs: number): BackupJob {
  return settled({ ...job, metaWritten: true }, nowMs);
}

export function backupFailed(job: BackupJob, reason: string, nowMs: number): BackupJob {
  return { ...job, state: 'Failed', reason, completedMs: nowMs };
}

export function backupRows(job: BackupJob): number {
  return job.partitions.reduce((n, p) => n + p.rows, 0);
}

/** A percentage: describing is the first 5, exporting (against the rows the collection held at the start) up to 99, meta.json the last. */
export function backupProgress(job: BackupJob): number {
  if (job.state === 'Completed') return 100;
  if (job.collection === undefined) return 0;
  const partsDone = job.partitions.length === 0 ? 1 : job.partitions.filter((p) => p.done).length / job.partitions.length;
  const byRows = (job.estimatedRows ?? 0) > 0 ? backupRows(job) / job.estimatedRows! : partsDone;
  return Math.min(99, 5 + Math.floor(94 * Math.min(1, Math.max(byRows, partsDone))));
}

/** meta.json of a finished export. */
export function backupMeta(job: BackupJob): BackupMeta {
  const keys = (p: BackupPartition) => Array.from({ length: p.files }, (_, n) => backupPartKey(job.backupName, p.name, n));
  return {
    format: 'nuthatch-backup', version: 1, backupName: job.backupName, tso: job.tso.toString(), createTime: new Date(job.createdMs).toISOString(),
    collection: job.collection!, partitions: job.partitions.map((p) => ({ partitionName: p.name, rows: p.rows, files: keys(p), ...(p.after === undefined ? {} : { lastKey: p.after }) })),
  };
}
