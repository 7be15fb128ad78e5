/**
 * Where a replicator keeps its source positions: in the TARGET's meta store,
 * beside the data they describe, under `nuthatch/replication/<db>/<collection>`
 * (the target's database and collection) as JSON. A replicator restarted
 * anywhere resumes from what the target holds.
 */
import type { ReplicationCheckpoint } from '../../actors/replicator/core/replicationCore.js';
import type { Fence } from '../../messages/fence.js';
import type { MetaStore } from '../ports/metaStore.js';

/** A target collection: its database and name. */
export interface TargetName { db: string; collection: string }

const prefixOf = (db: string): string => `nuthatch/replication/${db}/`;
export const checkpointKey = (t: TargetName): string => `${prefixOf(t.db)}${t.collection}`;

export async function loadCheckpoint(meta: MetaStore, t: TargetName): Promise<ReplicationCheckpoint | undefined> {
  const e = await meta.get(checkpointKey(t));
  return e === undefined ? undefined : JSON.parse(new TextDecoder().decode(e.value)) as ReplicationCheckpoint;
}

/** `fence`: the writer's lead token (replicationLead.ts); a lead passed to another makes this throw StaleFence, writing nothing. */
export async function saveCheckpoint(meta: MetaStore, t: TargetName, cp: ReplicationCheckpoint, fence?: Fence): Promise<void> {
  await meta.put(checkpointKey(t), new TextEncoder().encode(JSON.stringify(cp)), fence === undefined ? {} : { fence });
}

/** Forgets a replication's positions (before replicating into a resynced target again). */
export async function dropCheckpoint(meta: MetaStore, t: TargetName, fence?: Fence): Promise<void> {
  await meta.delete(checkpointKey(t), fence === undefined ? {} : { fence });
}

/** The target collections of a database that hold a checkpoint. */
export async function checkpointedCollections(meta: MetaStore, db: string): Promise<string[]> {
  const prefix = prefixOf(db);
  return (await meta.list(prefix)).map((e) => e.key.slice(prefix.length));
}
