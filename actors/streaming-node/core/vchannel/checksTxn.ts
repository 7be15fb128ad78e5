import type { AnyMessage } from '../../../../messages/types.js';
import { TxnStatus, type TxnState, type VchannelContext } from './context.js';
import { tsoText, type Check } from './check.js';
import { isExpired, rememberedTxn } from './txnClock.js';

/** Messages that act on an existing txn when they carry header.txn. */
function actsOnTxn(m: AnyMessage): boolean {
  const t = m.header.type;
  return t === 'CommitTxn' || t === 'RollbackTxn' || ((t === 'Insert' || t === 'Delete') && m.header.txn !== undefined);
}

function txnOf(ctx: VchannelContext, m: AnyMessage): TxnState | undefined {
  return m.header.txn ? rememberedTxn(ctx.txns, m.header.txn.id, m.header.tso) : undefined;
}

/** Body, commit and rollback need their txn begun and not yet finished or forgotten. */
export const txnMustBeOpen: Check = (ctx, m) => {
  if (m.header.type === 'BeginTxn') return m.header.txn ? null : 'BeginTxn needs header.txn with the id of the txn it opens';
  if (!actsOnTxn(m)) return null;
  if (!m.header.txn) return `${m.header.type} needs header.txn naming the txn`;
  return txnOf(ctx, m) ? null : `txn ${m.header.txn.id} is not open (never begun, already committed or rolled back, or long expired)`;
};

export const txnAlreadyOpen: Check = (ctx, m) => {
  if (m.header.type !== 'BeginTxn' || !m.header.txn) return null;
  const t = txnOf(ctx, m);
  if (!t) return null;
  return t.status === TxnStatus.Open ? `txn ${t.id} is already open (begun at tso ${tsoText(t.beganTso)})` : `txn id ${t.id} was used by a txn aborted at tso ${tsoText(t.abortedTso ?? 0n)}`;
};

/** An exclusive DDL failed every open txn of the vchannel. */
export const txnAbortedByDdl: Check = (ctx, m) => {
  if (!actsOnTxn(m)) return null;
  const t = txnOf(ctx, m);
  return t?.status === TxnStatus.Aborted ? `txn ${t.id} was aborted by an exclusive DDL at tso ${tsoText(t.abortedTso ?? 0n)}` : null;
};

/** Expiry = the txn's last TSO + keep-alive; each body message refreshes it. */
export const txnExpired: Check = (ctx, m) => {
  if (!actsOnTxn(m)) return null;
  const t = txnOf(ctx, m);
  if (t?.status !== TxnStatus.Open || !isExpired(t, m.header.tso)) return null;
  return `txn ${t.id} expired at tso ${tsoText(t.expiresTso)} (last message at tso ${tsoText(t.lastTso)} + keep-alive ${t.keepaliveMs} ms); ${m.header.type} came at tso ${tsoText(m.header.tso)}`;
};
