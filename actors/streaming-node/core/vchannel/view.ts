import type { Tso } from '../../../../messages/types.js';
import { TxnStatus, type CollectionInfo, type IndexState, type PartitionState, type SegmentState } from './context.js';
import type { VchannelSnapshot } from './apply.js';
import { isExpired } from './txnClock.js';

export type VchannelState = 'absent' | 'live' | 'dropped';

/** A segment as the seal policy sees it: `rows` are visible, `pendingRows` wait in open txns. */
export interface SegmentView extends SegmentState { pendingRows: number }

export interface TxnView {
  id: number;
  keepaliveMs: number;
  beganTso: Tso;
  lastTso: Tso;
  expiresTso: Tso;
  /** Expired as of the vchannel's last TSO (the machine has no other clock). */
  expired: boolean;
  bodyMessages: number;
  pendingRows: number;
}

/** A read-only summary of one vchannel: for segment assignment and the inspector. */
export interface VchannelView {
  vchannel: string;
  state: VchannelState;
  lastTso: Tso;
  collection: Readonly<CollectionInfo> | null;
  /** Ordered by id; dropped partitions included (status 'dropped'). */
  partitions: readonly Readonly<PartitionState>[];
  /** Ordered by id. */
  segments: readonly Readonly<SegmentView>[];
  /** Open txns (including expired ones not yet forgotten), ordered by id. */
  openTxns: readonly Readonly<TxnView>[];
  /** Txn ids aborted by exclusive DDL and still remembered. */
  abortedTxns: readonly { id: number; abortedTso: Tso }[];
  /** Ordered by name. */
  indexes: readonly Readonly<IndexState>[];
}

const byId = <T extends { id: number }>(a: T, b: T) => a.id - b.id;
const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

/** Summarises a snapshot. The result is a fresh copy: changing it does not touch the snapshot. */
export function vchannelView(s: VchannelSnapshot): VchannelView {
  const c = structuredClone(s.context);
  const txns = Object.values(c.txns).sort(byId);
  const pending: Record<string, number> = {};
  for (const t of txns) if (t.status === TxnStatus.Open) for (const [seg, n] of Object.entries(t.inserts)) pending[seg] = (pending[seg] ?? 0) + n;
  return {
    vchannel: c.vchannel,
    state: String(s.value) as VchannelState,
    lastTso: c.lastTso,
    collection: c.collection,
    partitions: Object.values(c.partitions).sort(byId),
    segments: Object.values(c.segments).sort(byId).map((seg) => ({ ...seg, pendingRows: pending[String(seg.id)] ?? 0 })),
    openTxns: txns.filter((t) => t.status === TxnStatus.Open).map((t) => ({
      id: t.id, keepaliveMs: t.keepaliveMs, beganTso: t.beganTso, lastTso: t.lastTso, expiresTso: t.expiresTso,
      expired: isExpired(t, c.lastTso), bodyMessages: t.bodyMessages, pendingRows: sum(t.inserts),
    })),
    abortedTxns: txns.filter((t) => t.status === TxnStatus.Aborted).map((t) => ({ id: t.id, abortedTso: t.abortedTso ?? 0n })),
    indexes: Object.values(c.indexes).sort((a, b) => (a.indexName < b.indexName ? -1 : a.indexName > b.indexName ? 1 : 0)),
  };
}
