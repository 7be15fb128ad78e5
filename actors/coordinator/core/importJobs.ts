import { ValidationError } from '../../../messages/errors.js';

/**
 * Bulk import jobs (Milvus's jobs/import), pure: the record of a job and its
 * steps. A job first checks every file (each row parsed and checked against
 * the schema, nothing written), so a bad file fails the job before any row of
 * it lands; then writes the files' rows batch by batch through the WAL. The
 * record holds where the job is, so a coordinator that takes over resumes it
 * from the batch it was at (a batch's appends carry ids made of the job, file
 * and row, so one written but not yet recorded is not written twice).
 */
export type ImportState = 'Pending' | 'Importing' | 'Completed' | 'Failed';

/** `partitionName`: the file's own partition (a restore's files each go to theirs), over the job's. */
export interface ImportFile { key: string; partitionName?: string; rows?: number; bytes?: number; imported: number }

export interface ImportJob {
  jobId: number;
  collectionId: number;
  collectionName: string;
  /** The collection's database when the job was made (absent: 'default'). */
  dbName?: string;
  partitionName?: string;
  files: ImportFile[];
  state: ImportState;
  reason?: string;
  createdMs: number;
  completedMs?: number;
}

/** Limits of one job: files per job (Milvus allows 1,024 file groups). */
export const MAX_IMPORT_FILES = 1024;

/** The object keys of a request's files: `[["a.json"], ["b.json"]]` (Milvus's groups of one JSON file each) or `["a.json"]`. */
export function importKeys(files: unknown): string[] {
  if (!Array.isArray(files) || files.length === 0) throw new ValidationError('files must be a non-empty list of file groups, e.g. [["data/a.json"]]', { field: 'files' });
  if (files.length > MAX_IMPORT_FILES) throw new ValidationError(`an import job takes at most ${MAX_IMPORT_FILES} files, got ${files.length}`, { field: 'files' });
  const keys = files.map((g, i) => {
    const group = Array.isArray(g) ? g : [g];
    if (group.length !== 1) throw new ValidationError(`files[${i}] must hold one file (a JSON or Parquet file of rows; Numpy's file per field is not supported), got ${group.length}`, { field: `files[${i}]` });
    const key = group[0];
    if (typeof key !== 'string' || key.length === 0 || key.length > 1024) throw new ValidationError(`files[${i}] must be an object key (a non-empty string)`, { field: `files[${i}]` });
    if (!/\.(json|parquet)$/i.test(key)) throw new ValidationError(`files[${i}] '${key}': only JSON (.json, a list of rows) and Parquet (.parquet) files can be imported`, { field: `files[${i}]` });
    if (key.split('/').some((p) => p === '..' || p === '.') || key.startsWith('/')) throw new ValidationError(`files[${i}] '${key}' is not a plain object key`, { field: `files[${i}]` });
    return key;
  });
  if (new Set(keys).size !== keys.length) throw new ValidationError('files names one file twice', { field: 'files' });
  return keys;
}

/** `keys`: the files' keys, or each with the partition its rows go to. */
export function newImportJob(jobId: number, collectionId: number, collectionName: string, keys: Array<string | { key: string; partitionName?: string }>, nowMs: number, partitionName?: string): ImportJob {
  return {
    jobId, collectionId, collectionName, ...(partitionName === undefined ? {} : { partitionName }),
    files: keys.map((k) => (typeof k === 'string' ? { key: k, imported: 0 } : { ...k, imported: 0 })), state: 'Pending', createdMs: nowMs,
  };
}

/** What a job does next: check a file, write a batch of one, or nothing (it has ended). */
export type ImportStep =
  | { kind: 'check'; file: number }
  | { kind: 'write'; file: number; fromRow: number }
  | { kind: 'none' };

export function nextStep(job: ImportJob): ImportStep {
  if (job.state === 'Completed' || job.state === 'Failed') return { kind: 'none' };
  const unchecked = job.files.findIndex((f) => f.rows === undefined);
  if (unchecked >= 0) return { kind: 'check', file: unchecked };
  const open = job.files.findIndex((f) => f.imported < f.rows!);
  if (open >= 0) return { kind: 'write', file: open, fromRow: job.files[open]!.imported };
  return { kind: 'none' };
}

/** The job after a file was checked: its rows counted; Importing once every file is. */
export function fileChecked(job: ImportJob, file: number, rows: number, bytes: number, nowMs: number): ImportJob {
  const files = job.files.map((f, i) => (i === file ? { ...f, rows, bytes } : f));
  return settle({ ...job, files, state: files.every((f) => f.rows !== undefined) ? 'Importing' : 'Pending' }, nowMs);
}

/** The job after a batch of a file was written. */
export function batchWritten(job: ImportJob, file: number, rows: number, nowMs: number): ImportJob {
  return settle({ ...job, files: job.files.map((f, i) => (i === file ? { ...f, imported: f.imported + rows } : f)) }, nowMs);
}

export function importFailed(job: ImportJob, reason: string, nowMs: number): ImportJob {
  return { ...job, state: 'Failed', reason, completedMs: nowMs };
}

/** Completed once every file's rows are written (a job of empty files completes after its checks). */
function settle(job: ImportJob, nowMs: number): ImportJob {
  const done = job.files.every((f) => f.rows !== undefined && f.imported >= f.rows);
  return done ? { ...job, state: 'Completed', completedMs: nowMs } : job;
}

/** Rows written and rows in all (known once every file is checked), and a percentage. */
export function importProgress(job: ImportJob): { importedRows: number; totalRows: number; progress: number } {
  const importedRows = job.files.reduce((n, f) => n + f.imported, 0);
  const totalRows = job.files.reduce((n, f) => n + (f.rows ?? 0), 0);
  if (job.state === 'Completed') return { importedRows, totalRows, progress: 100 };
  const checked = job.files.filter((f) => f.rows !== undefined).length / job.files.length;
  // Checking is the first tenth of the way, writing the rest.
  const progress = job.state === 'Pending' ? Math.floor(10 * checked) : 10 + Math.floor((90 * importedRows) / Math.max(1, totalRows));
  return { importedRows, totalRows, progress: Math.min(99, progress) };
}
