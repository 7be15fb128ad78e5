/**
 * The inspection stream (DESIGN.md section 8, STYLE.md point 12): one typed union
 * of what the actors did, fed by the streaming node's hooks live and by the replay
 * engine offline, consumed by `nuthatch inspect` and `nuthatch replay`. Events are
 * plain values (TSOs as bigint) so they travel through the value codec unchanged.
 */
import type { VchannelState, VchannelView } from '../../actors/streaming-node/core/vchannel/index.js';
import type { InvariantName } from '../../messages/errors.js';
import type { MessageType, Tso, WalPosition } from '../../messages/types.js';

export const InspectKind = {
  Appended: 'appended',
  Rejected: 'rejected',
  Transition: 'transition',
  Snapshot: 'snapshot',
  Effect: 'effect',
  Tick: 'tick',
} as const;
export type InspectKind = (typeof InspectKind)[keyof typeof InspectKind];

/** A message is durable in the WAL (TimeTicks included; their vchannel is ''). */
export interface MessageAppended {
  kind: 'appended';
  pchannel: string;
  vchannel: string;
  type: MessageType;
  tso: Tso;
  position: WalPosition;
  txnId?: number;
  /** Insert rows / Delete primary keys, so the tail reads without the payload. */
  rows?: number;
  segmentId?: number;
}

/** The vchannel machine refused a message: it was never appended. */
export interface MessageRejected {
  kind: 'rejected';
  pchannel: string;
  vchannel: string;
  type: MessageType;
  tso: Tso;
  invariant: InvariantName;
  /** The error code the client received (e.g. CollectionNotFound). */
  code: string;
  reason: string;
  /** Only set by replay: where the refused message sits in the log. */
  position?: WalPosition;
}

/** A vchannel machine changed state (absent -> live -> dropped). */
export interface MachineTransition {
  kind: 'transition';
  pchannel: string;
  vchannel: string;
  from: VchannelState;
  to: VchannelState;
  type: MessageType;
  tso: Tso;
  position: WalPosition;
}

/** One vchannel's durable state: after DDL and segment lifecycle, at ticks after writes, on demand. */
export interface VchannelSnapshotEvent {
  kind: 'snapshot';
  pchannel: string;
  view: VchannelView;
  /** Deletes held in the shard's delete log, when the emitter holds the shard. */
  deletes?: number;
  /** Deletes trimmed from the head of that log (TrimDeletes): they reach no row any more. */
  deletesTrimmed?: number;
}

export const EffectWhat = {
  FlushDispatched: 'flush-dispatched',
  SegmentSealed: 'segment-sealed',
  SegmentFlushed: 'segment-flushed',
  CheckpointWritten: 'checkpoint-written',
  WalTruncated: 'wal-truncated',
  WalOpened: 'wal-opened',
  WalFenced: 'wal-fenced',
  WalFailed: 'wal-failed',
} as const;
export type EffectWhat = (typeof EffectWhat)[keyof typeof EffectWhat];

/** Something an actor's shell did to the outside world (I/O), after durability. */
export interface EffectEvent {
  kind: 'effect';
  what: EffectWhat;
  pchannel: string;
  vchannel?: string;
  segmentId?: number;
  position?: WalPosition;
  term?: number;
  detail?: string;
}

/** Serviceable time advanced on a pchannel: every message up to `tso` is durable and folded. */
export interface TimeTickEvent {
  kind: 'tick';
  pchannel: string;
  tso: Tso;
  /** The last WAL position folded on this pchannel. */
  position: WalPosition;
}

export type InspectEvent = MessageAppended | MessageRejected | MachineTransition | VchannelSnapshotEvent | EffectEvent | TimeTickEvent;

/** The hook an actor emits through; absent when inspection is off. */
export type InspectHook = (e: InspectEvent) => void;

/** An event as it travels: who emitted it, in which order, and when (wall clock of the emitter). */
export interface InspectEnvelope {
  actor: string;
  nodeId: string;
  /** Per-emitter sequence number: a gap means the consumer missed events. */
  seq: number;
  atMs: number;
  event: InspectEvent;
}
