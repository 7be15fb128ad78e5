import type { Tso, WalPosition } from '../types.js';
import { DecodeError } from '../errors.js';
import type { Fence } from '../fence.js';
import { need, needAll, type Checks } from './protocol.js';
import type { DeleteEntry, HitRow, QueryResult, ShardQuery, ShardSearch } from './records.js';
import type { ShardBm25Stats } from './sparseRead.js';
import type { Bm25Stats } from '../bm25.js';

/** The pchannel a vchannel lives on: the name before the `_<collection>v<shard>` suffix. */
export function pchannelOf(vchannel: string): string {
  const i = vchannel.lastIndexOf('_');
  return i > 0 ? vchannel.slice(0, i) : vchannel;
}

/** Each pchannel is served on its own subject by whichever node owns it. */
export const streamingSubject = (pchannel: string) => `nuthatch.sn.${pchannel}`;
/**
 * The same, for one owner term only. A client that knows the assignment sends
 * here, so a stale owner whose subscription outlives it (a paused process still
 * connected to NATS) never receives requests meant for its successor.
 */
export const streamingOwnerSubject = (pchannel: string, term: number) => `nuthatch.sn.${pchannel}.t${term}`;

/**
 * Reads of a pchannel's shards (search, query, deletes, status), served by its
 * owner and by every follower in one queue group, so reads spread across delegators.
 */
export const streamingReadSubject = (pchannel: string) => `nuthatch.sn.${pchannel}.read`;
/** One streaming node's own subject: its status (what it owns and follows, reads it served). */
export const streamingNodeSubject = (nodeId: string) => `nuthatch.sn.node.${nodeId}`;

export interface ScanRecord { position: WalPosition; tso: Tso; payload: Uint8Array }

export type StreamingProtocol = {
  /**
   * Appends one encoded WAL message (tso unset); Insert with segmentId -1 gets a
   * segment assigned. A message with a header append id is appended at most once:
   * a retry answers with the first append's result.
   */
  /** `fence` (messages/fence.ts): appended only while the token is current, else StaleFence (checked on arrival and in the append step: streaming-node/shell/fencedAppend.ts). */
  append: { req: { message: Uint8Array; reservation?: string; fence?: Fence }; res: { tso: Tso; position: WalPosition } };
  /** Appends several messages of one vchannel as one transaction (at most once per appendId). */
  /** `unchangedSince`: commit only if no key of the messages was written after that TSO (else WriteConflict, nothing written). */
  /** `reservation`: the id of a reserveWrite that admitted this write (see below). */
  appendTxn: { req: { vchannel: string; messages: Uint8Array[]; appendId?: string; unchangedSince?: Tso; reservation?: string; fence?: Fence }; res: { tso: Tso } };
  /**
   * Owner only: admits a client's write that spans several appends as one
   * decision before any is made (force-deny, disk quota, rate, memory), or
   * refuses it whole, charging nothing. Appends naming the reservation within
   * its bytes per vchannel then pass without a second charge.
   */
  reserveWrite: { req: { reservation: string; parts: WritePart[] }; res: Record<string, never> };
  /** Owner only: gives back a reservation's tokens (the write will not be made). */
  releaseWrite: { req: { reservation: string }; res: Record<string, never> };
  search: { req: ShardSearch; res: { hits: HitRow[][] } };
  query: { req: ShardQuery; res: QueryResult };
  /** Round one of a BM25 search: the shard's counts (growing rows and its query nodes' sealed segments). */
  bm25Stats: { req: ShardBm25Stats; res: Bm25Stats };
  scan: { req: { from: WalPosition; to: WalPosition; maxBytes: number }; res: { records: ScanRecord[]; next: WalPosition } };
  /**
   * A page of a shard's delete log: entries from sequence number `from` (the
   * asked one, or the first kept when earlier ones were trimmed), the log's
   * length `seq`, its first kept entry `base`, and its trim floor (deletes at or
   * below it were dropped).
   * `completeTso`: every delete with a TSO at or below it lies below `seq` in
   * this log (or was trimmed); the answering replica's serviceable TSO, which
   * a follower's may trail the owner's. With `syncTso` the replica first folds
   * up to it (as a read at that TSO would), so a caller that needs the log
   * complete to a TSO usually gets it.
   */
  deletes: { req: { vchannel: string; fromSeq: number; syncTso?: Tso }; res: { entries: DeleteEntry[]; seq: number; from: number; base: number; floorTso: Tso; completeTso: Tso } };
  /**
   * Owner only: trims the shard's delete log at `floorTso`, or lower where a
   * segment the owner holds needs it (TrimDeletes through the WAL). `covered`
   * lists the segments whose records the floor was taken from; a segment handed
   * off to query nodes that is not among them makes the owner decline.
   */
  /**
   * `covered`: the shard's segment records the floor was taken from;
   * `asOfVersion`: its distribution version then (shardData.ts FloorBasis).
   */
  trimDeletes: { req: { vchannel: string; floorTso: Tso; covered: number[]; asOfVersion: number }; res: { floorTso: Tso; base: number } };
  /** Seals every growing segment of the collection on these vchannels. */
  sealAll: { req: { collectionId: number; vchannels: string[] }; res: { segmentIds: number[] } };
  /** Resolves once the vchannel's serviceable TSO reaches `tso` (a fresh tick is forced). */
  sync: { req: { vchannel: string; tso: Tso }; res: { serviceable: Tso } };
  status: { req: Record<string, never>; res: Record<string, unknown> };
  /**
   * Owner only, for a follower's read at `tso`: makes a tick at or above it (every
   * message with a TSO at or below the tick is durable) and answers with the tick
   * and the WAL position up to which all those messages lie; a follower that has
   * folded up to that position serves reads at the tick.
   */
  confirmTso: { req: { tso: Tso }; res: { tso: Tso; position: WalPosition } };
};

/** One vchannel's share of a reserved write: its collection, kind and encoded bytes (as its appends will carry them). */
export interface WritePart { vchannel: string; collectionId: number; kind: 'insertMb' | 'upsertMb' | 'deleteMb'; bytes: number }

/** What a streaming node tells about itself on its own subject. */
export interface StreamingNodeStatus {
  nodeId: string;
  owns: string[];
  follows: string[];
  /** Shard reads (search, query) this node answered, per pchannel. */
  reads: Record<string, number>;
}
export type StreamingNodeProtocol = {
  nodeStatus: { req: Record<string, never>; res: StreamingNodeStatus };
};
export const streamingNodeChecks: Checks<StreamingNodeProtocol> = { nodeStatus: () => {} };

const none = () => {};
/** A read's optional snapshot TSO and key cursor (ShardQuery). */
function mvccChecks(o: Record<string, unknown>): void {
  if (o.mvccTso !== undefined) need(o, 'mvccTso', 'bigint');
  if (o.after !== undefined && typeof o.after !== 'number' && typeof o.after !== 'string') throw new DecodeError(`'after' must be a number or a string`);
  if (o.orderAfter !== undefined && (typeof o.orderAfter !== 'object' || o.orderAfter === null || !Array.isArray((o.orderAfter as { values?: unknown }).values))) throw new DecodeError(`'orderAfter' must be {values, pk}`);
  const groups = o.groups as { fields?: unknown; metrics?: unknown } | undefined;
  if (groups !== undefined && (typeof groups !== 'object' || groups === null || !Array.isArray(groups.fields) || !Array.isArray(groups.metrics))) throw new DecodeError(`'groups' must be {fields, metrics, ...}`);
}
function reservationCheck(o: Record<string, unknown>): void {
  if (o.reservation !== undefined && o.reservation !== null) need(o, 'reservation', 'string');
}
export const streamingChecks: Checks<StreamingProtocol> = {
  append: (o) => { needAll(o, { message: 'bytes' }); reservationCheck(o); },
  appendTxn: (o) => {
    needAll(o, { vchannel: 'string', messages: 'array' });
    reservationCheck(o);
    if (o.appendId !== undefined && o.appendId !== null) need(o, 'appendId', 'string');
    if (o.unchangedSince !== undefined && o.unchangedSince !== null) need(o, 'unchangedSince', 'bigint');
  },
  search: (o) => { needAll(o, { vchannel: 'string', collectionId: 'number', queries: 'f32', nq: 'number', k: 'number', outputFields: 'array', guaranteeTso: 'bigint' }); mvccChecks(o); },
  query: (o) => { needAll(o, { vchannel: 'string', collectionId: 'number', outputFields: 'array', limit: 'number', guaranteeTso: 'bigint' }); mvccChecks(o); },
  bm25Stats: (o) => { needAll(o, { vchannel: 'string', collectionId: 'number', annsField: 'string', terms: 'array', guaranteeTso: 'bigint' }); mvccChecks(o); },
  scan: (o) => needAll(o, { from: 'number', to: 'number', maxBytes: 'number' }),
  deletes: (o) => { needAll(o, { vchannel: 'string', fromSeq: 'number' }); if (o.syncTso !== undefined) need(o, 'syncTso', 'bigint'); },
  trimDeletes: (o) => needAll(o, { vchannel: 'string', floorTso: 'bigint', covered: 'array', asOfVersion: 'number' }),
  sealAll: (o) => needAll(o, { collectionId: 'number', vchannels: 'array' }),
  sync: (o) => needAll(o, { vchannel: 'string', tso: 'bigint' }),
  status: none,
  reserveWrite: (o) => {
    needAll(o, { reservation: 'string', parts: 'array' });
    for (const p of o.parts as unknown[]) {
      const q = p as Record<string, unknown>;
      if (typeof q !== 'object' || q === null) throw new DecodeError('each part must be an object');
      needAll(q, { vchannel: 'string', collectionId: 'number', kind: 'string', bytes: 'number' });
      if (!['insertMb', 'upsertMb', 'deleteMb'].includes(q.kind as string)) throw new DecodeError(`a part's kind must be insertMb, upsertMb or deleteMb`);
      if (!(Number.isFinite(q.bytes) && (q.bytes as number) >= 0)) throw new DecodeError(`a part's bytes must be a number >= 0`);
    }
  },
  releaseWrite: (o) => needAll(o, { reservation: 'string' }),
  confirmTso: (o) => needAll(o, { tso: 'bigint' }),
};
