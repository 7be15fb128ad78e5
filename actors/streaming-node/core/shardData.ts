import type { PrimaryKey } from '../../../messages/schema.js';
import { bodyOf, EXCLUSIVE, tsoAddMs, type AnyMessage, type Message, type Tso, type WalPosition } from '../../../messages/types.js';
import type { DeleteEntry, Distribution } from '../../../messages/rpc/records.js';
import { addToIndex, deleteEntry, indexOf, trimIndex, type DeleteIndex } from '../../shared/segment/deleteIndex.js';
import { packVectorColumns } from '../../shared/vector/vectorColumn.js';
import { newGrowingShredding, shredGrowingChunk, shredMergedChunk, type GrowingShredding, type GrowingShredPlan } from '../../shared/segment/growingShredding.js';
import { mergeTail } from './chunkMerge.js';

/**
 * The materialized state of one shard (vchannel) that the delegator serves: growing
 * segments' rows, the delete log, and transaction bodies held until commit. It is a
 * fold of durable WAL messages in order. For speed the fold mutates in place (rows
 * are large); it stays pure: no I/O, no clock, the same messages give the same state.
 */
export interface GrowingChunk {
  count: number;
  pks: PrimaryKey[];
  vectors: Float32Array;
  fields: Record<string, unknown[]>;
  /** Its rows' TSO; of a merged chunk (chunkMerge.ts), the latest of them. */
  tso: Tso;
  /** A merged chunk's: its earliest row's TSO, and each row's. */
  minTso?: Tso;
  rowTsos?: BigUint64Array;
  partitionId: number;
}

export interface SegmentData {
  id: number;
  collectionId: number;
  partitionId: number;
  createPos: WalPosition;
  /**
   * Where its rows' messages start when that is before its creation: the
   * BeginTxn of a transaction that wrote into it (a fold from `createPos` would
   * not know the transaction, and would drop its rows at the commit).
   */
  readFrom?: WalPosition;
  sealPos: WalPosition | null;
  flushed: boolean;
  chunks: GrowingChunk[];
  rows: number;
  createdTso: Tso;
  lastWriteTso: Tso;
  /**
   * Its partition was dropped: its rows are never read again, and it leaves
   * memory at its Flush (sealed by the drop, it is still flushed, so the
   * segment lifecycle stays whole; the coordinator discards the file).
   */
  partitionDropped?: boolean;
  /** Its chunks' JSON columns shredded as they come (shared/segment/growingShredding.ts); rebuilt by a replay, never checkpointed. */
  shredding?: GrowingShredding;
}

export interface ShardData {
  vchannel: string;
  collectionId: number;
  dropped: boolean;
  /** Segments whose rows are held in memory (growing, sealed, or flushed but not yet handed off). */
  segments: Map<number, SegmentData>;
  /** The delete log from `deleteBase` on, in TSO order; entries keep their sequence numbers (base + index). */
  deletes: DeleteEntry[];
  /** Sequence number of `deletes[0]`: the entries before it were trimmed (TrimDeletes). */
  deleteBase: number;
  /** Deletes at or below this TSO were trimmed: they reach no row any more. */
  deleteFloorTso: Tso;
  deleteIndex: DeleteIndex;
  /** Open transactions: body held until commit; dropped on rollback, expiry or an exclusive DDL (as the machine does). */
  txns: Map<number, { beginPos: WalPosition; body: AnyMessage[]; lastTso: Tso; keepaliveMs: number }>;
  /**
   * Segments whose growing copy left (a query node serves them, or their
   * collection was released), until the coordinator confirms it saw them
   * (confirmHandOffs): trimFloorFor must not take a floor that missed one.
   */
  handedOff: Map<number, HandOff>;
}

/**
 * A hand-off's partition (-1 when unknown; a partition's drop forgets its own)
 * and the version of the distribution that named the segment. -1: none did (a
 * release hands off every flushed segment, perhaps before its record exists).
 */
export interface HandOff { partitionId: number; version: number }

export function newShard(vchannel: string, collectionId: number): ShardData {
  return { vchannel, collectionId, dropped: false, segments: new Map(), deletes: [], deleteBase: 0, deleteFloorTso: 0n, deleteIndex: new Map(), txns: new Map(), handedOff: new Map() };
}

/** The delete log's length: the sequence number the next delete gets. */
export const deleteEnd = (s: Pick<ShardData, 'deleteBase' | 'deletes'>): number => s.deleteBase + s.deletes.length;

/** Bytes of the shredded JSON columns the shard's growing chunks hold (besides their rows). */
export function shreddedGrowingBytes(s: Pick<ShardData, 'segments'>): number {
  let n = 0;
  for (const seg of s.segments.values()) n += seg.shredding?.bytes ?? 0;
  return n;
}

/** How evolveShard folds: `dataOnly` and `holdOnly` for a re-read before the checkpoint, `shred` to shred growing JSON columns. */
export interface EvolveOptions { dataOnly?: boolean; holdOnly?: Set<number>; shred?: GrowingShredPlan }

/** What a durable message changed, for the shell to act on (flush tasks, forwarding). */
export interface ShardEffects { sealed: number[]; flushed: number[]; deleted: number }

/**
 * Folds one durable message. With `dataOnly` (re-reading the log before the
 * checkpoint) only rows of segments listed in `holdOnly` are rebuilt; deletes and
 * lifecycle already live in the checkpoint.
 */
export function evolveShard(s: ShardData, m: AnyMessage, opts: EvolveOptions = {}): ShardEffects {
  const fx: ShardEffects = { sealed: [], flushed: [], deleted: 0 };
  const pos = m.header.walPosition;
  const txnId = m.header.txn?.id;
  for (const [id, t] of s.txns) if (tsoAddMs(t.lastTso, t.keepaliveMs) < m.header.tso) s.txns.delete(id);
  if (EXCLUSIVE.has(m.header.type)) s.txns.clear();
  if (txnId !== undefined && (m.header.type === 'Insert' || m.header.type === 'Delete')) {
    const t = s.txns.get(txnId);
    if (t) { t.body.push(m); t.lastTso = m.header.tso; }
    return fx;
  }
  switch (m.header.type) {
    case 'BeginTxn': if (txnId !== undefined) s.txns.set(txnId, { beginPos: pos, body: [], lastTso: m.header.tso, keepaliveMs: bodyOf(m, 'BeginTxn').keepaliveMs }); break;
    case 'RollbackTxn': if (txnId !== undefined) s.txns.delete(txnId); break;
    case 'CommitTxn': {
      const t = txnId === undefined ? undefined : s.txns.get(txnId);
      if (!t) break;
      s.txns.delete(txnId!);
      for (const b of t.body) applyData(s, b, m.header.tso, fx, opts, t.beginPos);
      break;
    }
    case 'Insert': case 'Delete': applyData(s, m, m.header.tso, fx, opts); break;
    case 'CreateSegment': {
      const b = bodyOf(m, 'CreateSegment');
      if (opts.dataOnly && !opts.holdOnly?.has(b.segmentId)) break;
      if (s.segments.has(b.segmentId)) break;
      s.segments.set(b.segmentId, { id: b.segmentId, collectionId: b.collectionId, partitionId: b.partitionId, createPos: pos, sealPos: null, flushed: false, chunks: [], rows: 0, createdTso: m.header.tso, lastWriteTso: m.header.tso });
      break;
    }
    case 'SealSegment': if (!opts.dataOnly) seal(s, bodyOf(m, 'SealSegment').segmentId, pos, fx); break;
    case 'ManualFlush': if (!opts.dataOnly) for (const seg of s.segments.values()) if (seg.sealPos === null) seal(s, seg.id, pos, fx); break;
    case 'DropPartition': if (!opts.dataOnly) dropPartition(s, bodyOf(m, 'DropPartition').partitionId, pos, fx); break;
    case 'TruncateCollection': if (!opts.dataOnly) truncate(s, pos, fx); break;
    // A restored snapshot's deletes keep their source TSOs; the restore appends them before any other delete.
    case 'RestoreDeletes': if (!opts.dataOnly) for (const e of bodyOf(m, 'RestoreDeletes').entries) addDelete(s, e); break;
    case 'TrimDeletes': if (!opts.dataOnly) trimDeletes(s, bodyOf(m, 'TrimDeletes').floorTso); break;
    case 'Flush': if (!opts.dataOnly) { const seg = s.segments.get(bodyOf(m, 'Flush').segmentId); if (seg) { seg.flushed = true; fx.flushed.push(seg.id); if (seg.partitionDropped) s.segments.delete(seg.id); } } break;
    // A dropped shard's rows and deletes are never read again (its delete archives are freed).
    case 'DropCollection': if (!opts.dataOnly) { s.dropped = true; s.segments.clear(); s.txns.clear(); s.deletes.length = 0; s.deleteIndex.clear(); } break;
    case 'CreateCollection': s.collectionId = bodyOf(m, 'CreateCollection').collectionId; break;
    default: break;
  }
  return fx;
}

/** A dropped partition's segments are sealed and marked; hand-offs of its earlier ones are forgotten. */
function dropPartition(s: ShardData, partitionId: number, pos: WalPosition, fx: ShardEffects): void {
  for (const seg of s.segments.values()) {
    if (seg.partitionId !== partitionId) continue;
    seal(s, seg.id, pos, fx);
    seg.partitionDropped = true;
  }
  for (const [id, h] of s.handedOff) if (h.partitionId === partitionId) s.handedOff.delete(id);
}

/**
 * Every segment's rows are gone: one flushed already (waiting to be handed
 * off, which never comes: the coordinator discards it) at once, the others
 * sealed and marked as a dropped partition's, gone at their Flush.
 */
function truncate(s: ShardData, pos: WalPosition, fx: ShardEffects): void {
  for (const seg of [...s.segments.values()]) {
    if (seg.flushed) { s.segments.delete(seg.id); continue; }
    seal(s, seg.id, pos, fx);
    seg.partitionDropped = true;
  }
  s.handedOff.clear();
}

function seal(s: ShardData, id: number, pos: WalPosition, fx: ShardEffects): void {
  const seg = s.segments.get(id);
  if (!seg || seg.sealPos !== null) return;
  seg.sealPos = pos;
  fx.sealed.push(id);
}

/** The first position a fold must read for a segment's rows. */
export const readFromOf = (seg: Pick<SegmentData, 'createPos' | 'readFrom'>): WalPosition => Math.min(seg.createPos, seg.readFrom ?? seg.createPos);

/** Applies an insert or delete at `tso`; `beginPos` is its transaction's BeginTxn, if it had one. */
function applyData(s: ShardData, m: AnyMessage, tso: Tso, fx: ShardEffects, opts: EvolveOptions, beginPos?: WalPosition): void {
  if (m.header.type === 'Insert') {
    const b = (m as Message<'Insert'>).body;
    if (opts.dataOnly && !opts.holdOnly?.has(b.segmentId)) return;
    const seg = s.segments.get(b.segmentId);
    if (!seg) return;
    if (beginPos !== undefined && beginPos < readFromOf(seg)) seg.readFrom = beginPos;
    packVectorColumns(b.rows.fields, b.rows.count);
    seg.chunks.push({ count: b.rows.count, pks: b.rows.pks, vectors: b.rows.vectors, fields: b.rows.fields, tso, partitionId: b.partitionId });
    seg.rows += b.rows.count;
    seg.lastWriteTso = tso;
    const shred = opts.shred;
    if (shred) shredGrowingChunk(seg.shredding ??= newGrowingShredding(), b.rows.fields, b.rows.count, shred);
    mergeTail(seg.chunks, shred && seg.shredding ? (gone, into) => shredMergedChunk(seg.shredding!, gone.map((c) => c.fields), into.fields, into.count, shred) : undefined);
  } else if (m.header.type === 'Delete' && !opts.dataOnly) {
    const { pks, partitionId } = (m as Message<'Delete'>).body;
    for (const pk of pks) addDelete(s, deleteEntry(pk, tso, partitionId));
    fx.deleted += (m as Message<'Delete'>).body.pks.length;
  }
}

/**
 * Drops the delete log's entries at or below `floor`: a prefix, as the log is in
 * TSO order. Sequence numbers of the rest do not change. Returns how many went.
 */
export function trimDeletes(s: ShardData, floor: Tso): number {
  if (floor <= s.deleteFloorTso) return 0;
  s.deleteFloorTso = floor;
  let k = 0;
  while (k < s.deletes.length && s.deletes[k]!.tso <= floor) k++;
  if (k === 0) return 0;
  const kept = s.deletes.slice(k);
  // Most of the log going: building the lookup of what stays is cheaper than unpicking it.
  if (k > kept.length) s.deleteIndex = indexOf(kept);
  else trimIndex(s.deleteIndex, floor, s.deletes.slice(0, k).map((d) => d.pk));
  s.deletes = kept;
  s.deleteBase += k;
  return k;
}

/**
 * What the coordinator knew when it took a floor: the shard's distribution
 * version and the segment records (`covered`) the floor is the least cover of.
 * A segment some distribution up to `version` named had its record by then
 * (records come before the distributions that serve or retire them), so its
 * rows, or the merged segment's that took them, are covered.
 */
export interface FloorBasis { version: number; covered: ReadonlySet<number> }

const seenBy = (id: number, h: HandOff, b: FloorBasis): boolean => (h.version >= 0 ? h.version <= b.version : b.covered.has(id));

/**
 * The floor a TrimDeletes may carry, given `floor` from the coordinator, or
 * null: no lower than the CreateSegment of any segment held here (growing,
 * sealed, not yet handed off), and none at all while a hand-off is one the
 * basis did not see (its record may be missing from the floor), or when it
 * would drop no entry (a trim is a WAL message: an idle shard is not written
 * to every round).
 */
export function trimFloorFor(s: ShardData, floor: Tso, basis: FloorBasis): Tso | null {
  if (s.dropped) return null;
  for (const [id, h] of s.handedOff) if (!seenBy(id, h, basis)) return null;
  let f = floor;
  for (const seg of s.segments.values()) if (seg.createdTso < f) f = seg.createdTso;
  const first = s.deletes[0];
  return f > s.deleteFloorTso && first !== undefined && first.tso <= f ? f : null;
}

/**
 * Forgets the hand-offs the coordinator has seen: they can no longer be
 * missing from a floor, and nothing else needs them (an owner never grows a
 * segment again once its rows left: recovery rebuilds only segments a
 * checkpoint held). Keeps the map as small as the hand-offs in flight.
 */
export function confirmHandOffs(s: ShardData, basis: FloorBasis): number {
  let n = 0;
  for (const [id, h] of s.handedOff) if (seenBy(id, h, basis)) { s.handedOff.delete(id); n++; }
  return n;
}

export function addDelete(s: ShardData, e: DeleteEntry): void {
  s.deletes.push(e);
  addToIndex(s.deleteIndex, [e]);
}

/**
 * Whether a distribution leaves a partition's flushed rows in object storage
 * only (the collection released, or the partition not among those loaded):
 * delegators, owner and followers alike, drop their growing copies.
 */
export function releasedBy(d: Pick<Distribution, 'loaded' | 'partitions'>, partitionId: number): boolean {
  return d.loaded === false || (d.partitions !== undefined && !d.partitions.includes(partitionId));
}
