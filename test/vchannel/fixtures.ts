/**
 * Message builders for the vchannel specs. Every builder takes the physical
 * millisecond of its TSO (`tsoOf(ms)`) so keep-alive arithmetic reads in ms.
 */
import type { CollectionSchema, FieldSchema, Rows } from '../../messages/schema.js';
import type { FieldParams } from '../../messages/alteredField.js';
import { newMessage, tsoOf, type Bodies, type Message, type MessageType, type TxnContext } from '../../messages/types.js';

export const VCH = 'dml_0_100v0';
export const COLL = 100;
export const DEFAULT = 1000;
export const PART_B = 1001;
export const DIM = 4;

export const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'vec', dataType: 'FloatVector', dim: DIM },
    { name: 'tag', dataType: 'VarChar', maxLength: 16 },
  ],
};

/** Stamps a message with the TSO of physical millisecond `ms`. */
export function at<T extends MessageType>(ms: number, m: Message<T>): Message<T> {
  m.header.tso = tsoOf(ms);
  return m;
}

function make<T extends MessageType>(ms: number, type: T, body: Bodies[T], txn?: number): Message<T> {
  return at(ms, newMessage(type, VCH, body, txn === undefined ? undefined : ({ id: txn } satisfies TxnContext)));
}

/** `count` valid rows with primary keys firstPk, firstPk+1, ... */
export function rows(count: number, firstPk = 1): Rows {
  return {
    count,
    pks: Array.from({ length: count }, (_, i) => firstPk + i),
    vectors: Float32Array.from({ length: count * DIM }, (_, i) => i / 10),
    fields: { tag: Array.from({ length: count }, (_, i) => `t${i}`) },
  };
}

export const m = {
  createCollection: (ms: number, partitions = [{ id: DEFAULT, name: '_default' }], s: CollectionSchema = schema) =>
    make(ms, 'CreateCollection', { collectionId: COLL, name: 'books', schema: s, shardIndex: 0, shards: 1, partitions, metricType: 'L2', consistencyLevel: 'Strong' }),
  dropCollection: (ms: number, collectionId = COLL) => make(ms, 'DropCollection', { collectionId }),
  createPartition: (ms: number, id = PART_B, name = 'b') => make(ms, 'CreatePartition', { collectionId: COLL, partition: { id, name } }),
  dropPartition: (ms: number, partitionId = PART_B) => make(ms, 'DropPartition', { collectionId: COLL, partitionId }),
  createSegment: (ms: number, segmentId: number, partitionId = DEFAULT) => make(ms, 'CreateSegment', { collectionId: COLL, partitionId, segmentId }),
  insert: (ms: number, segmentId: number, o: { partition?: number; rows?: Rows; txn?: number; collectionId?: number } = {}) =>
    make(ms, 'Insert', { collectionId: o.collectionId ?? COLL, partitionId: o.partition ?? DEFAULT, segmentId, rows: o.rows ?? rows(2) }, o.txn),
  delete: (ms: number, o: { partition?: number; pks?: number[]; txn?: number } = {}) =>
    make(ms, 'Delete', { collectionId: COLL, partitionId: o.partition ?? DEFAULT, pks: o.pks ?? [1] }, o.txn),
  seal: (ms: number, segmentId: number) => make(ms, 'SealSegment', { collectionId: COLL, segmentId, reason: 'size' }),
  flush: (ms: number, segmentId: number) => make(ms, 'Flush', { collectionId: COLL, segmentId }),
  manualFlush: (ms: number) => make(ms, 'ManualFlush', { collectionId: COLL }),
  createIndex: (ms: number, indexName = 'vec_idx', fieldName = 'vec') =>
    make(ms, 'CreateIndex', { collectionId: COLL, index: { indexName, fieldName, indexType: 'HNSW', metricType: 'L2', params: { M: 16 } } }),
  dropIndex: (ms: number, indexName = 'vec_idx') => make(ms, 'DropIndex', { collectionId: COLL, indexName }),
  begin: (ms: number, txn: number, keepaliveMs = 1000) => make(ms, 'BeginTxn', { keepaliveMs }, txn),
  commit: (ms: number, txn: number) => make(ms, 'CommitTxn', {}, txn),
  rollback: (ms: number, txn: number) => make(ms, 'RollbackTxn', {}, txn),
  alterCollection: (ms: number, ttlSeconds: number) => make(ms, 'AlterCollection', { collectionId: COLL, ttlSeconds }),
  renameCollection: (ms: number, name: string) => make(ms, 'RenameCollection', { collectionId: COLL, name }),
  addField: (ms: number, field: FieldSchema) => make(ms, 'AddCollectionField', { collectionId: COLL, field }),
  dropField: (ms: number, fieldName: string) => make(ms, 'DropCollectionField', { collectionId: COLL, fieldName }),
  alterField: (ms: number, fieldName: string, params: FieldParams) => make(ms, 'AlterCollectionField', { collectionId: COLL, fieldName, params }),
  trimDeletes: (ms: number, floorMs: number) => make(ms, 'TrimDeletes', { collectionId: COLL, floorTso: tsoOf(floorMs) }),
  timeTick: (ms: number, vchannel = '') => at(ms, newMessage('TimeTick', vchannel, { persisted: true })),
};

/** The usual start: a collection with `_default` and partition b, one growing segment in each. */
export function liveCollection(ms = 1): Message[] {
  return [m.createCollection(ms), m.createPartition(ms + 1), m.createSegment(ms + 2, 1, DEFAULT), m.createSegment(ms + 3, 2, PART_B)];
}
