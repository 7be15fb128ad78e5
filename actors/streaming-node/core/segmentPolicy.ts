import { physicalMs, type Tso } from '../../../messages/types.js';
import type { VchannelContext } from './vchannel/context.js';

/**
 * Segment assignment and seal policies (pure). One growing segment per partition
 * until it is full; seal on size, idle time or lifetime. Time is the TSO of the
 * latest tick, never the clock.
 */
export interface SegmentLimits {
  /** Rows per segment (derived from a byte budget and the row width). */
  maxRows: number;
  /** Seal a segment with rows after this long without writes. */
  idleMs: number;
  /** Seal a segment this long after it was created. */
  lifetimeMs: number;
}

export { DEFAULT_SEGMENT_BYTES, rowsForBytes } from '../../shared/segment/segmentSize.js';

export type Assignment = { segmentId: number } | { create: true; seal: number | null };

/**
 * Where an insert of `rows` rows into `partitionId` goes: the first growing
 * segment with room. A full one stays growing while an open txn holds rows in it
 * (its seal is refused until the txn ends), so it is passed over, not a reason to
 * create another segment for every insert meanwhile.
 */
export function assignSegment(ctx: VchannelContext, partitionId: number, rows: number, limits: SegmentLimits): Assignment {
  let full: number | null = null;
  for (const s of Object.values(ctx.segments)) {
    if (s.partitionId !== partitionId || s.status !== 'growing') continue;
    if (s.rows + rows <= limits.maxRows || s.rows === 0) return { segmentId: s.id };
    full ??= s.id;
  }
  return { create: true, seal: full };
}

/** Growing segments a policy says to seal now. */
export function segmentsToSeal(ctx: VchannelContext, now: Tso, lastWrite: (segmentId: number) => Tso | undefined, limits: SegmentLimits): Array<{ segmentId: number; reason: string }> {
  const out: Array<{ segmentId: number; reason: string }> = [];
  const nowMs = physicalMs(now);
  for (const s of Object.values(ctx.segments)) {
    if (s.status !== 'growing' || s.rows === 0) continue;
    if (s.rows >= limits.maxRows) out.push({ segmentId: s.id, reason: 'size' });
    else if (nowMs - physicalMs(lastWrite(s.id) ?? s.createdTso) >= limits.idleMs) out.push({ segmentId: s.id, reason: 'idle' });
    else if (nowMs - physicalMs(s.createdTso) >= limits.lifetimeMs) out.push({ segmentId: s.id, reason: 'lifetime' });
  }
  return out;
}
