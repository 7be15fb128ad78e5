import { tsoAddMs, type Tso } from '../../../../messages/types.js';
import { TxnStatus, type TxnState } from './context.js';

/**
 * Transaction time, read only from TSOs. A txn expires when a message arrives
 * above `lastTso + keepalive`. Open and aborted txn ids are remembered for one
 * more keep-alive after their expiry so a late body or commit gets the precise
 * reason (TxnExpired, TxnAbortedByDdl); after that they are forgotten and the
 * same message gets TxnMustBeOpen. This keeps memory bounded by the txns of the
 * last few keep-alive windows. Verdicts use `rememberedTxn`, which applies the
 * same rule, so they never depend on when pruning happened.
 */

/** The TSO a txn expires at, given its latest message. */
export function expiryOf(lastTso: Tso, keepaliveMs: number): Tso { return tsoAddMs(lastTso, keepaliveMs); }

/** Whether a message at `tso` finds the txn expired. */
export function isExpired(t: TxnState, tso: Tso): boolean { return tso > t.expiresTso; }

/** Whether a txn at `tso` is open and not expired: the only state that blocks a seal. */
export function isLive(t: TxnState, tso: Tso): boolean { return t.status === TxnStatus.Open && !isExpired(t, tso); }

/** The last TSO at which the txn id is still remembered. */
export function forgetAfter(t: TxnState): Tso { return tsoAddMs(t.expiresTso, t.keepaliveMs); }

/** The txn with this id as a message at `tso` sees it, or undefined if unknown/forgotten. */
export function rememberedTxn(txns: Record<string, TxnState>, id: number, tso: Tso): TxnState | undefined {
  const t = txns[String(id)];
  return t && tso <= forgetAfter(t) ? t : undefined;
}

/** Drops txns no longer remembered at `tso`; returns the same object when nothing changes. */
export function pruneTxns(txns: Record<string, TxnState>, tso: Tso): Record<string, TxnState> {
  const stale = Object.values(txns).filter((t) => tso > forgetAfter(t));
  if (stale.length === 0) return txns;
  const next = { ...txns };
  for (const t of stale) delete next[String(t.id)];
  return next;
}

/** Body message at `tso`: refreshes the keep-alive. */
export function refreshed(t: TxnState, tso: Tso): TxnState {
  return { ...t, lastTso: tso, expiresTso: expiryOf(tso, t.keepaliveMs), bodyMessages: t.bodyMessages + 1 };
}
