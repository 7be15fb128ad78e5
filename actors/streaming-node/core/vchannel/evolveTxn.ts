import type { MessageType } from '../../../../messages/types.js';
import { TxnStatus, type TxnState } from './context.js';
import { addRows, type Evolve } from './evolve.js';
import { expiryOf, pruneTxns } from './txnClock.js';

export const beginTxn: Evolve<'BeginTxn'> = (ctx, m) => {
  const id = m.header.txn!.id, tso = m.header.tso, keepaliveMs = m.body.keepaliveMs;
  const t: TxnState = { id, status: TxnStatus.Open, keepaliveMs, beganTso: tso, lastTso: tso, expiresTso: expiryOf(tso, keepaliveMs), inserts: {}, bodyMessages: 0, abortedTso: null };
  return { txns: { ...ctx.txns, [String(id)]: t } };
};

/** The body becomes visible as one unit: its rows join their segments now. */
export const commitTxn: Evolve<'CommitTxn'> = (ctx, m) => {
  const key = String(m.header.txn!.id), txns = { ...ctx.txns };
  const t = txns[key]!;
  delete txns[key];
  return { txns, segments: addRows(ctx.segments, t.inserts) };
};

export const rollbackTxn: Evolve<'RollbackTxn'> = (ctx, m) => {
  const txns = { ...ctx.txns };
  delete txns[String(m.header.txn!.id)];
  return { txns };
};

/**
 * Exclusive DDL fails every open txn: its pending rows are dropped and its id is
 * remembered (see txnClock.ts) so a late body or commit gets TxnAbortedByDdl.
 */
export const abortOpenTxns: Evolve<MessageType> = (ctx, m) => {
  const txns = { ...ctx.txns };
  for (const t of Object.values(ctx.txns)) {
    if (t.status === TxnStatus.Open) txns[String(t.id)] = { ...t, status: TxnStatus.Aborted, abortedTso: m.header.tso, inserts: {} };
  }
  return { txns };
};

/** Forgets txns past their remembrance window; runs on every accepted message. */
export const forgetOldTxns: Evolve<MessageType> = (ctx, m) => {
  const txns = pruneTxns(ctx.txns, m.header.tso);
  return txns === ctx.txns ? {} : { txns };
};
