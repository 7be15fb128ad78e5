import { DecodeError, NuthatchError } from '../../../messages/errors.js';
import type { DeleteEntry } from '../../../messages/rpc/records.js';
import { decodeValue, encodeValue } from '../../../messages/valueCodec.js';
import type { ObjectStore } from '../../../runtime/ports/objectStore.js';
import type { WalBackend } from '../../../runtime/ports/walBackend.js';
import type { RetentionMark } from '../core/walRetention.js';
import { newShard, addDelete, readFromOf, trimDeletes, type ShardData } from '../core/shardData.js';
import type { PersistedAppendIds } from './appendDedup.js';
import { readArchives, type ArchivedDeletes, type DeletesSnapshot } from './deleteArchive.js';

/**
 * A pchannel's recovery checkpoint: the state folded up to `applied` (vchannel
 * machines, segment lifecycle, deletes) and `replayFrom`, the earliest position
 * whose rows are still held in memory (growing segments, open transactions).
 * Recovery restores it, re-reads [replayFrom, applied] for rows only, then folds
 * everything after `applied`.
 */
export interface Checkpoint {
  term: number;
  applied: number;
  replayFrom: number;
  vchannels: Record<string, unknown>;
  shards: Record<string, PersistedShard>;
  /** Recent append ids per vchannel (absent in checkpoints written before idempotent appends). */
  appendIds?: PersistedAppendIds;
  /** Sampled earlier checkpoints that decide WAL truncation (absent before WAL retention). */
  retention?: RetentionMark[];
}

interface PersistedShard {
  collectionId: number;
  dropped: boolean;
  segments: Array<{ id: number; collectionId: number; partitionId: number; createPos: number; readFrom?: number; sealPos: number | null; flushed: boolean; createdTso: bigint; lastWriteTso: bigint }>;
  /** The whole delete log once loaded; as stored, only the part after `deleteArchive`. */
  deletes: DeleteEntry[];
  /** Archived runs of the delete log, before `deletes` (absent before archives, or while short). */
  deleteArchive?: ArchivedDeletes[];
  /** Sequence number of the first entry stored (archived or not); absent: 0. */
  deletesFrom?: number;
  /** The delete log was trimmed at this TSO (TrimDeletes); absent: never. */
  deleteFloorTso?: bigint;
  /** Hand-offs not yet confirmed (shardData.ts HandOff), as parallel lists. */
  handedOff: number[];
  /** Absent in checkpoints from before partition drops forgot theirs: unknown (-1). */
  handedOffPartitions?: number[];
  /** Absent in checkpoints from before versions were kept: 0, confirmed by the first trim request. */
  handedOffVersions?: number[];
}

/**
 * One key per term: an owner that does not yet know it was replaced (paused past
 * its lease) may still write a checkpoint, and it must not overwrite the newer
 * owner's. Recovery takes the highest term's; an owner clears older terms' after
 * writing its own. Zero-padded so that keys sort by term.
 */
export const checkpointKey = (pchannel: string, term: number) => `${checkpointPrefix(pchannel)}${String(term).padStart(12, '0')}.ckpt`;
const checkpointPrefix = (pchannel: string) => `checkpoints/${pchannel}/`;
/** Where checkpoints were kept before they were keyed by term. */
const legacyCheckpointKey = (pchannel: string) => `checkpoints/${pchannel}.ckpt`;

/** A shard as stored; `deletes` as snapshotted for this checkpoint (the whole log when not given). */
export function persistShard(s: ShardData, deletes?: DeletesSnapshot): PersistedShard {
  return {
    collectionId: s.collectionId, dropped: s.dropped,
    segments: [...s.segments.values()].map(({ chunks: _c, rows: _r, shredding: _s, ...meta }) => meta),
    deletes: deletes ? deletes.tail : s.deletes,
    ...(deletes && deletes.archives.length > 0 ? { deleteArchive: deletes.archives } : {}),
    ...((deletes?.from ?? s.deleteBase) > 0 ? { deletesFrom: deletes?.from ?? s.deleteBase } : {}),
    ...(s.deleteFloorTso > 0n ? { deleteFloorTso: s.deleteFloorTso } : {}),
    handedOff: [...s.handedOff.keys()],
    handedOffPartitions: [...s.handedOff.values()].map((h) => h.partitionId),
    handedOffVersions: [...s.handedOff.values()].map((h) => h.version),
  };
}

export function restoreShard(vchannel: string, p: PersistedShard): ShardData {
  const s = newShard(vchannel, p.collectionId);
  s.dropped = p.dropped;
  for (const m of p.segments) s.segments.set(m.id, { ...m, chunks: [], rows: 0 });
  s.deleteBase = p.deletesFrom ?? 0;
  for (const d of p.deletes) addDelete(s, d);
  // A stored archive may begin below the floor: its trimmed head goes again.
  if (p.deleteFloorTso !== undefined) trimDeletes(s, p.deleteFloorTso);
  p.handedOff.forEach((id, i) => s.handedOff.set(id, { partitionId: p.handedOffPartitions?.[i] ?? -1, version: p.handedOffVersions?.[i] ?? 0 }));
  return s;
}

/** The earliest position whose rows recovery must re-read. */
export function replayFromOf(shards: Iterable<ShardData>, applied: number): number {
  let from = applied + 1;
  for (const s of shards) {
    for (const seg of s.segments.values()) if (!s.handedOff.has(seg.id)) from = Math.min(from, readFromOf(seg));
    for (const t of s.txns.values()) from = Math.min(from, t.beginPos);
  }
  return from;
}

/** Checkpoint keys of a pchannel, oldest first: a legacy unkeyed one (it sorts first), then by term. */
async function checkpointKeys(store: ObjectStore, pchannel: string): Promise<string[]> {
  const legacy = legacyCheckpointKey(pchannel), prefix = checkpointPrefix(pchannel);
  return (await store.list(`checkpoints/${pchannel}`)).map((o) => o.key).filter((k) => k === legacy || k.startsWith(prefix));
}

/** Writes `c` under its term, then drops older ones (a stale owner's included); false when a newer term's is there. */
export async function saveCheckpoint(store: ObjectStore, pchannel: string, c: Checkpoint): Promise<boolean> {
  const key = checkpointKey(pchannel, c.term);
  await store.put(key, encodeValue(c));
  const keys = await checkpointKeys(store, pchannel);
  for (const k of keys) if (k < key) await store.delete(k);
  return keys.at(-1) === key;
}

/** The newest term's checkpoint. */
export async function loadCheckpoint(store: ObjectStore, pchannel: string): Promise<Checkpoint | undefined> {
  const newest = (await checkpointKeys(store, pchannel)).at(-1);
  const bytes = newest === undefined ? undefined : await store.get(newest);
  if (!bytes) return undefined;
  const v = decodeValue(bytes) as unknown as Checkpoint;
  if (typeof v !== 'object' || typeof v.applied !== 'number') throw new DecodeError(`checkpoint of ${pchannel} is malformed`);
  for (const p of Object.values(v.shards)) if (p.deleteArchive) p.deletes = [...await readArchives(store, p.deleteArchive), ...p.deletes];
  return v;
}

/**
 * The newest checkpoint, checked against the log: recovery reads from its replay
 * point (the whole log without one), so the log must still start there. An
 * owner truncates only after storing a checkpoint that no longer needs what it
 * drops, so a log that starts later means a newer checkpoint appeared after the
 * load (load again), or that state is lost (refuse, never start with less).
 */
export async function loadRecoverableCheckpoint(store: ObjectStore, backend: WalBackend, pchannel: string): Promise<Checkpoint | undefined> {
  for (let attempt = 0; ; attempt++) {
    const ckpt = await loadCheckpoint(store, pchannel);
    const first = await backend.firstPosition(pchannel);
    const needs = ckpt?.replayFrom ?? 0;
    if (first <= needs) return ckpt;
    if (attempt > 0) {
      throw new NuthatchError('StorageMismatch', `the WAL of ${pchannel} starts at ${first}, but ${ckpt ? `its newest checkpoint (term ${ckpt.term}) replays from ${needs}` : 'there is no checkpoint to start from'}`, { pchannel, first, needs });
    }
  }
}
