import { SegmentStatus } from './context.js';
import { addRows, type Evolve } from './evolve.js';
import { refreshed } from './txnClock.js';

/** A plain insert counts at once; a txn body's rows wait in the txn until commit. */
export const insertRows: Evolve<'Insert'> = (ctx, m) => {
  const seg = String(m.body.segmentId), n = m.body.rows.count;
  if (!m.header.txn) return { segments: addRows(ctx.segments, { [seg]: n }) };
  const t = refreshed(ctx.txns[String(m.header.txn.id)]!, m.header.tso);
  return { txns: { ...ctx.txns, [String(t.id)]: { ...t, inserts: { ...t.inserts, [seg]: (t.inserts[seg] ?? 0) + n } } } };
};

/** Deletes change no vchannel state, except that a txn body refreshes its keep-alive. */
export const deleteRows: Evolve<'Delete'> = (ctx, m) => {
  if (!m.header.txn) return {};
  const t = refreshed(ctx.txns[String(m.header.txn.id)]!, m.header.tso);
  return { txns: { ...ctx.txns, [String(t.id)]: t } };
};

export const createSegment: Evolve<'CreateSegment'> = (ctx, m) => {
  const { segmentId: id, partitionId } = m.body;
  return {
    segments: {
      ...ctx.segments,
      [String(id)]: { id, partitionId, status: SegmentStatus.Growing, createdTso: m.header.tso, sealedTso: null, flushedTso: null, sealReason: null, rows: 0 },
    },
  };
};

export const sealSegment: Evolve<'SealSegment'> = (ctx, m) => {
  const s = ctx.segments[String(m.body.segmentId)]!;
  return { segments: { ...ctx.segments, [String(s.id)]: { ...s, status: SegmentStatus.Sealed, sealedTso: m.header.tso, sealReason: m.body.reason } } };
};

export const flushSegment: Evolve<'Flush'> = (ctx, m) => {
  const s = ctx.segments[String(m.body.segmentId)]!;
  return { segments: { ...ctx.segments, [String(s.id)]: { ...s, status: SegmentStatus.Flushed, flushedTso: m.header.tso } } };
};
