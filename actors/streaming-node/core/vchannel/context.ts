import type { IndexParams, Tso } from '../../../../messages/types.js';
import type { CollectionSchema, MetricType } from '../../../../messages/schema.js';

/**
 * The state one vchannel machine folds out of its WAL. Plain data only (records
 * keyed by decimal id, no Map/Set/class) so a snapshot can be compared, copied and
 * persisted; TSOs are bigints here and become strings in `persistVchannel`.
 */
export interface VchannelContext {
  vchannel: string;
  /** TSO of the last accepted message; 0n before the first one. */
  lastTso: Tso;
  collection: CollectionInfo | null;
  /** Keyed by partition id. Dropped partitions stay so their ids are never reused. */
  partitions: Record<string, PartitionState>;
  /** Keyed by segment id. Flushed segments stay so their ids are never reused. */
  segments: Record<string, SegmentState>;
  /** Keyed by index name. */
  indexes: Record<string, IndexState>;
  /** Open and aborted transactions still remembered, keyed by txn id (see txnClock.ts). */
  txns: Record<string, TxnState>;
}

export interface CollectionInfo {
  id: number;
  name: string;
  schema: CollectionSchema;
  metricType: MetricType;
  shards: number;
  shardIndex: number;
  consistencyLevel: string;
  /** The first partition of CreateCollection, named `_default`; it can never be dropped. */
  defaultPartitionId: number;
  createdTso: Tso;
  /**
   * TSO of the last schema DDL (Add/Alter/DropCollectionField, Add/Alter/DropCollectionFunction): writes
   * shaped against an older schema version are refused (checksSchema.ts). Absent: none since creation
   * (or a state saved before versions were kept).
   */
  schemaTso?: Tso;
  /** Set by DropCollection; the machine is then in state `dropped`. */
  droppedTso: Tso | null;
  /** Rows expire this long after their insert (CreateCollection, AlterCollection); absent or 0: never. */
  ttlSeconds?: number;
  /** The `ttl_field` property: each entity expires at this Timestamptz field's value (messages/entityTtl.ts). */
  ttlField?: string;
  /** The ttl_field last dropped or replaced (AlterCollection), and that message's TSO: what it had expired stays hidden. */
  droppedTtlField?: string;
  droppedTtlFieldTso?: Tso;
}

export const PartitionStatus = { Live: 'live', Dropped: 'dropped' } as const;
export type PartitionStatus = (typeof PartitionStatus)[keyof typeof PartitionStatus];

export interface PartitionState {
  id: number;
  name: string;
  status: PartitionStatus;
  createdTso: Tso;
  droppedTso: Tso | null;
  /**
   * An insert's TSO must exceed this. Starts at the partition's creation TSO,
   * raised by ManualFlush, and 'infinite' once the partition is dropped.
   */
  allocationFence: Tso | 'infinite';
}

export const SegmentStatus = { Growing: 'growing', Sealed: 'sealed', Flushed: 'flushed' } as const;
export type SegmentStatus = (typeof SegmentStatus)[keyof typeof SegmentStatus];

export interface SegmentState {
  id: number;
  partitionId: number;
  status: SegmentStatus;
  createdTso: Tso;
  sealedTso: Tso | null;
  flushedTso: Tso | null;
  /** Why it was sealed (SealSegment.reason, 'ManualFlush' or 'DropPartition'). */
  sealReason: string | null;
  /**
   * Visible rows: plain inserts count at append, transaction bodies at their
   * commit (pending body rows live in the txn, see TxnState.inserts).
   */
  rows: number;
}

export interface IndexState extends IndexParams { createdTso: Tso }

export const TxnStatus = { Open: 'open', Aborted: 'aborted' } as const;
export type TxnStatus = (typeof TxnStatus)[keyof typeof TxnStatus];

export interface TxnState {
  id: number;
  status: TxnStatus;
  keepaliveMs: number;
  beganTso: Tso;
  /** TSO of BeginTxn or of the latest body message. */
  lastTso: Tso;
  /** lastTso + keepalive: a body or commit above it finds the txn expired. */
  expiresTso: Tso;
  /** Rows inserted by the body so far, keyed by segment id; applied at commit. */
  inserts: Record<string, number>;
  /** Body messages so far (inserts and deletes). */
  bodyMessages: number;
  /** Set when an exclusive DDL aborted it. */
  abortedTso: Tso | null;
}

/** The context of a vchannel before its first message. */
export function initialContext(vchannel: string): VchannelContext {
  return { vchannel, lastTso: 0n, collection: null, partitions: {}, segments: {}, indexes: {}, txns: {} };
}
