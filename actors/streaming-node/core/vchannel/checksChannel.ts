import { TXN_BODY, type MessageType } from '../../../../messages/types.js';
import { collectionIdOf, isType, tsoText, type Check } from './check.js';

/** Messages that manage a transaction and so must carry header.txn. */
const TXN_CONTROL: ReadonlySet<MessageType> = new Set<MessageType>(['BeginTxn', 'CommitTxn', 'RollbackTxn']);

/**
 * Every message is for this vchannel. TimeTicks address the pchannel (empty
 * vchannel) and are always refused here: the pchannel reader consumes them, and
 * a tick that reached a vchannel machine means the caller routed wrongly.
 */
export const wrongVchannel: Check = (ctx, m) => {
  if (m.header.type === 'TimeTick') return `TimeTick addresses the pchannel; the vchannel machine of '${ctx.vchannel}' does not consume ticks`;
  if (m.header.vchannel !== ctx.vchannel) return `message for vchannel '${m.header.vchannel}' was fed to the machine of vchannel '${ctx.vchannel}'`;
  return null;
};

/** TSOs strictly increase in WAL order; an unstamped message (tso 0n) never passes. */
export const tsoMustIncrease: Check = (ctx, m) => {
  const t = m.header.tso as unknown;
  if (typeof t !== 'bigint') return `header.tso must be a stamped bigint TSO, got ${typeof t}`;
  if (t <= ctx.lastTso) return `tso ${tsoText(t)} is not above the vchannel's last tso ${tsoText(ctx.lastTso)}`;
  return null;
};

/** Before CreateCollection only CreateCollection; afterwards a body's collectionId is this collection's. */
export const collectionMustExist: Check = (ctx, m) => {
  if (ctx.collection === null) {
    return m.header.type === 'CreateCollection' ? null : `${m.header.type} before the collection exists on vchannel '${ctx.vchannel}'; only CreateCollection is accepted`;
  }
  if (m.header.type === 'CreateCollection') return null;
  const id = collectionIdOf(m);
  if (id !== undefined && id !== ctx.collection.id) return `collection ${id} does not exist on vchannel '${ctx.vchannel}' (it holds collection ${ctx.collection.id})`;
  return null;
};

export const collectionAlreadyExists: Check = (ctx, m) =>
  m.header.type === 'CreateCollection' && ctx.collection !== null
    ? `vchannel '${ctx.vchannel}' already holds collection ${ctx.collection.id} ('${ctx.collection.name}')`
    : null;

/** After DropCollection the vchannel accepts nothing at all. */
export const nothingAfterDrop: Check = (ctx, m) =>
  ctx.collection?.droppedTso != null
    ? `${m.header.type} after collection ${ctx.collection.id} was dropped at tso ${tsoText(ctx.collection.droppedTso)}`
    : null;

/** Only Insert and Delete may be transaction bodies; txn control must carry a txn header. */
export const txnNotAllowed: Check = (_ctx, m) => {
  if (isType(m, 'BeginTxn')) {
    const k = m.body.keepaliveMs;
    if (typeof k !== 'number' || !Number.isFinite(k) || k < 0) return `BeginTxn needs a finite keepaliveMs >= 0, got ${String(k)}`;
    return null;
  }
  if (m.header.txn === undefined || TXN_BODY.has(m.header.type) || TXN_CONTROL.has(m.header.type)) return null;
  return `${m.header.type} cannot be part of transaction ${m.header.txn.id}; only Insert and Delete may be transaction bodies`;
};

/** A delete floor names deletes already logged: it lies below the TrimDeletes that carries it. */
export const deleteFloorBelowTso: Check = (_ctx, m) =>
  isType(m, 'TrimDeletes') && m.body.floorTso >= m.header.tso
    ? `delete floor ${tsoText(m.body.floorTso)} is not below the TrimDeletes' own tso ${tsoText(m.header.tso)}`
    : null;
