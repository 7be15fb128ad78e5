/**
 * Where a replicator keeps its source positions: in the TARGET's meta store,
 * beside the data they describe, under `nuthatch/replication/<target collection>`
 * as JSON. A replicator restarted anywhere resumes from what the target holds.
 */
import type { ReplicationCheckpoint } from '../../actors/replicator/core/replicationCore.js';
import type { MetaStore } from '../ports/metaStore.js';

export const checkpointKey = (targetCollection: string): string => `nuthatch/replication/${targetCollection}`;

export async function loadCheckpoint(meta: MetaStore, targetCollection: string): Promise<ReplicationCheckpoint | undefined> {
  const e = await meta.get(checkpointKey(targetCollection));
  return e === undefined ? undefined : JSON.parse(new TextDecoder().decode(e.value)) as ReplicationCheckpoint;
}

export async function saveCheckpoint(meta: MetaStore, targetCollection: string, cp: ReplicationCheckpoint): Promise<void> {
  await meta.put(checkpointKey(targetCollection), new TextEncoder().encode(JSON.stringify(cp)));
}

/** Forgets a replication's positions (before replicating into a resynced target again). */
export async function dropCheckpoint(meta: MetaStore, targetCollection: string): Promise<void> {
  await meta.delete(checkpointKey(targetCollection));
}
