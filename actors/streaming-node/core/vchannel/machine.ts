import { assign, setup } from 'xstate';
import { EXCLUSIVE, type Message, type MessageType } from '../../../../messages/types.js';
import { CHECKS, type InvariantKey, type Rejection } from './checks.js';
import { initialContext, type VchannelContext } from './context.js';
import { stamp, type Evolve } from './evolve.js';
import { createSegment, deleteRows, flushSegment, insertRows, sealSegment } from './evolveData.js';
import { createCollection, createIndex, createPartition, dropCollection, dropIndex, dropPartition, manualFlush, alterCollection, renameCollection, addCollectionField, alterCollectionField, dropCollectionField, addCollectionFunction, alterCollectionFunction, dropCollectionFunction, truncateCollection } from './evolveDdl.js';
import { abortOpenTxns, beginTxn, commitTxn, forgetOldTxns, rollbackTxn } from './evolveTxn.js';

/** A WAL message as a machine event: the event type is the message type. */
export type VchannelEvent = { [T in MessageType]: { type: T; message: Message<T> } }[MessageType];

type Args = { context: VchannelContext; event: VchannelEvent };

/** Guard `breaksX` is true when the event's message breaks invariant X. */
type Guards = { [K in InvariantKey as `breaks${K}`]: (args: Args) => boolean };
const guards = Object.fromEntries(
  (Object.keys(CHECKS) as InvariantKey[]).map((k) => [`breaks${k}`, ({ context, event }: Args) => CHECKS[k](context, event.message) !== null]),
) as Guards;

/** Wraps an evolver as a named assign action; the transition it sits on fixes the message type. */
function evolveAction<T extends MessageType>(f: Evolve<T>) {
  return assign<VchannelContext, VchannelEvent, undefined, VchannelEvent, never>(({ context, event }) => f(context, event.message as Message<T>));
}

const ACCEPT = {
  createCollection: evolveAction(createCollection),
  dropCollection: evolveAction(dropCollection),
  createPartition: evolveAction(createPartition),
  dropPartition: evolveAction(dropPartition),
  insertRows: evolveAction(insertRows),
  deleteRows: evolveAction(deleteRows),
  createSegment: evolveAction(createSegment),
  sealSegment: evolveAction(sealSegment),
  flushSegment: evolveAction(flushSegment),
  manualFlush: evolveAction(manualFlush),
  truncateCollection: evolveAction(truncateCollection),
  createIndex: evolveAction(createIndex),
  dropIndex: evolveAction(dropIndex),
  alterCollection: evolveAction(alterCollection),
  renameCollection: evolveAction(renameCollection),
  addCollectionField: evolveAction(addCollectionField),
  alterCollectionField: evolveAction(alterCollectionField),
  dropCollectionField: evolveAction(dropCollectionField),
  addCollectionFunction: evolveAction(addCollectionFunction),
  alterCollectionFunction: evolveAction(alterCollectionFunction),
  dropCollectionFunction: evolveAction(dropCollectionFunction),
  beginTxn: evolveAction(beginTxn),
  commitTxn: evolveAction(commitTxn),
  rollbackTxn: evolveAction(rollbackTxn),
  abortOpenTxns: evolveAction(abortOpenTxns),
  forgetOldTxns: evolveAction(forgetOldTxns),
  stamp: evolveAction(stamp),
};
type AcceptAction = keyof typeof ACCEPT;

/** Refuses the message when it breaks `k`: the `reject` action carries the reason as data. */
function refuse(k: InvariantKey) {
  return {
    guard: `breaks${k}` as const,
    actions: { type: 'reject' as const, params: ({ context, event }: Args): Rejection => ({ invariant: k, reason: CHECKS[k](context, event.message) ?? k }) },
  };
}

/**
 * The transitions for one message type: refuse on the first broken invariant,
 * in the order listed, else accept. Exclusive DDL first aborts open txns. The
 * list runs most specific first; TsoMustIncrease comes last, so a stale insert
 * into a newer segment is named InsertAfterSegmentCreate, not just a TSO fault.
 */
function rules(type: MessageType, checks: InvariantKey[], accept: AcceptAction[], target?: 'live' | 'dropped') {
  const actions = [...(EXCLUSIVE.has(type) ? ['abortOpenTxns' as const] : []), ...accept, 'forgetOldTxns' as const, 'stamp' as const];
  return [...['WrongVchannel', ...checks, 'TsoMustIncrease'].map((k) => refuse(k as InvariantKey)), { actions, ...(target ? { target } : {}) }];
}

const IN_TXN: InvariantKey[] = ['TxnMustBeOpen', 'TxnAbortedByDdl', 'TxnExpired'];
const LIVE: InvariantKey[] = ['CollectionMustExist'];

/**
 * One machine per vchannel: absent -> live -> dropped. It is fed stamped messages
 * in WAL order; every transition either runs the `reject` action (data only, the
 * context is untouched) or accepts and folds the message into the context.
 * Use it through `applyMessage`, which runs the pure `transition()` and never
 * executes actions.
 *
 * There is no "exclusive DDL lock" substate: the machine sees one message per
 * step, so an exclusive DDL is alone by construction; what exclusivity means
 * for the fold is that it aborts the open txns. Holding other appends back while
 * a DDL is in flight is the append pipeline's job (the shell), not the fold's.
 */
export const vchannelMachine = setup({
  types: { context: {} as VchannelContext, events: {} as VchannelEvent, input: {} as { vchannel: string } },
  guards,
  actions: { ...ACCEPT, reject: (_args: Args, _params: Rejection) => {} },
}).createMachine({
  id: 'vchannel',
  // transition() builds a throwaway actor per call whose initial state runs this
  // without input; tolerate that instead of throwing (a throw per message is slow).
  context: ({ input }) => initialContext(input?.vchannel ?? ''),
  initial: 'absent',
  states: {
    absent: {
      on: {
        CreateCollection: rules('CreateCollection', ['TxnNotAllowed', 'PartitionMustExist', 'PartitionAlreadyExists', 'PayloadMatchesSchema', 'PartitionKeyOwnsPartitions'], ['createCollection'], 'live'),
        '*': [refuse('WrongVchannel'), refuse('CollectionMustExist')],
      },
    },
    live: {
      on: {
        CreateCollection: [refuse('WrongVchannel'), refuse('CollectionAlreadyExists')],
        DropCollection: rules('DropCollection', [...LIVE, 'TxnNotAllowed'], ['dropCollection'], 'dropped'),
        CreatePartition: rules('CreatePartition', [...LIVE, 'TxnNotAllowed', 'PartitionKeyOwnsPartitions', 'PartitionAlreadyExists'], ['createPartition']),
        DropPartition: rules('DropPartition', [...LIVE, 'TxnNotAllowed', 'PartitionMustExist', 'PartitionKeyOwnsPartitions', 'DefaultPartitionIsPermanent'], ['dropPartition']),
        Insert: rules('Insert', [...LIVE, ...IN_TXN, 'PartitionMustExist', 'SegmentMustBeGrowing', 'InsertAfterAllocationFence', 'InsertAfterSegmentCreate', 'SchemaVersionCurrent', 'PayloadMatchesSchema', 'PartitionKeyOwnsPartitions'], ['insertRows']),
        Delete: rules('Delete', [...LIVE, ...IN_TXN, 'PartitionMustExist', 'SchemaVersionCurrent'], ['deleteRows']),
        CreateSegment: rules('CreateSegment', [...LIVE, 'TxnNotAllowed', 'PartitionMustExist', 'SegmentIdMustBeNew'], ['createSegment']),
        SealSegment: rules('SealSegment', [...LIVE, 'TxnNotAllowed', 'SegmentMustBeGrowing', 'SegmentHasOpenTxn'], ['sealSegment']),
        Flush: rules('Flush', [...LIVE, 'TxnNotAllowed', 'SegmentMustBeSealed'], ['flushSegment']),
        ManualFlush: rules('ManualFlush', [...LIVE, 'TxnNotAllowed'], ['manualFlush']),
        TruncateCollection: rules('TruncateCollection', [...LIVE, 'TxnNotAllowed'], ['truncateCollection']),
        CreateIndex: rules('CreateIndex', [...LIVE, 'TxnNotAllowed', 'IndexAlreadyExists', 'PayloadMatchesSchema'], ['createIndex']),
        DropIndex: rules('DropIndex', [...LIVE, 'TxnNotAllowed', 'IndexMustExist'], ['dropIndex']),
        BeginTxn: rules('BeginTxn', ['TxnMustBeOpen', 'TxnNotAllowed', 'TxnAlreadyOpen'], ['beginTxn']),
        CommitTxn: rules('CommitTxn', IN_TXN, ['commitTxn']),
        RollbackTxn: rules('RollbackTxn', IN_TXN, ['rollbackTxn']),
        TrimDeletes: rules('TrimDeletes', [...LIVE, 'TxnNotAllowed', 'DeleteFloorBelowTso'], []),
        AlterCollection: rules('AlterCollection', [...LIVE, 'TxnNotAllowed'], ['alterCollection']),
        RenameCollection: rules('RenameCollection', [...LIVE, 'TxnNotAllowed'], ['renameCollection']),
        AddCollectionField: rules('AddCollectionField', [...LIVE, 'TxnNotAllowed', 'FieldAlreadyAdded', 'PayloadMatchesSchema'], ['addCollectionField']),
        AlterCollectionField: rules('AlterCollectionField', [...LIVE, 'TxnNotAllowed', 'PayloadMatchesSchema'], ['alterCollectionField']),
        DropCollectionField: rules('DropCollectionField', [...LIVE, 'TxnNotAllowed', 'FieldAlreadyDropped', 'PayloadMatchesSchema'], ['dropCollectionField']),
        AddCollectionFunction: rules('AddCollectionFunction', [...LIVE, 'TxnNotAllowed', 'FunctionAlreadyAdded', 'PayloadMatchesSchema'], ['addCollectionFunction']),
        // A retried alter needs no invariant of its own: folding the same definition twice leaves the schema as once.
        AlterCollectionFunction: rules('AlterCollectionFunction', [...LIVE, 'TxnNotAllowed', 'PayloadMatchesSchema'], ['alterCollectionFunction']),
        DropCollectionFunction: rules('DropCollectionFunction', [...LIVE, 'TxnNotAllowed', 'FunctionAlreadyDropped', 'PayloadMatchesSchema'], ['dropCollectionFunction']),
        RestoreDeletes: rules('RestoreDeletes', [...LIVE, 'TxnNotAllowed'], []),
        // Only TimeTick lands here, and WrongVchannel always refuses it.
        '*': [refuse('WrongVchannel')],
      },
    },
    dropped: {
      on: { '*': [refuse('WrongVchannel'), refuse('NothingAfterDrop')] },
    },
  },
});
