import type { Bodies, IndexParams } from '../../../messages/types.js';
import type { FieldSchema, PrimaryKey, Rows } from '../../../messages/schema.js';
import type { FieldParams } from '../../../messages/alteredField.js';
import type { FunctionSchema } from '../../../messages/schemaFunctions.js';

/** A row write on one target shard (the same shard index as the source vchannel's). */
export type WriteOp =
  | { kind: 'insert'; shard: number; partition: string; rows: Rows }
  /** `partition` null: every partition (the source Delete's partitionId -1). */
  | { kind: 'delete'; shard: number; partition: string | null; pks: PrimaryKey[] };

/**
 * What the replicator does on the target for one source WAL message (or one
 * committed transaction, or one broadcast DDL reached on every shard). Writes
 * carry the append id that makes them happen at most once on the target.
 */
export type TargetOp =
  | (WriteOp & { appendId: string })
  /** A committed source transaction (an upsert: Delete + Insert), applied as one target transaction. */
  | { kind: 'txn'; shard: number; writes: WriteOp[]; appendId: string }
  | { kind: 'createCollection'; body: Bodies['CreateCollection'] }
  | { kind: 'createPartition'; name: string }
  | { kind: 'dropPartition'; name: string }
  | { kind: 'truncate' }
  | { kind: 'addField'; field: FieldSchema }
  | { kind: 'alterField'; fieldName: string; params: FieldParams }
  | { kind: 'dropField'; fieldName: string }
  | { kind: 'addFunction'; function: FunctionSchema }
  | { kind: 'alterFunction'; function: FunctionSchema }
  | { kind: 'dropFunction'; functionName: string }
  /** The source's TTL as an AlterCollection left it: collection.ttl.seconds, and ttl_field (absent: none). */
  | { kind: 'alterTtl'; ttlSeconds: number; ttlField?: string }
  | { kind: 'createIndex'; index: IndexParams }
  | { kind: 'dropIndex'; indexName: string }
  /** The source collection was dropped: the replicator stops and leaves the target as it is. */
  | { kind: 'sourceDropped' };

/**
 * The append id of a replicated write: the source collection, pchannel and
 * WAL position of the message (or the commit) it comes from. A replay after a
 * crash makes the same id, which the target's WAL dedup answers without
 * writing again.
 */
export function replicationAppendId(sourceCollectionId: number, pchannel: string, position: number): string {
  return `cdc/${sourceCollectionId}/${pchannel}/${position}`;
}
