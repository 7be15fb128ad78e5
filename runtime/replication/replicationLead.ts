/**
 * One replicator at a time per target: replicators of the same target campaign
 * for its lead in the TARGET's meta store, beside the checkpoints, and only the
 * leader replicates. A second `nuthatch replicate` (a standby, or one started by
 * mistake) waits; when the leader stops it resigns and a standby takes over at
 * once, and when it crashes its lease expires after `ttlMs` and a standby takes
 * over then. Two replicators at once would not write a row twice (append ids),
 * but their checkpoints could go backwards and they would race on DDL.
 *
 * A lease alone does not stop a leader that was paused past its TTL (SIGSTOP, a
 * stalled VM) from writing when it wakes, before it learns the lease is gone.
 * So each new leader bumps a term key beside the election and writes with that
 * key's revision as a fencing token (messages/fence.ts): the target's
 * coordinator, streaming nodes and etcd (checkpoints) refuse every request
 * whose token is no longer current.
 */
import type { Fence } from '../../messages/fence.js';
import type { MetaStore } from '../ports/metaStore.js';
import type { TargetName } from './checkpointStore.js';

/** The election of a database replication, or of one collection's (whose name is its target collection). */
export const leadName = (db: string, collection?: string): string =>
  collection === undefined ? `nuthatch/replication-lead/${db}` : `nuthatch/replication-lead/${db}/${collection}`;

/** The term key of a lead: each new leader writes it; its revision is the leader's fencing token. */
export const termKey = (db: string, collection?: string): string =>
  collection === undefined ? `nuthatch/replication-term/${db}` : `nuthatch/replication-term/${db}/${collection}`;

/** A lead held: lost if the lease cannot be kept (the meta store unreachable past its TTL). */
export interface ReplicationLead {
  resign(): Promise<void>;
  readonly lost: Promise<void>;
  /** The token every write of this leader carries (the term key at this leader's revision). */
  readonly fence: Fence;
}

/**
 * Resolves once `candidate` leads replication into `target` (a database when
 * `collection` is absent). `waiting` is called once if another replicator leads
 * and this one stands by.
 */
export async function leadReplication(meta: MetaStore, target: { db: string; collection?: TargetName['collection'] }, candidate: string, ttlMs: number, waiting?: () => void): Promise<ReplicationLead> {
  const campaign = meta.campaign(leadName(target.db, target.collection), candidate, ttlMs);
  // A campaign that does not win at once has met a leader: say so, then wait.
  let timer: NodeJS.Timeout | undefined;
  const first = await Promise.race([campaign, new Promise<null>((r) => { timer = setTimeout(() => r(null), 500); })]).finally(() => clearTimeout(timer));
  if (first === null) waiting?.();
  const won = first ?? await campaign;
  // The new term, before anything is read or written: from here the previous leader is fenced out.
  const key = termKey(target.db, target.collection);
  try {
    const revision = await meta.put(key, new TextEncoder().encode(candidate));
    return { ...won, fence: { key, revision } };
  } catch (e) {
    await won.resign().catch(() => {});
    throw e;
  }
}
