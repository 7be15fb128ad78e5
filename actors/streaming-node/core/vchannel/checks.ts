import { Invariant, InvariantError, type ErrorCodeName } from '../../../../messages/errors.js';
import type { Check } from './check.js';
import { collectionAlreadyExists, collectionMustExist, deleteFloorBelowTso, nothingAfterDrop, tsoMustIncrease, txnNotAllowed, wrongVchannel } from './checksChannel.js';
import { defaultPartitionIsPermanent, partitionAlreadyExists, partitionMustExist } from './checksPartition.js';
import { partitionKeyOwnsPartitions } from './checksPartitionKey.js';
import { fieldAlreadyAdded, fieldAlreadyDropped, functionAlreadyAdded, functionAlreadyDropped, indexAlreadyExists, indexMustExist, payloadMatchesSchema } from './checksPayload.js';
import { schemaVersionCurrent } from './checksSchema.js';
import { insertAfterAllocationFence, insertAfterSegmentCreate, segmentHasOpenTxn, segmentIdMustBeNew, segmentMustBeGrowing, segmentMustBeSealed } from './checksSegment.js';
import { txnAbortedByDdl, txnAlreadyOpen, txnExpired, txnMustBeOpen } from './checksTxn.js';

/** An invariant by its key in `Invariant` (messages/errors.ts). */
export type InvariantKey = keyof typeof Invariant;

/** The check of every invariant the vchannel machine enforces. */
export const CHECKS: { readonly [K in InvariantKey]: Check } = {
  WrongVchannel: wrongVchannel,
  TsoMustIncrease: tsoMustIncrease,
  CollectionMustExist: collectionMustExist,
  CollectionAlreadyExists: collectionAlreadyExists,
  NothingAfterDrop: nothingAfterDrop,
  TxnNotAllowed: txnNotAllowed,
  PartitionMustExist: partitionMustExist,
  PartitionAlreadyExists: partitionAlreadyExists,
  DefaultPartitionIsPermanent: defaultPartitionIsPermanent,
  TxnMustBeOpen: txnMustBeOpen,
  TxnAlreadyOpen: txnAlreadyOpen,
  TxnExpired: txnExpired,
  TxnAbortedByDdl: txnAbortedByDdl,
  PayloadMatchesSchema: payloadMatchesSchema,
  SegmentIdMustBeNew: segmentIdMustBeNew,
  SegmentMustBeGrowing: segmentMustBeGrowing,
  SegmentMustBeSealed: segmentMustBeSealed,
  SegmentHasOpenTxn: segmentHasOpenTxn,
  InsertAfterSegmentCreate: insertAfterSegmentCreate,
  InsertAfterAllocationFence: insertAfterAllocationFence,
  IndexMustExist: indexMustExist,
  IndexAlreadyExists: indexAlreadyExists,
  DeleteFloorBelowTso: deleteFloorBelowTso,
  PartitionKeyOwnsPartitions: partitionKeyOwnsPartitions,
  FieldAlreadyDropped: fieldAlreadyDropped,
  FieldAlreadyAdded: fieldAlreadyAdded,
  FunctionAlreadyAdded: functionAlreadyAdded,
  FunctionAlreadyDropped: functionAlreadyDropped,
  SchemaVersionCurrent: schemaVersionCurrent,
};

/**
 * The error code a rejection carries. Invariants a client can break with a plain
 * request map to the code a Milvus-shaped API answers with (not found, exists,
 * schema mismatch); the rest are ordering faults: 'InvariantViolated'.
 */
const CODE: Partial<Record<InvariantKey, ErrorCodeName>> = {
  CollectionMustExist: 'CollectionNotFound',
  CollectionAlreadyExists: 'CollectionExists',
  PartitionMustExist: 'PartitionNotFound',
  PartitionAlreadyExists: 'PartitionExists',
  IndexMustExist: 'IndexNotFound',
  IndexAlreadyExists: 'IndexExists',
  PayloadMatchesSchema: 'SchemaMismatch',
  TxnMustBeOpen: 'TxnNotFound',
  TxnExpired: 'TxnAborted',
  TxnAbortedByDdl: 'TxnAborted',
  SchemaVersionCurrent: 'CollectionSchemaMismatch',
};

/** A refused message as data: what the machine's `reject` action carries. */
export interface Rejection { invariant: InvariantKey; reason: string }

/** The error a caller receives for a rejection. */
export function rejectionError(r: Rejection): InvariantError {
  return new InvariantError(Invariant[r.invariant], r.reason, CODE[r.invariant] ?? 'InvariantViolated');
}
