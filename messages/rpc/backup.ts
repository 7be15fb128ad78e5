import type { PrimaryKey } from '../schema.js';
import type { Tso } from '../types.js';
import { need, needAll, type Checks } from './protocol.js';

/** The database a request resolves in; absent, null or '': 'default'. */
type Db = string | null;

export type BackupState = 'Pending' | 'Exporting' | 'Completed' | 'Failed';
export type RestoreState = 'Pending' | 'Creating' | 'Importing' | 'Loading' | 'Completed' | 'Failed';

/** A backup as describeBackup reports it (coordinator/core/backupJobs.ts). */
export interface BackupView {
  backupName: string;
  /** The collection backed up, and its database. */
  collectionName: string;
  dbName: string;
  /** The one TSO every row was read at. */
  tso: Tso;
  /** When the backup was asked for (ISO 8601). */
  createTime: string;
  completeTime?: string;
  /** Rows written to the backup so far (all of them once Completed). */
  rows: number;
  state: BackupState;
  progress: number;
  reason?: string;
  /** Rows per partition. */
  partitions: Array<{ partitionName: string; rows: number; files: number }>;
}

/** A restore job as its progress reports it. */
export interface RestoreJobView {
  jobId: number;
  backupName: string;
  collectionName: string;
  dbName: string;
  state: RestoreState;
  progress: number;
  /** Rows imported so far, of the backup's rows. */
  importedRows: number;
  totalRows: number;
  reason?: string;
  completeTime?: string;
}

/**
 * Backup and restore of collections (what milvus-backup gives Milvus users):
 * a backup is a collection's rows at one TSO, written as bulk import files
 * under `backups/<name>/` in object storage with a `meta.json`; a restore
 * makes a collection from it and imports the files.
 */
export type BackupProtocol = {
  createBackup: { req: { dbName?: Db; collection: string; backupName: string }; res: { backupName: string; tso: Tso } };
  describeBackup: { req: { backupName: string }; res: BackupView };
  listBackups: { req: { dbName?: Db; collection?: string | null }; res: { backups: BackupView[] } };
  /** Deletes the backup's files and its record; refused while it is being made or restored. */
  dropBackup: { req: { backupName: string }; res: null };
  restoreBackup: { req: { backupName: string; dbName?: Db; collection: string }; res: { jobId: number } };
  restoreProgress: { req: { jobId: number }; res: RestoreJobView };
  listRestores: { req: { backupName?: string | null }; res: { jobs: RestoreJobView[] } };
};

export const backupChecks: Checks<BackupProtocol> = {
  createBackup: (o) => { needAll(o, { collection: 'string', backupName: 'string' }); dbOpt(o); },
  describeBackup: (o) => needAll(o, { backupName: 'string' }),
  listBackups: (o) => { dbOpt(o); if (o.collection !== undefined && o.collection !== null) need(o, 'collection', 'string'); },
  dropBackup: (o) => needAll(o, { backupName: 'string' }),
  restoreBackup: (o) => { needAll(o, { backupName: 'string', collection: 'string' }); dbOpt(o); },
  restoreProgress: (o) => needAll(o, { jobId: 'number' }),
  listRestores: (o) => { if (o.backupName !== undefined && o.backupName !== null) need(o, 'backupName', 'string'); },
};

function dbOpt(o: Record<string, unknown>): void {
  if (o.dbName !== undefined && o.dbName !== null) need(o, 'dbName', 'string');
}

/** The collection as a restore makes it again, in `backups/<name>/meta.json` (client shapes). */
export interface BackupCollectionMeta {
  dbName: string;
  collectionName: string;
  /** Fields, functions, dynamic field: as createCollection takes it. */
  schema: unknown;
  metricType: string;
  shardsNum: number;
  consistencyLevel: string;
  /** With a partition key, how many key partitions (else the partitions are listed in `partitions`). */
  numPartitions: number;
  partitionKey: boolean;
  properties: Record<string, string>;
  indexes: unknown[];
  /** Whether it was loaded when backed up: a restore loads it then. */
  loaded: boolean;
}

/** What a restore of an autoID collection does about its keys (coordinator/core/restoreJobs.ts). */
export interface RestoredAutoId {
  /** The largest key in the backup: ids are allocated above it. */
  through: number;
  /** Whether to drop allow_insert_auto_id once the rows are in (the original did not have it). */
  close: boolean;
}

/** `backups/<name>/meta.json`: what a restore needs. */
export interface BackupMeta {
  format: 'nuthatch-backup';
  version: 1;
  backupName: string;
  /** The TSO every row was read at, as a decimal string (JSON has no 64-bit integers). */
  tso: string;
  createTime: string;
  collection: BackupCollectionMeta;
  /** Per partition, its rows and files (keys in object storage), in order, and its largest key (absent: no rows). */
  partitions: Array<{ partitionName: string; rows: number; files: string[]; lastKey?: PrimaryKey }>;
}

/**
 * A partition-key collection's rows are read whole (its key partitions cannot
 * be named in a read) and filed under this one name; a restore routes them by key.
 */
export const KEY_PARTITIONS = '_key_partitions';

/** Where a backup's files live. */
export const backupPrefix = (backupName: string): string => `backups/${backupName}/`;
export const backupMetaKey = (backupName: string): string => `backups/${backupName}/meta.json`;
/** A partition's n-th file of rows (n from 0), `part-00000.json`. */
export const backupPartKey = (backupName: string, partition: string, n: number): string => `backups/${backupName}/${partition}/part-${String(n).padStart(5, '0')}.json`;
