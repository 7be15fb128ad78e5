import { pchannelOf } from '../../../messages/rpc/streamingNode.js';
/**
 * The replicator's pure core: maps one source collection's WAL messages, fed in
 * WAL order per vchannel, to target operations (targetOps.ts). No I/O, no clock:
 * the shell (runtime/replication) scans the source, applies the operations on
 * the target and checkpoints `checkpoint()` after each.
 *
 * - Plain Inserts and Deletes map to one write each.
 * - A transaction's bodies are held until its CommitTxn, which maps to one
 *   target transaction; a RollbackTxn, a DDL on its vchannel (DDLs are
 *   exclusive and abort open transactions) or its keep-alive running out
 *   (a later commit would be refused) drops them.
 * - A broadcast DDL (one copy per vchannel) is a barrier: each vchannel that
 *   reaches it waits until every vchannel has, so every write before it on any
 *   shard is applied before it, and none after; then it is applied once.
 * - Positions: per vchannel, `applied` (every message below it is done) moves
 *   only when the shell says a message was handled (`advance`); `resume` (where
 *   a restart reads from) stays at the oldest open transaction's BeginTxn.
 *   Messages below `applied` read again after a restart only rebuild open
 *   transactions; they make no operation.
 */
import { ReplicationGapError } from '../../../messages/errors.js';
import { bodyOf, EXCLUSIVE, tsoAddMs, type AnyMessage, type Tso, type WalPosition } from '../../../messages/types.js';
import { replicationAppendId, type TargetOp, type WriteOp } from './targetOps.js';

/** Per source vchannel: every message below `applied` is done; a restart reads from `resume`. */
export interface VchannelCursor { applied: WalPosition; resume: WalPosition }

/** What the replicator checkpoints in the target's meta store. */
export interface ReplicationCheckpoint {
  sourceCollectionId: number;
  vchannels: Record<string, VchannelCursor>;
  /** Source partition id -> name (ids of the source, names shared with the target). */
  partitions: Record<string, string>;
}

/** What the shell does with an offered message. */
export type Decision =
  /** Nothing to apply: advance past it. */
  | { do: 'skip' }
  /** Apply `op` on the target, then advance. */
  | { do: 'apply'; op: TargetOp }
  /** A barrier not every vchannel has reached: hold this vchannel (do not advance, offer nothing more of it). */
  | { do: 'wait' };

interface OpenTxn { begin: WalPosition; keepaliveMs: number; expiresTso: Tso; writes: WriteOp[] }

/** The pchannel a vchannel lives on (messages/rpc/streamingNode.ts). */
export const pchannelOfVchannel = pchannelOf;

export class ReplicationCore {
  private readonly cursors = new Map<string, VchannelCursor>();
  private readonly partitions = new Map<number, string>();
  private readonly txns = new Map<string, Map<number, OpenTxn>>();
  /** Broadcast id -> the vchannels waiting at it and their positions there. */
  private readonly barriers = new Map<number, Map<string, WalPosition>>();
  /** Set once the source collection is dropped. */
  stopped = false;

  constructor(readonly sourceCollectionId: number, readonly vchannels: readonly string[], from?: ReplicationCheckpoint) {
    for (const v of vchannels) this.cursors.set(v, from?.vchannels[v] ?? { applied: -1, resume: -1 });
    for (const [id, name] of Object.entries(from?.partitions ?? {})) this.partitions.set(Number(id), name);
  }

  /** Where to scan a pchannel from: the lowest resume point of its vchannels (0 for one not started). */
  scanFrom(pchannel: string): WalPosition {
    let from = Infinity;
    for (const [v, c] of this.cursors) if (pchannelOfVchannel(v) === pchannel) from = Math.min(from, Math.max(0, c.resume));
    return from === Infinity ? 0 : from;
  }

  /** True when every vchannel of the pchannel has started (its CreateCollection was read): a gap before `scanFrom` is then data lost. */
  started(pchannel: string): boolean {
    return [...this.cursors].every(([v, c]) => pchannelOfVchannel(v) !== pchannel || c.applied >= 0);
  }

  /** The source pchannels, in name order. */
  pchannels(): string[] { return [...new Set(this.vchannels.map(pchannelOfVchannel))].sort(); }

  /** A pchannel's TimeTick: transactions whose keep-alive ran out before it can never commit. */
  tick(pchannel: string, tso: Tso): void {
    for (const [v, open] of this.txns) {
      if (pchannelOfVchannel(v) !== pchannel) continue;
      for (const [id, t] of open) if (tso > t.expiresTso) open.delete(id);
    }
    for (const v of this.vchannels) if (pchannelOfVchannel(v) === pchannel) this.refreshResume(v);
  }

  /** Decides what a message of one of the collection's vchannels (header.walPosition set) does. */
  offer(m: AnyMessage): Decision {
    const v = m.header.vchannel, pos = m.header.walPosition;
    const c = this.cursors.get(v);
    if (!c) throw new Error(`vchannel ${v} is not one of the replicated collection's`);
    const replay = pos < c.applied;
    if (c.applied < 0 && m.header.type !== 'CreateCollection') {
      throw new ReplicationGapError(`the source WAL of ${v} no longer starts at the collection's creation (its first message there is a ${m.header.type} at position ${pos}): the target needs a resync (backup/restore) before replication`);
    }
    if (EXCLUSIVE.has(m.header.type)) this.txns.delete(v);
    const txn = m.header.txn;
    switch (m.header.type) {
      case 'BeginTxn':
        this.openTxns(v).set(txn!.id, { begin: pos, keepaliveMs: bodyOf(m, 'BeginTxn').keepaliveMs, expiresTso: tsoAddMs(m.header.tso, bodyOf(m, 'BeginTxn').keepaliveMs), writes: [] });
        return { do: 'skip' };
      case 'Insert': case 'Delete': {
        if (txn) {
          const t = this.txns.get(v)?.get(txn.id);
          if (t) { t.writes.push(this.write(m)); t.expiresTso = tsoAddMs(m.header.tso, t.keepaliveMs); }
          return { do: 'skip' };
        }
        return replay ? { do: 'skip' } : { do: 'apply', op: { ...this.write(m), appendId: this.appendId(m) } };
      }
      case 'CommitTxn': {
        const t = this.txns.get(v)?.get(txn!.id);
        this.txns.get(v)?.delete(txn!.id);
        if (replay || !t || t.writes.length === 0) return { do: 'skip' };
        return { do: 'apply', op: { kind: 'txn', shard: this.shardOf(v), writes: t.writes, appendId: this.appendId(m) } };
      }
      case 'RollbackTxn':
        this.txns.get(v)?.delete(txn!.id);
        return { do: 'skip' };
      case 'RestoreDeletes':
        throw new ReplicationGapError(`the source collection of ${v} was restored from a snapshot (its rows are in restored segments, not in the WAL): replicate it by restoring the same snapshot or a backup on the target`);
      default: {
        const op = this.ddl(m);
        if (!op) return { do: 'skip' };
        if (replay) return { do: 'skip' };
        return this.arrive(m, op);
      }
    }
  }

  /**
   * The shell handled `m` (applied its operation or skipped it): its vchannel,
   * and for a barrier every vchannel waiting at it, move past it. Returns the
   * vchannels released from a barrier.
   */
  advance(m: AnyMessage): string[] {
    const waiting = m.header.broadcast ? this.barriers.get(m.header.broadcast.id) : undefined;
    if (waiting && waiting.size === this.vchannels.length) {
      this.barriers.delete(m.header.broadcast!.id);
      for (const [v, pos] of waiting) this.moveTo(v, pos + 1);
      return [...waiting.keys()].filter((v) => v !== m.header.vchannel);
    }
    this.moveTo(m.header.vchannel, m.header.walPosition + 1);
    return [];
  }

  checkpoint(): ReplicationCheckpoint {
    return {
      sourceCollectionId: this.sourceCollectionId,
      vchannels: Object.fromEntries(this.vchannels.map((v) => [v, { ...this.cursors.get(v)! }])),
      partitions: Object.fromEntries([...this.partitions].map(([id, name]) => [String(id), name])),
    };
  }

  /** Open transactions held (for tests and status). */
  get openTxnCount(): number { let n = 0; for (const t of this.txns.values()) n += t.size; return n; }

  private moveTo(v: string, next: WalPosition): void {
    const c = this.cursors.get(v)!;
    c.applied = Math.max(c.applied, next);
    this.refreshResume(v);
  }

  private refreshResume(v: string): void {
    const c = this.cursors.get(v)!;
    if (c.applied < 0) return;
    let resume = c.applied;
    for (const t of this.txns.get(v)?.values() ?? []) resume = Math.min(resume, t.begin);
    c.resume = resume;
  }

  private arrive(m: AnyMessage, op: TargetOp): Decision {
    const b = m.header.broadcast;
    if (!b) return { do: 'apply', op };
    let waiting = this.barriers.get(b.id);
    if (!waiting) { waiting = new Map(); this.barriers.set(b.id, waiting); }
    waiting.set(m.header.vchannel, m.header.walPosition);
    return waiting.size === this.vchannels.length ? { do: 'apply', op } : { do: 'wait' };
  }

  /** The target operation of a DDL message; null for what the target makes itself (segments, ticks, flushes, trims) or does not copy (renames). */
  private ddl(m: AnyMessage): TargetOp | null {
    switch (m.header.type) {
      case 'CreateCollection':
        for (const p of bodyOf(m, 'CreateCollection').partitions) this.partitions.set(p.id, p.name);
        return { kind: 'createCollection', body: bodyOf(m, 'CreateCollection') };
      case 'CreatePartition':
      {
        const p = bodyOf(m, 'CreatePartition').partition;
        this.partitions.set(p.id, p.name);
        return { kind: 'createPartition', name: p.name };
      }
      case 'DropPartition': return { kind: 'dropPartition', name: this.partitionName(bodyOf(m, 'DropPartition').partitionId) };
      case 'TruncateCollection': return { kind: 'truncate' };
      case 'AddCollectionField': return { kind: 'addField', field: bodyOf(m, 'AddCollectionField').field };
      case 'DropCollectionField': return { kind: 'dropField', fieldName: bodyOf(m, 'DropCollectionField').fieldName };
      case 'AlterCollectionField': { const b = bodyOf(m, 'AlterCollectionField'); return { kind: 'alterField', fieldName: b.fieldName, params: b.params }; }
      case 'AddCollectionFunction': return { kind: 'addFunction', function: bodyOf(m, 'AddCollectionFunction').function };
      case 'AlterCollectionFunction': return { kind: 'alterFunction', function: bodyOf(m, 'AlterCollectionFunction').function };
      case 'DropCollectionFunction': return { kind: 'dropFunction', functionName: bodyOf(m, 'DropCollectionFunction').functionName };
      case 'AlterCollection': {
        const b = bodyOf(m, 'AlterCollection');
        return { kind: 'alterTtl', ttlSeconds: b.ttlSeconds, ...(b.ttlField ? { ttlField: b.ttlField } : {}) };
      }
      case 'CreateIndex': return { kind: 'createIndex', index: bodyOf(m, 'CreateIndex').index };
      case 'DropIndex': return { kind: 'dropIndex', indexName: bodyOf(m, 'DropIndex').indexName };
      case 'DropCollection': return { kind: 'sourceDropped' };
      default: return null;
    }
  }

  private write(m: AnyMessage): WriteOp {
    const shard = this.shardOf(m.header.vchannel);
    if (m.header.type === 'Insert') { const b = bodyOf(m, 'Insert'); return { kind: 'insert', shard, partition: this.partitionName(b.partitionId), rows: b.rows }; }
    const b = bodyOf(m, 'Delete');
    return { kind: 'delete', shard, partition: b.partitionId === -1 ? null : this.partitionName(b.partitionId), pks: b.pks };
  }

  private partitionName(id: number): string {
    const name = this.partitions.get(id);
    if (name === undefined) throw new ReplicationGapError(`source partition ${id} of collection ${this.sourceCollectionId} is unknown to the replicator (its CreatePartition was not read)`);
    return name;
  }

  private shardOf(v: string): number { return this.vchannels.indexOf(v); }
  private appendId(m: AnyMessage): string { return replicationAppendId(this.sourceCollectionId, pchannelOfVchannel(m.header.vchannel), m.header.walPosition); }
  private openTxns(v: string): Map<number, OpenTxn> {
    let t = this.txns.get(v);
    if (!t) { t = new Map(); this.txns.set(v, t); }
    return t;
  }
}
