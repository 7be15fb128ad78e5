import type { CollectionRecord, DeleteEntry, SegmentRecord } from '../../../messages/rpc/records.js';
import type { RestoreSnapshotState } from '../../../messages/rpc/snapshot.js';
import type { Tso } from '../../../messages/types.js';
import { pchannelOf } from './catalog.js';
import type { CollectionSnapshot } from './collectionSnapshots.js';

/**
 * Restoring a snapshot (pure): a new collection made from the snapshot's record,
 * whose segment records name the snapshot's files (nothing is copied, no index is
 * built again), whose shards are given the snapshot's deletes with their own TSOs
 * (so they hide what they hid), and loaded if the source was.
 *
 * Every id is taken when the job is made, in one block from `collectionId`: the
 * collection's, then one per partition, then one per segment. So each step can
 * be repeated after a coordinator restart and makes the same records.
 *
 * Steps, each recorded when done: create (the collection record, its WAL
 * messages); deletes (a RestoreDeletes per shard: their TSOs are the source's,
 * older than any delete the new collection takes, so they hide only rows of the
 * snapshot); segments (the records, at once); load.
 */
export interface SnapshotRestoreJob {
  jobId: number;
  snapshotName: string;
  dbName: string;
  collectionName: string;
  /** The first of the ids taken (see idsToRestore). */
  collectionId: number;
  createdMs: number;
  created: boolean;
  deletesWritten: boolean;
  segmentsRecorded: boolean;
  /** Load once restored (the source was loaded at the snapshot). */
  load: boolean;
  loaded: boolean;
  state: RestoreSnapshotState;
  reason?: string;
  completedMs?: number;
}

/** The ids a restore takes: the collection's, one per partition, one per segment. */
export const idsToRestore = (s: CollectionSnapshot): number => 1 + s.collection.partitions.length + s.segments.length;

export function newSnapshotRestoreJob(jobId: number, s: CollectionSnapshot, dbName: string, collectionName: string, collectionId: number, nowMs: number): SnapshotRestoreJob {
  return { jobId, snapshotName: s.name, dbName, collectionName, collectionId, createdMs: nowMs, created: false, deletesWritten: false, segmentsRecorded: false, load: s.collection.loaded, loaded: false, state: 'Pending' };
}

export type SnapshotRestoreStep = 'create' | 'deletes' | 'segments' | 'load' | 'none';

export function nextSnapshotRestoreStep(j: SnapshotRestoreJob): SnapshotRestoreStep {
  if (j.state === 'Completed' || j.state === 'Failed') return 'none';
  if (!j.created) return 'create';
  if (!j.deletesWritten) return 'deletes';
  if (!j.segmentsRecorded) return 'segments';
  if (j.load && !j.loaded) return 'load';
  return 'none';
}

/**
 * Whether compaction must leave the job's collection alone: until its segment
 * records are written, its shards may hold the snapshot's deletes (source TSOs,
 * older than the collection) with no record to take a trim floor from, and a
 * floor taken from no segment would drop every one of them before the
 * snapshot's files arrive to need them.
 */
export const holdsCompaction = (j: SnapshotRestoreJob): boolean => j.state !== 'Failed' && j.state !== 'Completed' && !j.segmentsRecorded;

/** The job with `step` done: Completed once nothing is left. */
export function stepDone(j: SnapshotRestoreJob, step: Exclude<SnapshotRestoreStep, 'none'>, nowMs: number): SnapshotRestoreJob {
  const field = ({ create: 'created', deletes: 'deletesWritten', segments: 'segmentsRecorded', load: 'loaded' } as const)[step];
  const next: SnapshotRestoreJob = { ...j, [field]: true, state: 'InProgress' };
  return nextSnapshotRestoreStep(next) === 'none' ? { ...next, state: 'Completed', completedMs: nowMs } : next;
}

export function restoreFailedWith(j: SnapshotRestoreJob, reason: string, nowMs: number): SnapshotRestoreJob {
  return { ...j, state: 'Failed', reason, completedMs: nowMs };
}

/** Percent done: a quarter per step (the load's share is given when there is none). */
export function restorePercent(j: SnapshotRestoreJob): number {
  if (j.state === 'Completed') return 100;
  return 25 * [j.created, j.deletesWritten, j.segmentsRecorded, j.loaded].filter(Boolean).length;
}

/**
 * The restored collection's record: the snapshot's, under its new name, database
 * and ids, with its own shards (vchannels placed as a create places them), not loaded.
 */
export function restoredCollection(s: CollectionSnapshot, j: Pick<SnapshotRestoreJob, 'collectionId' | 'collectionName' | 'dbName'>, pchannels: readonly string[], createdTso: Tso): CollectionRecord {
  const id = j.collectionId;
  const src = s.collection;
  return {
    ...src,
    collectionId: id, name: j.collectionName, dbName: j.dbName, createdTso, schemaVersion: createdTso, state: 'creating', loaded: false,
    vchannels: Array.from({ length: src.shards }, (_, i) => `${pchannels[(id + i) % pchannels.length]}_${id}v${i}`),
    partitions: src.partitions.map((p, i) => ({ id: id + 1 + i, name: p.name })),
    indexes: src.indexes.map((i) => ({ ...i, params: { ...i.params } })),
  };
}

/** Source partition id -> restored partition id. */
function partitionMap(s: CollectionSnapshot, rec: Pick<CollectionRecord, 'partitions'>): Map<number, number> {
  return new Map(s.collection.partitions.map((p, i) => [p.id, rec.partitions[i]!.id]));
}

/** The restored collection's segment records: the snapshot's files under new ids, on its own shards. */
export function restoredSegments(s: CollectionSnapshot, rec: Pick<CollectionRecord, 'collectionId' | 'partitions' | 'vchannels'>): SegmentRecord[] {
  const parts = partitionMap(s, rec);
  const first = rec.collectionId + 1 + s.collection.partitions.length;
  return s.segments.map((g, i) => {
    const vchannel = rec.vchannels[g.shard]!;
    return {
      collectionId: rec.collectionId, partitionId: parts.get(g.partitionId)!, segmentId: first + i, vchannel, pchannel: pchannelOf(vchannel),
      rows: g.rows, dataKey: g.dataKey, indexKeys: { ...g.indexKeys }, from: 0, to: 0,
      ...(g.rowsFromTso === undefined ? {} : { rowsFromTso: g.rowsFromTso }), ...(g.deletesAppliedTso === undefined ? {} : { deletesAppliedTso: g.deletesAppliedTso }),
    };
  });
}

/** Each restored shard's deletes (shard i's from the source's shard i: rows are routed to shards by key alike), partitions mapped. */
export function restoredDeletes(s: CollectionSnapshot, rec: Pick<CollectionRecord, 'partitions'>): DeleteEntry[][] {
  const parts = partitionMap(s, rec);
  return s.deletes.map((log) => log.map((d) => (d.partitionId === undefined ? { pk: d.pk, tso: d.tso } : { pk: d.pk, tso: d.tso, partitionId: parts.get(d.partitionId) ?? d.partitionId })));
}
