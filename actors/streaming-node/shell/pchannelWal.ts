import { decodeMessage, encodeMessage } from '../../../messages/codec.js';
import { NuthatchError, ValidationError, asNuthatchError } from '../../../messages/errors.js';
import { bodyOf, newMessage, physicalMs, WAL_GENERATED, type AnyMessage, type Message, type Tso } from '../../../messages/types.js';
import type { WalBackend, WalWriter } from '../../../runtime/ports/walBackend.js';
import { applyMessage, initialVchannel, persistVchannel, type VchannelSnapshot } from '../core/vchannel/index.js';
import type { ShardData } from '../core/shardData.js';
import { assignSegment, rowsForBytes, segmentsToSeal } from '../core/segmentPolicy.js';
import { sizingDim } from '../../shared/segment/segmentSize.js';
import { loadRecoverableCheckpoint, persistShard, replayFromOf, saveCheckpoint } from './checkpoint.js';
import { snapshotDeletes, unreferenced, writeArchive, type ArchivedDeletes } from './deleteArchive.js';
import { foldDurable, restoreCheckpoint } from './durableFold.js';
import { LogTruncation } from './logTruncation.js';
import { appendedEvent, emitAll, foldedEvents, openedEvents, rejectedEvent, tickEvents, type NodeContext } from './nodeContext.js';
import { ArchiveSweep } from './archiveSweep.js';
import { AppendDedup } from './appendDedup.js';
import { ConditionalWrites } from './conditionalWrites.js';
import { TsoSource } from './tsoSource.js';
import type { WalMetrics } from './streamingMetrics.js';
import type { Fence } from '../../../messages/fence.js';
import { notOthersRefusal, refuseStale } from './fencedAppend.js';

type Job = () => Promise<void>;

/**
 * One pchannel's WAL on this node: the append pipeline (admit through the vchannel
 * machine, stamp a TSO, append; TSO order equals WAL order because stamping is
 * sequential), the durable fold that feeds the delegators, time ticks, seal
 * policies, flush dispatch, checkpoints and recovery.
 */
export class PchannelWal {
  /** Admission state: advanced when a message is stamped. */
  readonly admitted = new Map<string, VchannelSnapshot>();
  /** Durable state: advanced when a message is durable, in WAL order. */
  readonly durable = new Map<string, VchannelSnapshot>();
  readonly shards = new Map<string, ShardData>();
  get shredding() { return this.node.config.jsonShredding; }
  serviceable = 0n;
  private writer!: WalWriter;
  private jobs: Job[] = [];
  private running = false;
  private lastAppend: Promise<unknown> = Promise.resolve();
  private writesSinceTick = 0;
  private dirty = 0;
  private applied = -1;
  private closed = false;
  private closing = false;
  /** Waiters for the job queue to run dry (close). */
  private idle: Array<() => void> = [];
  private failed: NuthatchError | null = null;
  private serviceWaiters: Array<{ tso: Tso; resolve: () => void }> = [];
  private timers: NodeJS.Timeout[] = [];
  readonly tso: TsoSource;
  /** Recent append ids per vchannel: part of the folded state (checkpointed, rebuilt on replay). */
  private readonly dedup: AppendDedup;
  private readonly conditional = new ConditionalWrites();
  private readonly truncation: LogTruncation;
  private readonly archiveSweep: ArchiveSweep;
  private readonly metrics: WalMetrics;

  constructor(readonly pchannel: string, readonly term: number, private readonly node: NodeContext, private readonly backend: WalBackend) {
    this.tso = new TsoSource(node.coordinator, 1000);
    this.dedup = new AppendDedup(node.config.dedupWindowMs);
    this.archiveSweep = new ArchiveSweep(pchannel, node.config.archiveSweep);
    this.metrics = node.metrics.wal(pchannel);
    this.truncation = new LogTruncation(pchannel, backend, node.config.walRetention, (...a) => this.log(...a),
      (first) => node.inspect?.({ kind: 'effect', what: 'wal-truncated', pchannel, term, position: first }));
  }

  private log(...a: unknown[]) { this.node.log(`[${this.pchannel}#${this.term}]`, ...a); }

  // ---- recovery -------------------------------------------------------------

  /** Fences the previous owner with a first tick, restores the checkpoint and replays the log to that tick. */
  async open(): Promise<void> {
    this.writer = await this.backend.openWriter(this.pchannel, this.term);
    const fenceTso = await this.tso.next();
    const fence = newMessage('TimeTick', '', { persisted: true });
    fence.header.tso = fenceTso;
    const fencePos = await this.writer.append({ tso: fenceTso, payload: encodeMessage(fence) });
    const ckpt = await loadRecoverableCheckpoint(this.node.objects, this.backend, this.pchannel);
    this.truncation.restore(ckpt?.retention, await this.backend.firstPosition(this.pchannel));
    this.deleteArchives = new Map(Object.entries(ckpt?.shards ?? {}).map(([v, p]) => [v, p.deleteArchive ?? []]));
    let from = 0;
    if (ckpt) {
      await restoreCheckpoint(this, ckpt, this.backend, this.pchannel);
      this.dedup.restore(ckpt.appendIds);
      from = ckpt.applied + 1;
      this.applied = ckpt.applied;
    }
    let replayed = 0;
    for await (const batch of this.backend.read(this.pchannel, Math.max(from, await this.backend.firstPosition(this.pchannel)), fencePos)) {
      for (const r of batch) { this.applyDurable(decodeMessage(r.payload, r.position), true); replayed++; }
    }
    this.applied = fencePos;
    for (const [v, s] of this.durable) this.admitted.set(v, s);
    this.serviceable = fenceTso;
    this.opened = true;
    this.log(`open: checkpoint ${ckpt ? ckpt.applied : 'none'}, replayed ${replayed} messages up to fence ${fencePos}`);
    emitAll(this.node.inspect, () => openedEvents(this.pchannel, this.term, fencePos, `checkpoint ${ckpt ? ckpt.applied : 'none'}, replayed ${replayed}`, this.durable, this.shards));
    await this.afterRecovery();
    this.timers.push(setInterval(() => this.tick(), this.node.config.tickMs));
    this.timers.push(setInterval(() => { if (this.dirty > 0) void this.checkpoint(); }, this.node.config.checkpointMs));
  }

  /**
   * Transactions do not survive a WAL transfer; sealed segments left unflushed are flushed now: persisted
   * (again: the same file from the same range), recorded, then their Flush written (dispatchFlush), so one whose
   * report was lost with the previous owner gets its record. So are those flushed and still held (no distribution
   * has named them): a log written before the record came first may hold a Flush whose report was lost; one the
   * coordinator has already is recorded as it was. Without a record, a release would drop their rows (they wait in
   * object storage) for good. Those of a dropped partition are not: their rows went with it.
   */
  private async afterRecovery(): Promise<void> {
    for (const [vchannel, snap] of this.admitted) {
      for (const t of Object.values(snap.context.txns)) {
        if (t.status !== 'open') continue;
        const m = newMessage('RollbackTxn', vchannel, {}, { id: t.id });
        await this.submit(m).catch((e) => this.log('rollback of txn', t.id, 'failed:', e.message));
      }
    }
    for (const [vchannel, s] of this.shards) for (const seg of s.segments.values()) if (seg.sealPos !== null && !(seg.flushed && seg.partitionDropped)) this.node.dispatchFlush(this, vchannel, seg.id);
  }

  // ---- the append pipeline ----------------------------------------------------

  /** Appends a client message (bytes as sent); resolves when it is durable. `reservation`: the reserveWrite that admitted it. */
  async append(bytes: Uint8Array, reservation?: string, fence?: Fence): Promise<{ tso: Tso; position: number }> {
    const m = decodeMessage(bytes);
    if (WAL_GENERATED.has(m.header.type)) throw new ValidationError(`${m.header.type} is generated by the WAL and cannot be appended by a client`);
    if (!m.header.vchannel.startsWith(this.pchannel + '_')) throw new NuthatchError('NotOwner', `vchannel ${m.header.vchannel} is not on pchannel ${this.pchannel}`);
    const appendId = m.header.appendId;
    // Admitted inside the dedup window: a retry of a write already made is answered, never charged or refused.
    const admitted = () => { this.node.admitWrite?.([m], bytes.byteLength, reservation); return this.submit(m, fence); };
    return appendId === undefined ? admitted() : notOthersRefusal(fence, () => this.dedup.run(m.header.vchannel, appendId, admitted));
  }

  /**
   * Appends a transaction: Begin, body, Commit. Visible atomically at the commit's
   * TSO. With an append id (carried by the Commit) a retry of a committed
   * transaction answers with the first commit's TSO. With `unchangedSince`,
   * it commits only if none of its keys was written after that TSO
   * (conditionalWrites.ts), else it is rolled back: WriteConflict.
   */
  async appendTxn(vchannel: string, bodies: Uint8Array[], appendId?: string, unchangedSince?: Tso, reservation?: string, fence?: Fence): Promise<{ tso: Tso }> {
    if (appendId === undefined) return this.runTxn(vchannel, bodies, undefined, unchangedSince, reservation, fence);
    const r = await notOthersRefusal(fence, () => this.dedup.run(vchannel, appendId, async () => ({ tso: (await this.runTxn(vchannel, bodies, appendId, unchangedSince, reservation, fence)).tso, position: -1 })));
    return { tso: r.tso };
  }

  private async runTxn(vchannel: string, bodies: Uint8Array[], appendId?: string, unchangedSince?: Tso, reservation?: string, fence?: Fence): Promise<{ tso: Tso }> {
    const messages = bodies.map((b) => decodeMessage(b));
    if (messages.some((m) => m.header.vchannel !== vchannel)) throw new ValidationError('every message of a transaction must name its vchannel');
    // The whole transaction is admitted or refused before its Begin: a refused upsert writes nothing.
    this.node.admitWrite?.(messages, bodies.reduce((n, b) => n + b.byteLength, 0), reservation);
    const id = await this.node.allocId();
    const txn = { id, keepaliveMs: 10_000 };
    if (unchangedSince !== undefined) this.conditional.expect(id, unchangedSince);
    try {
      await this.submit(newMessage('BeginTxn', vchannel, { keepaliveMs: txn.keepaliveMs }, txn), fence);
      for (const m of messages) {
        m.header.txn = txn;
        await this.submit(m, fence);
      }
      const commit = newMessage('CommitTxn', vchannel, {}, txn);
      if (appendId !== undefined) commit.header.appendId = appendId;
      const c = await this.submit(commit, fence);
      return { tso: c.tso };
    } catch (e) {
      this.conditional.forget(id);
      await this.submit(newMessage('RollbackTxn', vchannel, {}, txn)).catch(() => {});
      throw e;
    }
  }

  /** Queues a message for stamping; resolves when durable. `fence`: checked in the step, before the stamp (fencedAppend.ts). */
  submit(m: AnyMessage, fence?: Fence): Promise<{ tso: Tso; position: number }> {
    return new Promise((resolve, reject) => {
      this.enqueue(async () => {
        refuseStale(this.node.fenceMarks, fence);
        const { durable } = await this.stamp(m);
        durable.then(resolve, reject);
      }, reject);
    });
  }

  private enqueue(job: Job, onError: (e: unknown) => void): void {
    if (this.closing) { onError(new NuthatchError('WalUnavailable', `pchannel ${this.pchannel} is closing on this node`)); return; }
    this.jobs.push(async () => { try { await job(); } catch (e) { onError(e); } });
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.jobs.length) await this.jobs.shift()!();
    this.running = false;
    for (const w of this.idle.splice(0)) w();
  }

  /** Admits and stamps one message (inside the sequential loop); returns the durability promise. */
  private async stamp(m: AnyMessage): Promise<{ durable: Promise<{ tso: Tso; position: number }> }> {
    if (this.failed) throw this.failed;
    if (this.closed) throw new NuthatchError('WalUnavailable', `pchannel ${this.pchannel} is closed on this node`);
    if (m.header.type === 'Insert' && bodyOf(m, 'Insert').segmentId === -1) await this.assign(m as Message<'Insert'>);
    m.header.tso = this.tso.tryNext() ?? await this.tso.next();
    this.lastStampedTso = m.header.tso;
    m.header.lastConfirmed = this.applied;
    const vchannel = m.header.vchannel;
    if (m.header.type !== 'TimeTick') {
      const snap = this.admitted.get(vchannel) ?? initialVchannel(vchannel);
      this.conditional.check(m);
      const verdict = applyMessage(snap, m);
      if (!verdict.ok) { this.metrics.rejected(verdict.error.invariant); this.node.inspect?.(rejectedEvent(this.pchannel, m, verdict.error)); throw verdict.error; }
      this.admitted.set(vchannel, verdict.snapshot);
      this.conditional.admitted(m);
      this.writesSinceTick++;
    }
    const payload = encodeMessage(m);
    const started = performance.now();
    const appended = this.writer.append({ tso: m.header.tso, payload });
    this.lastAppend = appended.catch(() => {});
    // Wrapped in an object: returning the promise itself would make callers await durability.
    return { durable: appended.then((position) => {
      this.metrics.appended(m.header.type, payload.byteLength, started);
      m.header.walPosition = position;
      this.applyDurable(m, false);
      this.truncation.acknowledged(m.header.tso);
      return { tso: m.header.tso, position };
    }, (e) => { this.fail(asNuthatchError(e)); throw this.failed; }) };
  }

  /** Picks (and if needed creates) the growing segment an insert goes to. */
  private async assign(m: Message<'Insert'>): Promise<void> {
    const vchannel = m.header.vchannel;
    const snap = this.admitted.get(vchannel);
    const coll = snap?.context.collection;
    if (!snap || !coll) return; // the machine rejects it with the right invariant
    const dim = sizingDim(coll.schema);
    const limits = { ...this.node.config.segment, maxRows: this.node.config.segment.maxRows ?? rowsForBytes(this.node.config.segment.maxBytes, dim) };
    const a = assignSegment(snap.context, m.body.partitionId, m.body.rows.count, limits);
    if ('segmentId' in a) { m.body.segmentId = a.segmentId; return; }
    if (a.seal !== null) void this.submit(newMessage('SealSegment', vchannel, { collectionId: coll.id, segmentId: a.seal, reason: 'size' })).catch(() => {});
    const segmentId = await this.node.allocId();
    void (await this.stamp(newMessage('CreateSegment', vchannel, { collectionId: coll.id, partitionId: m.body.partitionId, segmentId }))).durable.catch(() => {});
    m.body.segmentId = segmentId;
  }

  // ---- the durable fold -------------------------------------------------------

  /** Folds a durable message into the durable machines and the shard data. */
  private applyDurable(m: AnyMessage, replay: boolean): void {
    this.applied = Math.max(this.applied, m.header.walPosition);
    this.dirty++;
    this.dedup.record(m);
    if (!replay) this.node.inspect?.(appendedEvent(this.pchannel, m));
    if (m.header.type === 'TimeTick') { this.advanceServiceable(m.header.tso); return; }
    const v = m.header.vchannel;
    const f = foldDurable(this, m);
    if (!f.ok) { if (replay) this.log(`replay skipped a message the machine rejects at ${m.header.walPosition}: ${f.error.message}`); return; }
    if (!replay) for (const id of f.fx.sealed) this.node.dispatchFlush(this, v, id);
    if (!replay) emitAll(this.node.inspect, () => foldedEvents(this.pchannel, m, f.before, f.after, f.shard, f.fx));
    // Its growing copy goes if the distribution names it or released it (the record came before the Flush: dispatchFlush).
    if (!replay && f.fx.flushed.length > 0) this.node.flushApplied(this, v);
  }

  // ---- time ticks and serviceable time -----------------------------------------

  private advanceServiceable(t: Tso): void {
    if (t <= this.serviceable) return;
    emitAll(this.node.inspect, () => tickEvents(this.pchannel, t, this.applied, this.serviceable, this.durable, this.shards));
    this.serviceable = t;
    this.serviceWaiters = this.serviceWaiters.filter((w) => (w.tso <= t ? (w.resolve(), false) : true));
  }

  /** Periodic tick: persisted only when real writes happened since the last one; also runs seal policies. */
  private tick(): void {
    if (this.closed || this.failed || this.running) return;
    const persist = this.writesSinceTick > 0;
    this.writesSinceTick = 0;
    this.enqueue(async () => {
      if (persist) {
        const m = newMessage('TimeTick', '', { persisted: true });
        void (await this.stamp(m)).durable.catch(() => {});
      } else await this.memoryTick();
      this.runSealPolicies();
      this.conditional.prune((v, id) => this.admitted.get(v)?.context.txns[String(id)]?.status === 'open');
    }, () => {});
  }

  /** A tick not persisted: valid because every earlier stamp is durable once lastAppend settles. */
  private async memoryTick(): Promise<void> {
    const t = this.tso.tryNext() ?? await this.tso.next();
    await this.lastAppend;
    this.advanceServiceable(t);
  }

  /** Appends a persisted tick: fails (and closes the WAL) if storage fenced this owner. */
  async probe(): Promise<void> {
    if (this.closed || this.failed) return;
    await this.submit(newMessage('TimeTick', '', { persisted: true })).then(
      () => this.log('probe: still the owner'),
      (e) => this.log('probe failed:', (e as Error).message));
  }

  /** Waits until every message with TSO <= t is durable and folded (forcing a tick). */
  async sync(t: Tso): Promise<Tso> {
    if (this.serviceable >= t) return this.serviceable;
    await new Promise<void>((resolve, reject) => {
      this.serviceWaiters.push({ tso: t, resolve });
      this.enqueue(async () => { await this.tso.above(t); await this.memoryTick(); }, reject);
    });
    return this.serviceable;
  }

  /**
   * For a follower's read at `t`: a tick at or above t (in memory, as for the
   * owner's own reads: no WAL write), and the WAL position up to which every
   * message with a TSO at or below that tick lies. A follower that has folded up
   * to that position may serve reads at the tick.
   */
  async confirmTso(t: Tso): Promise<{ tso: Tso; position: number }> {
    const tso = await this.sync(t);
    return { tso, position: this.applied };
  }

  private runSealPolicies(): void {
    for (const [vchannel, snap] of this.admitted) {
      const coll = snap.context.collection;
      if (!coll || coll.droppedTso !== null) continue;
      const dim = sizingDim(coll.schema);
      const cfg = this.node.config.segment;
      const limits = { ...cfg, maxRows: cfg.maxRows ?? rowsForBytes(cfg.maxBytes, dim) };
      const shard = this.shards.get(vchannel);
      for (const s of segmentsToSeal(snap.context, this.serviceable, (id) => shard?.segments.get(id)?.lastWriteTso, limits)) {
        void this.submit(newMessage('SealSegment', vchannel, { collectionId: coll.id, segmentId: s.segmentId, reason: s.reason })).catch(() => {});
      }
    }
  }

  // ---- checkpoints ----------------------------------------------------------------

  private checkpointing = false;
  /** open() recovered the checkpoint and the log: the state is whole and may be checkpointed. */
  private opened = false;
  private lastStampedTso: Tso = 0n;
  /** Per shard, the runs of its delete log already stored as objects (see deleteArchive.ts). */
  private deleteArchives = new Map<string, ArchivedDeletes[]>();

  /** State changed outside the log (a hand-off): the next checkpoint period writes one. */
  markDirty(): void { this.dirty++; }

  /** Stores the folded state; the log is then truncated as far as the retention allows (see LogTruncation). */
  async checkpoint(): Promise<void> {
    // Before open recovered the state (an open that failed, fenced by a newer term): a checkpoint would store
    // an empty state under this term, newer than the real one, and no owner could recover from it.
    if (!this.opened || this.checkpointing || this.failed || this.closed) return;
    this.checkpointing = true;
    try {
      this.dirty = 0;
      const applied = this.applied;
      const replayFrom = replayFromOf(this.shards.values(), applied);
      const plan = this.truncation.plan(replayFrom, physicalMs(this.serviceable));
      // Everything is taken before the first await, so that it all matches `applied`.
      const deletes = new Map([...this.shards].map(([v, s]) => [v, snapshotDeletes(v, s, this.deleteArchives.get(v) ?? [])]));
      const ckpt = {
        term: this.term, applied, replayFrom,
        vchannels: Object.fromEntries([...this.durable].map(([v, s]) => [v, persistVchannel(s)])),
        shards: Object.fromEntries([...this.shards].map(([v, s]) => [v, persistShard(s, deletes.get(v))])),
        appendIds: this.dedup.persist(),
        retention: plan.marks,
      };
      for (const d of deletes.values()) if (d.write) await writeArchive(this.node.objects, d.write);
      const newest = await saveCheckpoint(this.node.objects, this.pchannel, ckpt);
      const archives = new Map([...deletes].map(([v, d]) => [v, d.archives]));
      const freed = unreferenced(this.deleteArchives, archives);
      this.deleteArchives = archives;
      for (const key of freed) await this.node.objects.delete(key).catch((e) => this.log(`freeing ${key} failed:`, (e as Error).message));
      if (newest) {
        await this.archiveSweep.afterCheckpoint(this.node.objects, archives.values(), Date.now()).then(
          (gone) => { if (gone.length > 0) this.log(`removed ${gone.length} delete archive(s) no checkpoint lists: ${gone.join(', ')}`); },
          (e) => this.log('delete archive sweep failed:', (e as Error).message));
      }
      this.node.inspect?.({ kind: 'effect', what: 'checkpoint-written', pchannel: this.pchannel, term: this.term, position: applied });
      this.truncation.stored(plan, this.lastStampedTso);
    } catch (e) {
      this.log('checkpoint failed:', (e as Error).message);
    } finally { this.checkpointing = false; }
  }

  // ---- lifecycle --------------------------------------------------------------------

  private fail(e: NuthatchError): void {
    if (this.failed) return;
    this.failed = e.code === 'Fenced' ? e : new NuthatchError('WalUnavailable', `WAL of ${this.pchannel} failed: ${e.message}`, {}, e);
    this.log('WAL failed:', e.message);
    this.node.inspect?.({ kind: 'effect', what: e.code === 'Fenced' ? 'wal-fenced' : 'wal-failed', pchannel: this.pchannel, term: this.term, detail: e.message });
    this.node.walFailed(this);
  }

  /**
   * Stops taking work, lets what was accepted reach storage (a fenced owner's
   * appends fail there, as they must), then checkpoints and closes the writer.
   * Without `checkpoint` (the pchannel moved to a newer owner, which recovers on
   * its own) this owner writes nothing more, and truncates nothing.
   */
  async close(o: { checkpoint?: boolean } = {}): Promise<void> {
    if (this.closed || this.closing) return;
    this.closing = true;
    for (const t of this.timers) clearInterval(t);
    // Jobs waiting for a TSO fail now rather than when the coordinator answers.
    this.tso.close(new NuthatchError('WalUnavailable', `pchannel ${this.pchannel} is closing on this node`));
    if (this.running) await new Promise<void>((resolve) => this.idle.push(resolve));
    if (!this.failed) { await this.lastAppend; if (o.checkpoint !== false) await this.checkpoint(); }
    this.closed = true;
    await this.writer?.close().catch(() => {});
  }
}
