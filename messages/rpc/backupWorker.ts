import type { PrimaryKey } from '../schema.js';
import type { Tso } from '../types.js';
import type { BackupCollectionMeta, BackupMeta, RestoredAutoId } from './backup.js';
import { needAll, type Checks } from './protocol.js';

/** A data node's steps of backup and restore jobs (data-node/shell/backupWorker.ts). */
export type BackupWorkerProtocol = {
  /** The collection as a restore makes it again, its partitions, and its rows now (for progress); BackupExists if object storage holds a backup of that name. */
  describeForBackup: { req: { dbName: string; collection: string; backupName: string }; res: { collection: BackupCollectionMeta; partitions: string[]; rows: number } };
  /**
   * Up to `maxRows` rows of a partition above key `after`, read at `tso`, in
   * key order, written as one JSON file of rows at `key` (nothing written for none).
   */
  exportBackupRows: { req: { dbName: string; collection: string; partitionName: string; tso: Tso; after?: PrimaryKey | null; maxRows: number; key: string }; res: { rows: number; last?: PrimaryKey } };
  writeBackupMeta: { req: { meta: BackupMeta }; res: null };
  /** Deletes every file under `backups/<name>/`. */
  dropBackupFiles: { req: { backupName: string }; res: { removed: number } };
  /** Reads a backup's meta.json (absent: NotFound). */
  readBackupMeta: { req: { backupName: string }; res: BackupMeta };
  /** Makes the collection of a backup's meta.json under a new name: schema, properties, partitions, indexes. An existing one of that name is taken as made by this step before. */
  /** `autoId`: the backup's collection has an autoID key (core/restoreJobs.ts RestoredAutoId). */
  createFromBackup: { req: { backupName: string; dbName: string; collection: string }; res: { files: Array<{ key: string; partitionName?: string }>; load: boolean; autoId?: RestoredAutoId } };
  /** Loads a collection and waits until it is loaded (a restore's last step; a backup of an unloaded collection's first). */
  loadRestored: { req: { dbName: string; collection: string }; res: null };
  /** Releases a collection a backup loaded to read it. */
  releaseCollection: { req: { dbName: string; collection: string }; res: null };
};

export const backupWorkerChecks: Checks<BackupWorkerProtocol> = {
  describeForBackup: (o) => needAll(o, { dbName: 'string', collection: 'string', backupName: 'string' }),
  exportBackupRows: (o) => needAll(o, { dbName: 'string', collection: 'string', partitionName: 'string', tso: 'bigint', maxRows: 'number', key: 'string' }),
  writeBackupMeta: (o) => needAll(o, { meta: 'object' }),
  dropBackupFiles: (o) => needAll(o, { backupName: 'string' }),
  readBackupMeta: (o) => needAll(o, { backupName: 'string' }),
  createFromBackup: (o) => needAll(o, { backupName: 'string', dbName: 'string', collection: 'string' }),
  loadRestored: (o) => needAll(o, { dbName: 'string', collection: 'string' }),
  releaseCollection: (o) => needAll(o, { dbName: 'string', collection: 'string' }),
};
