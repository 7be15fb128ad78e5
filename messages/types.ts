import type { CollectionSchema, FieldSchema, MetricType, PrimaryKey, Rows } from './schema.js';
import type { FieldParams } from './alteredField.js';
import type { FunctionSchema } from './schemaFunctions.js';

/** Every WAL message type (DESIGN.md section 4). */
export const MessageType = {
  TimeTick: 'TimeTick',
  CreateCollection: 'CreateCollection',
  DropCollection: 'DropCollection',
  CreatePartition: 'CreatePartition',
  DropPartition: 'DropPartition',
  Insert: 'Insert',
  Delete: 'Delete',
  CreateSegment: 'CreateSegment',
  SealSegment: 'SealSegment',
  Flush: 'Flush',
  ManualFlush: 'ManualFlush',
  CreateIndex: 'CreateIndex',
  DropIndex: 'DropIndex',
  BeginTxn: 'BeginTxn',
  CommitTxn: 'CommitTxn',
  RollbackTxn: 'RollbackTxn',
  TrimDeletes: 'TrimDeletes',
  AlterCollection: 'AlterCollection',
  RenameCollection: 'RenameCollection',
  AddCollectionField: 'AddCollectionField',
  AlterCollectionField: 'AlterCollectionField',
  DropCollectionField: 'DropCollectionField',
  AddCollectionFunction: 'AddCollectionFunction',
  AlterCollectionFunction: 'AlterCollectionFunction',
  DropCollectionFunction: 'DropCollectionFunction',
  TruncateCollection: 'TruncateCollection',
  RestoreDeletes: 'RestoreDeletes',
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** The current version of each body layout; older versions are upcast on read. */
export const MESSAGE_VERSION = 1;

/** A WAL position: the gap-free entry number within one pchannel. */
export type WalPosition = number;

/** A hybrid timestamp: physical_ms << 18 | logical. */
export type Tso = bigint;

export interface TxnContext { id: number; keepaliveMs?: number }
export interface BroadcastHeader { id: number; vchannels: string[] }

export interface Header {
  type: MessageType;
  version: number;
  /** Empty for messages that address the whole pchannel (TimeTick). */
  vchannel: string;
  /** Assigned by the WAL at append; 0n on a message not yet appended. */
  tso: Tso;
  /** Assigned by the backend; -1 before append. Not encoded in the payload. */
  walPosition: WalPosition;
  /** The position a reader may safely restart from (recovery checkpoint). */
  lastConfirmed: WalPosition;
  txn?: TxnContext;
  broadcast?: BroadcastHeader;
  /**
   * A writer's id for this append, unique per logical write: a retried append
   * carries the same id, and the WAL answers it with the first append's result
   * instead of appending twice (idempotent appends).
   */
  appendId?: string;
}

export interface PartitionInfo { id: number; name: string }
/** An index of one field: a vector index has a metric; a scalar index (INVERTED, STL_SORT, BITMAP, Trie, NGRAM) has none. */
export interface IndexParams { indexName: string; fieldName: string; indexType: string; metricType?: MetricType; params: Record<string, number | string> }

/**
 * What a schema-changing DDL carries: the schema version it gives the
 * collection (messages/schemaVersion.ts), a TSO the coordinator took before
 * broadcasting it, in the collection's DDL order. A shard's stamp of the DDL
 * cannot be the version: streaming nodes stamp from batches of TSOs taken
 * ahead, so a later DDL may be stamped below an earlier one's saved version.
 * Absent in logs from before it: the message's TSO stands in.
 */
export interface SchemaDdl { schemaVersion?: Tso }

export interface Bodies {
  TimeTick: { persisted: boolean };
  /** `ttlSeconds` absent or 0: rows never expire; `ttlField`: each entity's expiry time (messages/entityTtl.ts). */
  CreateCollection: { collectionId: number; name: string; schema: CollectionSchema; shardIndex: number; shards: number; partitions: PartitionInfo[]; metricType: MetricType; consistencyLevel: string; ttlSeconds?: number; ttlField?: string };
  DropCollection: { collectionId: number };
  CreatePartition: { collectionId: number; partition: PartitionInfo };
  DropPartition: { collectionId: number; partitionId: number };
  /**
   * `schemaVersion`: the collection's schema version (CollectionRecord.schemaVersion) the writer shaped
   * the rows against; the shard refuses the insert if its schema changed after it (messages/schemaVersion.ts).
   * Absent (messages written before versions, replicated writes): not checked.
   */
  Insert: { collectionId: number; partitionId: number; segmentId: number; rows: Rows; schemaVersion?: Tso };
  /** Deletes by primary key; partitionId -1 means every partition. `schemaVersion` as Insert's. */
  Delete: { collectionId: number; partitionId: number; pks: PrimaryKey[]; schemaVersion?: Tso };
  CreateSegment: { collectionId: number; partitionId: number; segmentId: number };
  SealSegment: { collectionId: number; segmentId: number; reason: string };
  /** A sealed segment is persisted: recovery may skip it. */
  Flush: { collectionId: number; segmentId: number };
  ManualFlush: { collectionId: number };
  CreateIndex: { collectionId: number; index: IndexParams };
  DropIndex: { collectionId: number; indexName: string };
  BeginTxn: { keepaliveMs: number };
  CommitTxn: Record<string, never>;
  RollbackTxn: Record<string, never>;
  /**
   * Deletes at or below `floorTso` reach no row of any segment of the shard any
   * more (each segment's rows are newer, or compaction removed what they hid):
   * every fold of the shard's delete log drops them.
   */
  TrimDeletes: { collectionId: number; floorTso: Tso };
  /**
   * A collection's properties change: rows expire `ttlSeconds` after their insert from this TSO on (0: never),
   * and each entity at its `ttlField` value (absent: no ttl_field; one dropped or replaced leaves what it had
   * expired hidden, messages/entityTtl.ts).
   */
  AlterCollection: { collectionId: number; ttlSeconds: number; ttlField?: string };
  /** A collection takes a new name from this TSO on (readers, replays and errors name it so). */
  RenameCollection: { collectionId: number; name: string };
  /** A nullable scalar field joins the schema from this TSO on (messages/addedField.ts); earlier rows read null. */
  AddCollectionField: { collectionId: number; field: FieldSchema } & SchemaDdl;
  /**
   * A field's write-time limits change from this TSO on (messages/alteredField.ts):
   * inserts stamped after it are checked against `params`, those before it were
   * checked against the old limits, and stored rows are never checked again.
   */
  AlterCollectionField: { collectionId: number; fieldName: string; params: FieldParams } & SchemaDdl;
  /** A field leaves the schema from this TSO on (messages/droppedField.ts): later writes may not name it; stored columns stay, unread. */
  DropCollectionField: { collectionId: number; fieldName: string } & SchemaDdl;
  /**
   * A function joins the schema from this TSO on (messages/collectionFunctions.ts): writes stamped after it
   * carry its output, computed from its input; rows written before keep what they were written with.
   */
  AddCollectionFunction: { collectionId: number; function: FunctionSchema } & SchemaDdl;
  /** The function of this name computes its output by this definition (new input field or params) from this TSO on. */
  AlterCollectionFunction: { collectionId: number; function: FunctionSchema } & SchemaDdl;
  /** The function leaves the schema from this TSO on: its output field is a plain field writes must give. */
  DropCollectionFunction: { collectionId: number; functionName: string } & SchemaDdl;
  /**
   * Every row of the shard written before this TSO is gone (Milvus's
   * TruncateCollection): growing segments are sealed and dropped, partitions
   * and schema stay; rows after it land in new segments.
   */
  TruncateCollection: { collectionId: number };
  /**
   * A restored snapshot's deletes (coordinator/core/collectionSnapshots.ts), each
   * with the TSO it was made at in the source: appended to a restored collection's
   * shard before it takes writes, so they hide exactly the rows they hid there.
   */
  RestoreDeletes: { collectionId: number; entries: Array<{ pk: PrimaryKey; tso: Tso; partitionId?: number }> };
}

/** A typed WAL message: a header and the body that its type names. */
export type Message<T extends MessageType = MessageType> = T extends MessageType
  ? { header: Header & { type: T }; body: Bodies[T] }
  : never;

export type AnyMessage = Message<MessageType>;

/** Messages that run alone on their vchannel and fail its open transactions. */
export const EXCLUSIVE: ReadonlySet<MessageType> = new Set<MessageType>([
  'CreateCollection', 'DropCollection', 'CreatePartition', 'DropPartition', 'ManualFlush', 'CreateIndex', 'DropIndex', 'AddCollectionField', 'AlterCollectionField', 'DropCollectionField',
  'AddCollectionFunction', 'AlterCollectionFunction', 'DropCollectionFunction', 'TruncateCollection', 'RestoreDeletes',
]);

/** Messages only the WAL itself produces (a client may not append them). */
export const WAL_GENERATED: ReadonlySet<MessageType> = new Set<MessageType>(['TimeTick', 'CreateSegment', 'SealSegment', 'Flush', 'TrimDeletes']);

/** Messages that may be the body of a transaction. */
export const TXN_BODY: ReadonlySet<MessageType> = new Set<MessageType>(['Insert', 'Delete']);

/** Builds a not-yet-appended message. */
export function newMessage<T extends MessageType>(type: T, vchannel: string, body: Bodies[T], txn?: TxnContext): Message<T> {
  const header: Header = { type, version: MESSAGE_VERSION, vchannel, tso: 0n, walPosition: -1, lastConfirmed: -1 };
  if (txn) header.txn = txn;
  return { header, body } as unknown as Message<T>;
}

/** TSO arithmetic: hybrid timestamps are physical_ms << 18 | logical. */
export const TSO_LOGICAL_BITS = 18n;
export function tsoOf(physicalMs: number, logical = 0): Tso { return (BigInt(physicalMs) << TSO_LOGICAL_BITS) | BigInt(logical); }
export function physicalMs(t: Tso): number { return Number(t >> TSO_LOGICAL_BITS); }
export function tsoAddMs(t: Tso, ms: number): Tso { return t + (BigInt(Math.round(ms)) << TSO_LOGICAL_BITS); }

/** The body of a message whose type the caller has just checked (narrowing helper). */
export function bodyOf<T extends MessageType>(m: AnyMessage, _type: T): Bodies[T] { return m.body as Bodies[T]; }
