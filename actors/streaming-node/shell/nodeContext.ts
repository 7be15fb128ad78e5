import type { InvariantError } from '../../../messages/errors.js';
import type { CoordinatorProtocol } from '../../../messages/rpc/coordinator.js';
import type { AnyMessage, Tso, WalPosition } from '../../../messages/types.js';
import type { InspectEvent, InspectHook } from '../../../runtime/inspect/events.js';
import type { ObjectStore } from '../../../runtime/ports/objectStore.js';
import type { Caller } from '../../../runtime/rpc/typedBus.js';
import { vchannelView, type VchannelSnapshot } from '../core/vchannel/index.js';
import type { ShardData, ShardEffects } from '../core/shardData.js';
import { retentionPolicy, type RetentionPolicy } from '../core/walRetention.js';
import { DEFAULT_ARCHIVE_SWEEP, type ArchiveSweepPolicy } from './archiveSweep.js';
import { JSON_SHREDDING_DEFAULTS, type JsonShreddingConfig } from '../../shared/segment/jsonShredding.js';
import type { PchannelWal } from './pchannelWal.js';
import type { StreamingMetrics } from './streamingMetrics.js';
import type { FenceMarks } from '../../../messages/fenceMarks.js';

export interface StreamingConfig {
  /** Time tick period. */
  tickMs: number;
  checkpointMs: number;
  /** How much WAL history is kept behind the newest checkpoint (see core/walRetention.ts). */
  walRetention: RetentionPolicy;
  segment: { maxBytes: number; maxRows?: number; idleMs: number; lifetimeMs: number };
  /** How long (in TSO time) a retried append is still recognised by its append id. */
  dedupWindowMs: number;
  /** Inserts and upserts are refused while the process's resident memory is at or over this fraction of the machine's (absent: never). */
  memoryHighWaterLevel?: number;
  /** The owner's sweep of delete archives no checkpoint lists (see archiveSweep.ts). */
  archiveSweep: ArchiveSweepPolicy;
  /** JSON shredding of growing segments' chunks (shared/segment/growingShredding.ts), Milvus's common.enabledJSONShredding and dataCoord.jsonShredding* knobs. */
  jsonShredding: JsonShreddingConfig;
}

export const DEFAULT_STREAMING_CONFIG: StreamingConfig = {
  tickMs: 200,
  checkpointMs: 10_000,
  // Milvus 2.6's walTruncate default: a day and two hours of history (sampled every 30 minutes).
  walRetention: retentionPolicy(26 * 3600_000),
  // Clients retry for up to 2 minutes; keep ids well past that.
  dedupWindowMs: 5 * 60_000,
  archiveSweep: DEFAULT_ARCHIVE_SWEEP,
  jsonShredding: JSON_SHREDDING_DEFAULTS,
  segment: { maxBytes: 64 * 1024 * 1024, idleMs: 600_000, lifetimeMs: 24 * 3600_000 },
};

/** What a pchannel WAL needs from the node that hosts it. */
export interface NodeContext {
  nodeId: string;
  log: (...a: unknown[]) => void;
  config: StreamingConfig;
  coordinator: Caller<CoordinatorProtocol>;
  objects: ObjectStore;
  allocId(): Promise<number>;
  dispatchFlush(wal: PchannelWal, vchannel: string, segmentId: number): void;
  /** A segment's Flush was applied (not replayed): a query node may serve it already (it is recorded before its Flush), or its collection was released. */
  flushApplied(wal: PchannelWal, vchannel: string): void;
  walFailed(wal: PchannelWal): void;
  /** The inspection hook (DESIGN.md 8); absent when inspection is off, so emitting costs one check. */
  inspect?: InspectHook;
  metrics: StreamingMetrics;
  /** Admission of a client's write (shell/admissionGate.ts): throws its refusal; absent: everything is admitted. */
  admitWrite?: (messages: readonly AnyMessage[], bytes: number, reservation?: string) => void;
  /** The node's high-water marks of fencing tokens: a fenced append below its key's is refused in the append step (fencedAppend.ts). */
  fenceMarks?: FenceMarks;
}

// ---- inspection events a pchannel WAL emits (built only when `inspect` is set) ----

/** A message the admission machine refused. */
export function rejectedEvent(pchannel: string, m: AnyMessage, e: InvariantError, position?: WalPosition): InspectEvent {
  const h = m.header;
  return { kind: 'rejected', pchannel, vchannel: h.vchannel, type: h.type, tso: h.tso, invariant: e.invariant, code: e.code, reason: e.message, ...(position === undefined ? {} : { position }) };
}

/** A durable message, summarised (rows and segment, never the payload). */
export function appendedEvent(pchannel: string, m: AnyMessage): InspectEvent {
  const h = m.header;
  const b = m.body as { rows?: { count: number }; pks?: unknown[]; segmentId?: number };
  const rows = b.rows?.count ?? b.pks?.length;
  return { kind: 'appended', pchannel, vchannel: h.vchannel, type: h.type, tso: h.tso, position: h.walPosition,
    ...(h.txn ? { txnId: h.txn.id } : {}), ...(rows === undefined ? {} : { rows }), ...(b.segmentId === undefined ? {} : { segmentId: b.segmentId }) };
}

/** A vchannel's state as the inspector shows it. */
export function snapshotEvent(pchannel: string, s: VchannelSnapshot, shard?: ShardData): InspectEvent {
  return { kind: 'snapshot', pchannel, view: vchannelView(s), ...(shard ? { deletes: shard.deletes.length, deletesTrimmed: shard.deleteBase } : {}) };
}

/** What folding one durable message did: a transition, seals and flushes, a snapshot unless it was plain DML. */
export function foldedEvents(pchannel: string, m: AnyMessage, before: VchannelSnapshot, after: VchannelSnapshot, shard: ShardData, fx: ShardEffects): InspectEvent[] {
  const h = m.header;
  const out: InspectEvent[] = [];
  if (before.value !== after.value) out.push({ kind: 'transition', pchannel, vchannel: h.vchannel, from: before.value, to: after.value, type: h.type, tso: h.tso, position: h.walPosition });
  for (const segmentId of fx.sealed) {
    out.push({ kind: 'effect', what: 'segment-sealed', pchannel, vchannel: h.vchannel, segmentId, position: h.walPosition });
    out.push({ kind: 'effect', what: 'flush-dispatched', pchannel, vchannel: h.vchannel, segmentId });
  }
  for (const segmentId of fx.flushed) out.push({ kind: 'effect', what: 'segment-flushed', pchannel, vchannel: h.vchannel, segmentId, position: h.walPosition });
  // Plain DML would make a snapshot per message; ticks snapshot the vchannels it touched instead.
  if (h.type !== 'Insert' && h.type !== 'Delete') out.push(snapshotEvent(pchannel, after, shard));
  return out;
}

/** Serviceable time advanced: the tick, and a snapshot of each vchannel written since the previous one. */
export function tickEvents(pchannel: string, tso: Tso, position: WalPosition, previous: Tso, durable: ReadonlyMap<string, VchannelSnapshot>, shards: ReadonlyMap<string, ShardData>): InspectEvent[] {
  const out: InspectEvent[] = [{ kind: 'tick', pchannel, tso, position }];
  for (const [v, s] of durable) if (s.context.lastTso > previous) out.push(snapshotEvent(pchannel, s, shards.get(v)));
  return out;
}

/** A WAL opened after recovery: the effect, then every vchannel's state. */
export function openedEvents(pchannel: string, term: number, fencePos: WalPosition, detail: string, durable: ReadonlyMap<string, VchannelSnapshot>, shards: ReadonlyMap<string, ShardData>): InspectEvent[] {
  const out: InspectEvent[] = [{ kind: 'effect', what: 'wal-opened', pchannel, term, position: fencePos, detail }];
  for (const [v, s] of durable) out.push(snapshotEvent(pchannel, s, shards.get(v)));
  return out;
}

/** Emits each event; a no-op without a hook. */
export function emitAll(hook: InspectHook | undefined, events: () => InspectEvent[]): void {
  if (hook) for (const e of events()) hook(e);
}
