import { decodeMessage } from '../../../messages/codec.js';
import type { InvariantError } from '../../../messages/errors.js';
import type { AnyMessage } from '../../../messages/types.js';
import type { WalBackend } from '../../../runtime/ports/walBackend.js';
import { applyMessage, initialVchannel, restoreVchannel, type VchannelSnapshot } from '../core/vchannel/index.js';
import { evolveShard, newShard, type ShardData, type ShardEffects } from '../core/shardData.js';
import { jsonColumnNames, type JsonShreddingConfig } from '../../shared/segment/jsonShredding.js';
import type { GrowingShredPlan } from '../../shared/segment/growingShredding.js';
import { restoreShard, type Checkpoint } from './checkpoint.js';

/**
 * The durable state of a pchannel's shards, as the owner's WAL and every follower
 * fold it: the vchannel machines and the shard data, advanced by durable messages
 * in WAL order with the same pure folds (applyMessage, evolveShard).
 */
export interface DurableState {
  readonly durable: Map<string, VchannelSnapshot>;
  readonly shards: Map<string, ShardData>;
  /** How growing chunks' JSON columns are shredded (absent: they are not). */
  readonly shredding?: JsonShreddingConfig;
}

/** The shredding of a vchannel's growing chunks: its collection's JSON columns under the node's knobs. */
function shredPlan(state: DurableState, v: VchannelSnapshot | undefined): GrowingShredPlan | undefined {
  const schema = v?.context.collection?.schema, cfg = state.shredding;
  if (!schema || !cfg?.enabledJSONShredding) return undefined;
  const columns = jsonColumnNames(schema);
  return columns.length > 0 ? { columns, cfg } : undefined;
}

/** What folding one message did; `rejected` when the machine refuses it (it is skipped). */
export type Folded =
  | { ok: true; before: VchannelSnapshot; after: VchannelSnapshot; shard: ShardData; fx: ShardEffects }
  | { ok: false; error: InvariantError };

/** Folds one durable message that is not a TimeTick into the machines and the shard data. */
export function foldDurable(state: DurableState, m: AnyMessage): Folded {
  const v = m.header.vchannel;
  const before = state.durable.get(v) ?? initialVchannel(v);
  const verdict = applyMessage(before, m);
  if (!verdict.ok) return { ok: false, error: verdict.error };
  state.durable.set(v, verdict.snapshot);
  let shard = state.shards.get(v);
  if (!shard) { shard = newShard(v, -1); state.shards.set(v, shard); }
  const shred = m.header.type === 'Insert' || m.header.type === 'CommitTxn' ? shredPlan(state, verdict.snapshot) : undefined;
  const fx = evolveShard(shard, m, shred ? { shred } : {});
  return { ok: true, before, after: verdict.snapshot, shard, fx };
}

/**
 * Restores a checkpoint into empty state and re-reads the log before it for the
 * rows still held in memory (growing segments, open transactions); the caller
 * folds everything after `ckpt.applied`.
 */
export async function restoreCheckpoint(state: DurableState, ckpt: Checkpoint, backend: WalBackend, pchannel: string): Promise<void> {
  for (const [v, p] of Object.entries(ckpt.vchannels)) state.durable.set(v, restoreVchannel(p));
  for (const [v, p] of Object.entries(ckpt.shards)) state.shards.set(v, restoreShard(v, p));
  const holds = new Map([...state.shards].map(([v, s]) => [v, new Set([...s.segments.values()].filter((g) => !s.handedOff.has(g.id) && !g.partitionDropped).map((g) => g.id))]));
  for await (const batch of backend.read(pchannel, Math.max(ckpt.replayFrom, await backend.firstPosition(pchannel)), ckpt.applied + 1)) {
    for (const r of batch) {
      const m = decodeMessage(r.payload, r.position);
      const s = state.shards.get(m.header.vchannel);
      const shred = m.header.type === 'Insert' || m.header.type === 'CommitTxn' ? shredPlan(state, state.durable.get(m.header.vchannel)) : undefined;
      if (s) evolveShard(s, m, { dataOnly: true, holdOnly: holds.get(m.header.vchannel), ...(shred ? { shred } : {}) });
    }
  }
}
