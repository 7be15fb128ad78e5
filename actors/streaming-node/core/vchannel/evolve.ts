import type { Message, MessageType, Tso } from '../../../../messages/types.js';
import { SegmentStatus, type SegmentState, type VchannelContext } from './context.js';

/**
 * How an accepted message changes the context: a pure function returning the
 * changed fields (the machine's `assign` merges them). Evolvers never check;
 * the machine ran every check before choosing to accept.
 */
export type Evolve<T extends MessageType> = (ctx: VchannelContext, m: Message<T>) => Partial<VchannelContext>;

/** Seals every growing segment `which` selects (ManualFlush, DropPartition). */
export function sealWhere(ctx: VchannelContext, tso: Tso, reason: string, which: (s: SegmentState) => boolean): Record<string, SegmentState> {
  const next = { ...ctx.segments };
  for (const s of Object.values(ctx.segments)) {
    if (s.status === SegmentStatus.Growing && which(s)) next[String(s.id)] = { ...s, status: SegmentStatus.Sealed, sealedTso: tso, sealReason: reason };
  }
  return next;
}

/** Adds rows to segments (plain inserts, committed txn bodies). */
export function addRows(segments: Record<string, SegmentState>, rows: Record<string, number>): Record<string, SegmentState> {
  const next = { ...segments };
  for (const [id, n] of Object.entries(rows)) {
    const s = next[id];
    if (s) next[id] = { ...s, rows: s.rows + n };
  }
  return next;
}

/** Every accepted message: the vchannel's clock moves to its TSO. */
export const stamp: Evolve<MessageType> = (_ctx, m) => ({ lastTso: m.header.tso });
