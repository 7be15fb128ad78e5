import { NuthatchError } from '../../../messages/errors.js';
import { checkName } from '../../../messages/schema.js';
import type { CollectionRecord, DeleteEntry, SegmentRecord } from '../../../messages/rpc/records.js';
import type { SnapshotView } from '../../../messages/rpc/snapshot.js';
import type { Tso } from '../../../messages/types.js';
import { deleteFloorOf } from '../../shared/segment/deleteCover.js';

/**
 * Collection snapshots (pure), as Milvus 3.0 has them: a metadata-only,
 * point-in-time image of a collection. It names the collection as it was
 * (schema, indexes, properties, partitions, shards), the files of its sealed
 * segments (data and index files, never copied) and the deletes of its shards
 * that still reach those segments' rows, each as of the snapshot's TSO.
 *
 * While a snapshot exists its files are pinned: compaction, merges, drops and
 * the garbage collector leave every file it names (referencedKeys). A restore
 * makes a new collection whose segment records name the same files.
 */
export interface SnapshotSegment {
  segmentId: number;
  partitionId: number;
  /** Its shard: the index of its vchannel in the collection's. */
  shard: number;
  rows: number;
  dataKey: string;
  indexKeys: Record<string, string>;
  rowsFromTso?: Tso;
  deletesAppliedTso?: Tso;
}

export interface CollectionSnapshot {
  snapshotId: number;
  name: string;
  description: string;
  /** The collection as it was (its record, minus what is the live collection's own: load state, replicas, groups). */
  collection: CollectionRecord;
  tso: Tso;
  createdMs: number;
  segments: SnapshotSegment[];
  /** Per shard, the deletes up to `tso` that reach a row of its segments, in TSO order. */
  deletes: DeleteEntry[][];
}

/** A snapshot name: a name as collections take (letters, digits, '_'), unique in the cluster. */
export function checkSnapshotName(name: unknown, taken: ReadonlySet<string>): string {
  const n = checkName('snapshot', name);
  if (taken.has(n)) throw new NuthatchError('SnapshotExists', `snapshot '${n}' already exists`, { snapshotName: n });
  return n;
}

/** The deletes of one shard a snapshot keeps: up to its TSO, and only those that may hide a row of its segments there. */
export function deletesToKeep(log: readonly DeleteEntry[], segments: readonly SegmentRecord[], tso: Tso): DeleteEntry[] {
  const floor = deleteFloorOf(segments);
  if (floor === undefined) return [];
  return log.filter((d) => d.tso <= tso && d.tso > floor);
}

/**
 * A snapshot of `rec` at `tso`: its sealed segments (the records given) and each
 * shard's deletes (`logs[i]`: shard i's delete log as read at `tso`).
 */
export function takeSnapshot(o: { snapshotId: number; name: string; description: string; rec: CollectionRecord; segments: readonly SegmentRecord[]; logs: ReadonlyArray<readonly DeleteEntry[]>; tso: Tso; nowMs: number }): CollectionSnapshot {
  const { rec } = o;
  const mine = o.segments.filter((s) => s.collectionId === rec.collectionId && s.rows > 0 && rec.partitions.some((p) => p.id === s.partitionId));
  const segments: SnapshotSegment[] = mine.map((s) => ({
    segmentId: s.segmentId, partitionId: s.partitionId, shard: rec.vchannels.indexOf(s.vchannel), rows: s.rows, dataKey: s.dataKey, indexKeys: { ...s.indexKeys },
    ...(s.rowsFromTso === undefined ? {} : { rowsFromTso: s.rowsFromTso }), ...(s.deletesAppliedTso === undefined ? {} : { deletesAppliedTso: s.deletesAppliedTso }),
  }));
  const deletes = rec.vchannels.map((v, i) => deletesToKeep(o.logs[i] ?? [], mine.filter((s) => s.vchannel === v), o.tso));
  const { loaded: _l, replicas: _r, resourceGroups: _g, loadedPartitions: _p, denied: _d, dbTimezone: _z, renamedFrom: _f, renamedFromDb: _fd, ...kept } = rec;
  return { snapshotId: o.snapshotId, name: o.name, description: o.description, collection: { ...kept, loaded: rec.loaded, state: 'created' }, tso: o.tso, createdMs: o.nowMs, segments, deletes };
}

/** Every file a snapshot names. */
export function snapshotKeys(s: Pick<CollectionSnapshot, 'segments'>): string[] {
  return s.segments.flatMap((g) => [g.dataKey, ...Object.values(g.indexKeys)]);
}

/**
 * The files that must stay: those any segment record names (a restored
 * collection's records name its snapshot's files) and those any snapshot names.
 * A file is freed only when nothing here names it.
 */
export function referencedKeys(segments: Iterable<Pick<SegmentRecord, 'dataKey' | 'indexKeys'>>, snapshots: Iterable<Pick<CollectionSnapshot, 'segments'>>): Set<string> {
  const keys = new Set<string>();
  for (const s of segments) { keys.add(s.dataKey); for (const k of Object.values(s.indexKeys)) keys.add(k); }
  for (const s of snapshots) for (const k of snapshotKeys(s)) keys.add(k);
  return keys;
}

/** What describeSnapshot answers. */
export function viewOf(s: CollectionSnapshot): SnapshotView {
  return {
    snapshotName: s.name, description: s.description, collectionName: s.collection.name, dbName: s.collection.dbName ?? 'default',
    partitionNames: s.collection.partitions.map((p) => p.name), createTs: s.tso, createTime: new Date(s.createdMs).toISOString(),
    rows: s.segments.reduce((n, g) => n + g.rows, 0), segments: s.segments.length, files: snapshotKeys(s).length,
  };
}
