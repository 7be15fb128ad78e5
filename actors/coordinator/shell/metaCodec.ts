import { decodeValue, encodeValue } from '../../../messages/valueCodec.js';
import { DEFAULT_DB } from '../../../messages/database.js';
import type { MetaStore } from '../../../runtime/ports/metaStore.js';
import type { Fence } from '../../../messages/fence.js';

/** Typed get/put of records in the metadata store, through the one value codec. */
export async function getRecord<T>(meta: MetaStore, key: string): Promise<T | undefined> {
  const e = await meta.get(key);
  return e ? (decodeValue(e.value) as unknown as T) : undefined;
}
export async function listRecords<T>(meta: MetaStore, prefix: string): Promise<T[]> {
  return (await meta.list(prefix)).map((e) => decodeValue(e.value) as unknown as T);
}
/** `fence`: written only while the token holds (one etcd transaction), else StaleFence. */
export function putRecord(meta: MetaStore, key: string, value: unknown, fence?: Fence): Promise<number> {
  return meta.put(key, encodeValue(value), fence === undefined ? undefined : { fence });
}

/** Metadata keys: one place, so the layout is readable. */
export const Keys = {
  tsoWindow: 'coord/tso',
  idWindow: 'coord/ids',
  /**
   * A collection's record. A 'default' one keeps the key it had before
   * databases, so an old store loads as it is; the record names its database.
   */
  collection: (db: string, name: string) => (db === DEFAULT_DB ? `catalog/${name}` : `catalog/${db}/${name}`),
  catalog: 'catalog/',
  database: (name: string) => `databases/${name}`,
  databases: 'databases/',
  segment: (collectionId: number, segmentId: number) => `segments/${collectionId}/${String(segmentId).padStart(12, '0')}`,
  segments: (collectionId?: number) => (collectionId === undefined ? 'segments/' : `segments/${collectionId}/`),
  assignment: (pchannel: string) => `assign/${pchannel}`,
  assignments: 'assign/',
  distribution: (vchannel: string) => `dist/${vchannel}`,
  distributions: 'dist/',
  session: (role: string, nodeId: string) => `sessions/${role}/${nodeId}`,
  sessions: (role: string) => `sessions/${role}/`,
  walKind: 'cluster/wal-backend',
  /** Dropped collections whose files wait to be purged (see droppedFiles.ts). */
  purge: (collectionId: number) => `gc/collections/${collectionId}`,
  purges: 'gc/collections/',
  alias: (db: string, alias: string) => (db === DEFAULT_DB ? `aliases/${alias}` : `aliases/${db}/${alias}`),
  aliases: 'aliases/',
  /** Orphan segment files seen so far and since when (see orphanSweep.ts). */
  orphanMarks: 'gc/orphan-marks',
  /** Readers' snapshot holds (see snapshotHolds.ts). */
  snapshot: (holdId: number) => `snapshots/${holdId}`,
  snapshots: 'snapshots/',
  /** Collection snapshots by name, and the jobs restoring them by id (collectionSnapshotsShell.ts, snapshotRestoreShell.ts). */
  collectionSnapshot: (name: string) => `collection-snapshots/${name}`,
  collectionSnapshots: 'collection-snapshots/',
  /** A snapshot's deletes, in records of a bounded size: shard by shard, numbered from 0. */
  snapshotDeletes: (name: string, shard: number, i: number) => `collection-snapshot-deletes/${name}/${shard}/${i}`,
  snapshotDeletesOf: (name: string) => `collection-snapshot-deletes/${name}/`,
  snapshotRestore: (id: number) => `snapshot-restores/${id}`,
  snapshotRestores: 'snapshot-restores/',
  /** Manual compaction jobs (see manualCompactions.ts). */
  compaction: (id: number) => `compactions/${id}`,
  compactions: 'compactions/',
  /** Bulk import jobs (see importJobsShell.ts). */
  importJob: (id: number) => `imports/${id}`,
  imports: 'imports/',
  /** Backup jobs by backup name, restore jobs by id (backupJobsShell.ts, restoreJobsShell.ts). */
  backupJob: (name: string) => `backups/${name}`,
  backups: 'backups/',
  restoreJob: (id: number) => `restores/${id}`,
  restores: 'restores/',
  /** Users (with their salted password hash and roles) and roles (with their grants): see rbacShell.ts. */
  user: (name: string) => `rbac/users/${name}`,
  users: 'rbac/users/',
  role: (name: string) => `rbac/roles/${name}`,
  roles: 'rbac/roles/',
  /** Custom privilege groups (core/privilegeGroups.ts). */
  privilegeGroup: (name: string) => `rbac/privilege_groups/${name}`,
  privilegeGroups: 'rbac/privilege_groups/',
  /** Resource groups' specs, and the last placement of query nodes and replicas (resourceGroupPlacement.ts). */
  resourceGroup: (name: string) => `rgroups/specs/${name}`,
  resourceGroups: 'rgroups/specs/',
  resourceGroupPlacement: 'rgroups/placement',
} as const;
