import type { Tso } from '../types.js';
import { need, needAll, type Checks } from './protocol.js';

/** The database a request resolves in; absent, null or '': 'default'. */
type Db = string | null;

/** Milvus's RestoreSnapshotState names, without their prefix. */
export type RestoreSnapshotState = 'Pending' | 'InProgress' | 'Completed' | 'Failed';

/** A snapshot as describeSnapshot reports it (coordinator/core/collectionSnapshots.ts). */
export interface SnapshotView {
  snapshotName: string;
  description: string;
  collectionName: string;
  dbName: string;
  partitionNames: string[];
  /** The TSO it is the image of. */
  createTs: Tso;
  /** When it was made (ISO 8601). */
  createTime: string;
  /** Rows in its segment files (deleted ones included), its segments and the files it names. */
  rows: number;
  segments: number;
  files: number;
}

/** A snapshot restore job, as getRestoreSnapshotState reports it. */
export interface RestoreSnapshotJobView {
  jobId: number;
  snapshotName: string;
  collectionName: string;
  dbName: string;
  state: RestoreSnapshotState;
  progress: number;
  reason?: string;
  /** When it was asked for, and when it ended (ISO 8601). */
  startTime: string;
  completeTime?: string;
}

/**
 * Collection snapshots (Milvus 3.0's create_snapshot, list_snapshots,
 * describe_snapshot, drop_snapshot, restore_snapshot, get_restore_snapshot_state):
 * metadata-only images of a collection that pin its files; a restore makes a
 * new collection over the same files.
 */
export type SnapshotProtocol = {
  createSnapshot: { req: { dbName?: Db; collection: string; snapshotName: string; description?: string | null }; res: SnapshotView };
  describeSnapshot: { req: { snapshotName: string }; res: SnapshotView };
  /** Every snapshot, or those of one collection of the request's database. */
  listSnapshots: { req: { dbName?: Db; collection?: string | null }; res: { snapshots: SnapshotView[] } };
  /** Unpins its files (removing those nothing else names); refused while a restore of it runs. */
  dropSnapshot: { req: { snapshotName: string }; res: null };
  restoreSnapshot: { req: { snapshotName: string; dbName?: Db; collection: string }; res: { jobId: number } };
  restoreSnapshotState: { req: { jobId: number }; res: RestoreSnapshotJobView };
  listRestoreSnapshotJobs: { req: { snapshotName?: string | null }; res: { jobs: RestoreSnapshotJobView[] } };
};

const dbOpt = (o: Record<string, unknown>): void => { if (o.dbName !== undefined && o.dbName !== null) need(o, 'dbName', 'string'); };

export const snapshotChecks: Checks<SnapshotProtocol> = {
  createSnapshot: (o) => { needAll(o, { collection: 'string', snapshotName: 'string' }); dbOpt(o); if (o.description !== undefined && o.description !== null) need(o, 'description', 'string'); },
  describeSnapshot: (o) => needAll(o, { snapshotName: 'string' }),
  listSnapshots: (o) => { dbOpt(o); if (o.collection !== undefined && o.collection !== null) need(o, 'collection', 'string'); },
  dropSnapshot: (o) => needAll(o, { snapshotName: 'string' }),
  restoreSnapshot: (o) => { needAll(o, { snapshotName: 'string', collection: 'string' }); dbOpt(o); },
  restoreSnapshotState: (o) => needAll(o, { jobId: 'number' }),
  listRestoreSnapshotJobs: (o) => { if (o.snapshotName !== undefined && o.snapshotName !== null) need(o, 'snapshotName', 'string'); },
};
