import { SegmentStatus, type SegmentState, type VchannelContext } from './context.js';
import { isType, tsoText, type Check } from './check.js';
import { isLive } from './txnClock.js';

function segment(ctx: VchannelContext, id: number): SegmentState | undefined { return ctx.segments[String(id)]; }

export const segmentIdMustBeNew: Check = (ctx, m) => {
  if (!isType(m, 'CreateSegment')) return null;
  const s = segment(ctx, m.body.segmentId);
  return s ? `segment id ${s.id} is already used (partition ${s.partitionId}, ${s.status})` : null;
};

/** Inserts go to a growing segment of their own partition; only a growing segment can be sealed. */
export const segmentMustBeGrowing: Check = (ctx, m) => {
  if (!isType(m, 'Insert') && !isType(m, 'SealSegment')) return null;
  const s = segment(ctx, m.body.segmentId);
  if (!s) return `segment ${m.body.segmentId} does not exist`;
  if (s.status !== SegmentStatus.Growing) return `segment ${s.id} is ${s.status}, not growing`;
  if (isType(m, 'Insert') && s.partitionId !== m.body.partitionId) return `segment ${s.id} belongs to partition ${s.partitionId}, not ${m.body.partitionId}`;
  return null;
};

/** An insert is above its partition's allocation fence (raised by ManualFlush, infinite after DropPartition). */
export const insertAfterAllocationFence: Check = (ctx, m) => {
  if (!isType(m, 'Insert')) return null;
  const p = ctx.partitions[String(m.body.partitionId)];
  if (!p) return null;
  if (p.allocationFence === 'infinite') return `partition ${p.id} accepts no more inserts (its allocation fence is infinite)`;
  return m.header.tso > p.allocationFence ? null : `insert at tso ${tsoText(m.header.tso)} is not above partition ${p.id}'s allocation fence ${tsoText(p.allocationFence)}`;
};

export const insertAfterSegmentCreate: Check = (ctx, m) => {
  if (!isType(m, 'Insert')) return null;
  const s = segment(ctx, m.body.segmentId);
  return s && m.header.tso <= s.createdTso ? `insert at tso ${tsoText(m.header.tso)} is not above segment ${s.id}'s CreateSegment tso ${tsoText(s.createdTso)}` : null;
};

/** A segment an open, unexpired txn inserted into stays growing until that txn ends. */
export const segmentHasOpenTxn: Check = (ctx, m) => {
  if (!isType(m, 'SealSegment')) return null;
  const key = String(m.body.segmentId);
  const holders = Object.values(ctx.txns).filter((t) => isLive(t, m.header.tso) && (t.inserts[key] ?? 0) > 0).map((t) => t.id);
  return holders.length ? `segment ${key} has rows of open txn(s) ${holders.join(', ')}; seal it after they commit or roll back` : null;
};

export const segmentMustBeSealed: Check = (ctx, m) => {
  if (!isType(m, 'Flush')) return null;
  const s = segment(ctx, m.body.segmentId);
  if (!s) return `segment ${m.body.segmentId} does not exist`;
  return s.status === SegmentStatus.Sealed ? null : `segment ${s.id} is ${s.status}; only a sealed segment can be flushed`;
};
