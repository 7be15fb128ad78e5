import { randomUUID } from 'node:crypto';
import { encodeSession } from '../../../messages/nodeSession.js';
import { jsonShreddingConfig, type JsonShreddingConfig } from '../../shared/segment/jsonShredding.js';
import { newMessage } from '../../../messages/types.js';
import { NuthatchError } from '../../../messages/errors.js';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../../messages/rpc/coordinator.js';
import type { Distribution, PchannelAssignment } from '../../../messages/rpc/records.js';
import { streamingChecks, streamingNodeChecks, streamingNodeSubject, streamingOwnerSubject, streamingReadSubject, streamingSubject, type StreamingNodeProtocol, type StreamingProtocol } from '../../../messages/rpc/streamingNode.js';
import { DATA_NODE_SUBJECT, EVENTS, dataNodeSubject, type DataNodeProtocol } from '../../../messages/rpc/workers.js';
import { decodeValue } from '../../../messages/valueCodec.js';
import type { Bus, BusSubscription } from '../../../runtime/ports/bus.js';
import type { Lease, MetaStore } from '../../../runtime/ports/metaStore.js';
import type { ObjectStore } from '../../../runtime/ports/objectStore.js';
import type { WalBackend } from '../../../runtime/ports/walBackend.js';
import { client, serveProtocol, withRetry, type Caller, type Handlers } from '../../../runtime/rpc/typedBus.js';
import { FenceGate } from '../../../runtime/rpc/fence.js';
import { followWorkerSessions, WorkerPool } from '../../../runtime/rpc/workerPool.js';
import { Delegator } from './delegator.js';
import { AdmissionGate } from './admissionGate.js';
import { memoryDenial, writeRequest, type AdmissionRequest } from '../core/admission.js';
import { totalmem } from 'node:os';
import type { AdmissionSnapshot } from '../../../messages/admission.js';
import { Follower } from './follower.js';
import { DEFAULT_STREAMING_CONFIG, type NodeContext, type StreamingConfig } from './nodeContext.js';
import { PchannelWal } from './pchannelWal.js';
import { SegmentFlusher } from './segmentFlusher.js';
import { StreamingMetrics } from './streamingMetrics.js';
import type { MetricsRegistry } from '../../../runtime/metrics/registry.js';
import { scanWal } from './scan.js';
import { answerDeletes } from './deleteReads.js';
import { trimFloorFor, confirmHandOffs, shreddedGrowingBytes } from '../core/shardData.js';

export interface StreamingNodeOptions {
  nodeId: string;
  bus: Bus;
  meta: MetaStore;
  objects: ObjectStore;
  wal: WalBackend;
  /** Tuning; `jsonShredding` may name some knobs only (the rest are Milvus's defaults), and a bad one is refused. */
  config?: Partial<Omit<StreamingConfig, 'jsonShredding'>> & { jsonShredding?: Partial<JsonShreddingConfig> };
  log?: (...a: unknown[]) => void;
  /** Inspection hook (runtime/inspect); off when absent. */
  inspect?: NodeContext['inspect'];
  /** TTL of the node's session lease (default 10 s): how long after a crash its pchannels move. */
  sessionTtlMs?: number;
  /** Where the node's metrics go (the process's registry); kept privately when absent. */
  metrics?: MetricsRegistry;
}

/**
 * A streaming node: opens the pchannels the coordinator assigns to it (with their
 * fencing terms), serves appends, scans and shard reads on each pchannel's subject,
 * and drives seal -> flush with the data node.
 */
export class StreamingNode {
  /** This process's incarnation: a restart under the same id is told apart by it (messages/nodeSession.ts). */
  private readonly incarnation = randomUUID();
  private readonly wals = new Map<string, PchannelWal>();
  private readonly unmeasure: () => void;
  /** Per pchannel: the tail of its open/close steps, and the newest assignment seen. */
  private readonly opening = new Map<string, Promise<void>>();
  private readonly latest = new Map<string, PchannelAssignment>();
  private readonly serving = new Map<string, BusSubscription[]>();
  /** Read-only followers of pchannels owned elsewhere, and the subscriptions that serve their reads. */
  private readonly followers = new Map<string, { follower: Follower; sub: BusSubscription }>();
  /** Shard reads answered per pchannel (as owner or follower). */
  private readonly reads = new Map<string, number>();
  private readonly subs: BusSubscription[] = [];
  private readonly delegator: Delegator;
  private readonly ctx: NodeContext;
  /** Force-deny, disk quotas and rate limits, as the coordinator last published them (admissionGate.ts). */
  private readonly gate = new AdmissionGate();
  private lease?: Lease;
  private stopped = false;
  private ids = { next: 0, end: 0 };
  /** Fencing tokens of appends: checked on arrival (a read) and in each pchannel's append step (the mark). */
  private readonly fences: FenceGate;
  /** The data nodes flushes go to: one live node per flush, handed to another when its session ends (runtime/rpc/workerPool.ts). */
  private readonly dataNodes: WorkerPool<DataNodeProtocol>;
  /** Seal -> persist -> record -> Flush of each segment (segmentFlusher.ts). */
  private readonly flusher: SegmentFlusher;

  constructor(private readonly opts: StreamingNodeOptions) {
    const metrics = new StreamingMetrics(opts.nodeId, opts.metrics);
    this.unmeasure = metrics.measureGrowingShredded(() => this.growingShreddedBytes());
    this.delegator = new Delegator(opts.bus, metrics.reads);
    const coordinator: Caller<CoordinatorProtocol> = client<CoordinatorProtocol>(opts.bus, COORDINATOR_SUBJECT, 30_000);
    const log = opts.log ?? (() => {});
    this.fences = new FenceGate(opts.meta);
    this.dataNodes = new WorkerPool<DataNodeProtocol>(opts.bus, 'data-node', DATA_NODE_SUBJECT, dataNodeSubject, log);
    this.flusher = new SegmentFlusher(this.dataNodes, coordinator, log, () => this.stopped);
    this.ctx = {
      fenceMarks: this.fences.marks,
      nodeId: opts.nodeId, log, coordinator, objects: opts.objects,
      config: { ...DEFAULT_STREAMING_CONFIG, ...opts.config, segment: { ...DEFAULT_STREAMING_CONFIG.segment, ...opts.config?.segment }, jsonShredding: jsonShreddingConfig(opts.config?.jsonShredding) },
      allocId: () => this.allocId(),
      dispatchFlush: (wal, v, id) => this.flusher.dispatch(wal, v, id),
      // A segment's Flush applied: the distribution the delegator holds may name it (recorded and loaded before its Flush) or release it.
      flushApplied: (wal, v) => { const d = this.delegator.distributions.get(v); if (d) this.delegator.setDistribution(d, wal); },
      // A failed WAL closes; if the pchannel is still ours (storage hiccup) it opens again.
      walFailed: (wal) => { void this.closeWal(wal.pchannel).then(() => this.settle(wal.pchannel)); },
      inspect: opts.inspect,
      metrics,
      admitWrite: (messages, bytes, reservation) => {
        const r = writeRequest(messages, bytes);
        // A write its reservation covers was admitted whole, memory included, when it was reserved.
        if (!this.gate.check(r, reservation)) this.refuseOverMemory(r);
      },
    };
  }

  async start(): Promise<void> {
    const { bus } = this.opts;
    await this.register();
    // Data nodes' sessions, before any WAL opens and recovers sealed segments to flush.
    this.subs.push({ unsubscribe: await followWorkerSessions(this.opts.meta, this.dataNodes) });
    this.subs.push(bus.subscribe(EVENTS.assignments, (data) => {
      const v = decodeValue(data) as unknown as { pchannels: PchannelAssignment[] };
      void this.reconcile(v.pchannels);
    }));
    this.subs.push(bus.subscribe(EVENTS.distribution, (data) => {
      const d = decodeValue(data) as unknown as Distribution;
      this.delegator.setDistribution(d, this.walOf(d.vchannel));
      this.followers.get(pchannelOf(d.vchannel))?.follower.applyDistribution(this.delegator.distributions.get(d.vchannel) ?? d);
    }));
    this.subs.push(bus.subscribe(EVENTS.admission, (data) => this.gate.offer(decodeValue(data) as unknown as AdmissionSnapshot)));
    // Asked once before serving: published snapshots only come every few seconds.
    this.gate.offer(await withRetry(() => this.ctx.coordinator('admission', {}), { deadlineMs: 120_000 }));
    this.subs.push(serveProtocol<StreamingNodeProtocol>(bus, streamingNodeSubject(this.opts.nodeId), streamingNodeChecks, {
      nodeStatus: () => ({ nodeId: this.opts.nodeId, owns: [...this.wals.keys()].sort(), follows: [...this.followers.keys()].sort(), reads: Object.fromEntries(this.reads) }),
    }));
    const a = await withRetry(() => this.ctx.coordinator('assignments', {}), { deadlineMs: 120_000 });
    await this.reconcile(a.pchannels);
  }

  /**
   * Puts the node's session under a lease. A lost lease (e.g. the process was
   * paused past its TTL) means the coordinator may have moved our pchannels: each
   * open WAL proves it still owns its storage with a persisted tick (a fenced one
   * fails and closes), and a new session is registered.
   */
  private async register(): Promise<void> {
    const { meta, nodeId } = this.opts;
    const lease = await meta.grantLease(this.opts.sessionTtlMs ?? 10_000);
    this.lease = lease;
    await meta.put(`sessions/streaming-node/${nodeId}`, encodeSession({ nodeId, incarnation: this.incarnation }), { lease });
    void lease.lost.then(async () => {
      if (this.stopped) return;
      this.ctx.log(`session lease of ${nodeId} lost; checking ownership of ${this.wals.size} WAL(s) and registering again`);
      await Promise.all([...this.wals.values()].map((w) => w.probe()));
      await withRetry(() => this.register(), { deadlineMs: 24 * 3600_000, maxMs: 5000 }).catch((e) => this.ctx.log('re-register failed:', e.message));
      const a = await withRetry(() => this.ctx.coordinator('assignments', {}), { deadlineMs: 120_000 }).catch(() => undefined);
      if (a) await this.reconcile(a.pchannels);
    });
  }

  private walOf(vchannel: string): PchannelWal | undefined {
    return this.wals.get(pchannelOf(vchannel));
  }

  /** Opens what is assigned here, closes what moved away (the newest term wins). */
  private async reconcile(pchannels: PchannelAssignment[]): Promise<void> {
    if (this.stopped) return;
    for (const a of pchannels) {
      const known = this.latest.get(a.pchannel);
      if (!known || a.term >= known.term) this.latest.set(a.pchannel, a);
    }
    await Promise.all([...new Set(pchannels.map((a) => a.pchannel))].map((p) => this.settle(p)));
  }

  /** Runs one pchannel's open/close steps one at a time, each against its newest assignment. */
  private settle(pchannel: string): Promise<void> {
    const run = (this.opening.get(pchannel) ?? Promise.resolve()).then(() => this.settleNow(pchannel));
    const tail = run.catch((e) => this.ctx.log(`settling ${pchannel} failed:`, e.message));
    this.opening.set(pchannel, tail);
    return tail;
  }

  private async settleNow(pchannel: string): Promise<void> {
    const a = this.latest.get(pchannel);
    if (!a || this.stopped) return;
    const cur = this.wals.get(pchannel);
    if (a.nodeId !== this.opts.nodeId) {
      if (cur) {
        this.ctx.log(`[${pchannel}#${cur.term}] moved to ${a.nodeId} (term ${a.term}); closing`);
        await this.closeWal(pchannel, { moved: true });
      }
      if (!(a.followers ?? []).includes(this.opts.nodeId)) this.closeFollower(pchannel);
      else if (!this.followers.has(pchannel) && !await this.openFollower(pchannel)) setTimeout(() => void this.settle(pchannel), 1000).unref();
      return;
    }
    if (cur && cur.term >= a.term) return;
    if (cur) await this.closeWal(pchannel);
    const r = await this.openWal(a);
    // The follower served reads until the WAL took over here.
    if (r === 'ok') this.closeFollower(pchannel);
    if (r === 'ok' || this.stopped) return;
    // Fenced: a newer owner exists and its assignment is on the way (or was missed: ask).
    // Otherwise storage was briefly away: try again while the pchannel is still ours.
    if (r === 'fenced') void this.ctx.coordinator('assignments', {}).then((x) => this.reconcile(x.pchannels), () => {});
    else setTimeout(() => void this.settle(pchannel), 1000).unref();
  }

  private async openWal(a: PchannelAssignment): Promise<'ok' | 'fenced' | 'failed'> {
    const wal = new PchannelWal(a.pchannel, a.term, this.ctx, this.opts.wal);
    try {
      await wal.open();
    } catch (e) {
      this.ctx.log(`open of ${a.pchannel} (term ${a.term}) failed:`, (e as Error).message);
      await wal.close().catch(() => {});
      return (e as NuthatchError).code === 'Fenced' ? 'fenced' : 'failed';
    }
    // Stopped while it opened: nothing may keep running after stop() (its files, its subjects).
    if (this.stopped) { await wal.close().catch(() => {}); return 'failed'; }
    this.wals.set(a.pchannel, wal);
    for (const v of wal.shards.keys()) {
      // Applied to the shards just recovered even when this node knew the distribution
      // already (it followed the shard, or heard its events): setDistribution hands off
      // whatever version is newest, so recovered segments are not also searched here.
      const d = await this.ctx.coordinator('distribution', { vchannel: v }).catch(() => undefined) ?? this.delegator.distributions.get(v);
      if (d) this.delegator.setDistribution(d, wal);
    }
    const handlers = this.handlers(wal);
    this.serving.set(a.pchannel, [
      ...[streamingSubject(a.pchannel), streamingOwnerSubject(a.pchannel, a.term)]
        .map((subject) => serveProtocol<StreamingProtocol>(this.opts.bus, subject, streamingChecks, handlers, { queue: 'sn', fences: (f, handle) => this.fences.verify(f).then(handle) })),
      serveProtocol<StreamingProtocol>(this.opts.bus, streamingReadSubject(a.pchannel), streamingChecks, handlers, { queue: 'read' }),
    ]);
    return 'ok';
  }

  /** Starts following a pchannel owned elsewhere and serves its reads; false if it could not start. */
  private async openFollower(pchannel: string): Promise<boolean> {
    const owner = client<StreamingProtocol>(this.opts.bus, () => streamingOwnerSubject(pchannel, this.latest.get(pchannel)?.term ?? 0), 10_000);
    const follower = new Follower(pchannel, this.ctx, this.opts.wal,
      (tso) => withRetry(() => owner('confirmTso', { tso }), { deadlineMs: 60_000 }),
      (v) => this.delegator.distributions.get(v),
      (f) => { if (this.followers.get(pchannel)?.follower === f) { this.closeFollower(pchannel); setTimeout(() => void this.settle(pchannel), 1000).unref(); } });
    try {
      await follower.open();
      for (const v of follower.shards.keys()) {
        const d = await this.ctx.coordinator('distribution', { vchannel: v }).catch(() => undefined);
        if (d) { this.delegator.setDistribution(d, undefined); follower.applyDistribution(this.delegator.distributions.get(v) ?? d); }
      }
    } catch (e) {
      this.ctx.log(`following ${pchannel} failed:`, (e as Error).message);
      follower.close();
      return false;
    }
    if (this.stopped) { follower.close(); return false; }
    const sub = serveProtocol<StreamingProtocol>(this.opts.bus, streamingReadSubject(pchannel), streamingChecks, this.followerHandlers(follower), { queue: 'read' });
    this.followers.set(pchannel, { follower, sub });
    return true;
  }

  private closeFollower(pchannel: string): void {
    const f = this.followers.get(pchannel);
    if (!f) return;
    this.followers.delete(pchannel);
    f.sub.unsubscribe();
    f.follower.close();
    this.ctx.log(`[${pchannel}] follower closed`);
  }

  /** Memory protection: inserts and upserts refused while the process is over its high water level. */
  private refuseOverMemory(r: AdmissionRequest | undefined): void {
    const level = this.ctx.config.memoryHighWaterLevel;
    const denied = level === undefined ? undefined : memoryDenial(r, process.memoryUsage().rss / totalmem(), level);
    if (denied) throw new NuthatchError(denied.code, denied.message, denied.details);
  }

  /** A search costs its query vectors (Milvus's vps), a query one request; both refused under force-deny reading. */
  private admitSearch(req: StreamingProtocol['search']['req']): void {
    this.gate.check({ op: 'read', vchannel: req.vchannel, collectionId: req.collectionId, kind: 'searchVps', cost: req.nq });
  }
  private admitQuery(req: StreamingProtocol['query']['req']): void {
    this.gate.check({ op: 'read', vchannel: req.vchannel, collectionId: req.collectionId, kind: 'queryQps', cost: 1 });
  }

  private countRead(pchannel: string): void { this.reads.set(pchannel, (this.reads.get(pchannel) ?? 0) + 1); }

  /** A follower answers reads only; anything else belongs to the owner. */
  private followerHandlers(f: Follower): Handlers<StreamingProtocol> {
    const notHere = () => { throw new NuthatchError('NotOwner', `${this.opts.nodeId} only follows ${f.pchannel}`, { pchannel: f.pchannel }); };
    return {
      append: notHere, appendTxn: notHere, reserveWrite: notHere, releaseWrite: notHere, scan: notHere, sealAll: notHere, confirmTso: notHere, trimDeletes: notHere,
      search: async (req) => { this.admitSearch(req); const hits = await this.delegator.search(f, req); this.countRead(f.pchannel); return { hits }; },
      query: async (req) => { this.admitQuery(req); const r = await this.delegator.query(f, req); this.countRead(f.pchannel); return r; },
      bm25Stats: (req) => this.delegator.bm25Stats(f, req),
      deletes: (req) => answerDeletes(f, req),
      sync: async ({ tso }) => ({ serviceable: await f.sync(tso) }),
      status: () => ({ nodeId: this.opts.nodeId, pchannel: f.pchannel, role: 'follower', serviceable: f.serviceable, applied: f.applied, vchannels: [...f.shards.keys()] }),
    };
  }

  /** Stops serving a pchannel and closes its WAL; one that moved to a newer owner writes no final checkpoint (nor truncates). */
  private async closeWal(pchannel: string, o: { moved?: boolean } = {}): Promise<void> {
    for (const s of this.serving.get(pchannel) ?? []) s.unsubscribe();
    this.serving.delete(pchannel);
    const wal = this.wals.get(pchannel);
    this.wals.delete(pchannel);
    await wal?.close({ checkpoint: !o.moved }).catch(() => {});
  }

  private handlers(wal: PchannelWal) {
    return {
      append: ({ message, reservation, fence }: StreamingProtocol['append']['req']) => wal.append(message, reservation ?? undefined, fence ?? undefined),
      appendTxn: ({ vchannel, messages, appendId, unchangedSince, reservation, fence }: StreamingProtocol['appendTxn']['req']) => wal.appendTxn(vchannel, messages, appendId, unchangedSince ?? undefined, reservation ?? undefined, fence ?? undefined),
      reserveWrite: ({ reservation, parts }: StreamingProtocol['reserveWrite']['req']) => {
        for (const p of parts) if (!p.vchannel.startsWith(wal.pchannel + '_')) throw new NuthatchError('NotOwner', `vchannel ${p.vchannel} is not on pchannel ${wal.pchannel}`);
        const requests = parts.map((p) => ({ op: 'write' as const, ...p }));
        this.gate.reserve(reservation, requests, () => { for (const r of requests) this.refuseOverMemory(r); });
        return {};
      },
      releaseWrite: ({ reservation }: StreamingProtocol['releaseWrite']['req']) => { this.gate.release(reservation); return {}; },
      search: async (req: StreamingProtocol['search']['req']) => { this.admitSearch(req); const hits = await this.delegator.search(wal, req); this.countRead(wal.pchannel); return { hits }; },
      query: async (req: StreamingProtocol['query']['req']) => { this.admitQuery(req); const r = await this.delegator.query(wal, req); this.countRead(wal.pchannel); return r; },
      bm25Stats: (req: StreamingProtocol['bm25Stats']['req']) => this.delegator.bm25Stats(wal, req),
      scan: ({ from, to, maxBytes }: StreamingProtocol['scan']['req']) => scanWal(this.opts.wal, wal.pchannel, from, to, maxBytes),
      deletes: (req: StreamingProtocol['deletes']['req']) => answerDeletes(wal, req),
      trimDeletes: async ({ vchannel, floorTso, covered, asOfVersion }: StreamingProtocol['trimDeletes']['req']) => {
        const shard = wal.shards.get(vchannel);
        const basis = { version: asOfVersion, covered: new Set(covered) };
        const floor = shard ? trimFloorFor(shard, floorTso, basis) : null;
        if (shard && confirmHandOffs(shard, basis) > 0) wal.markDirty?.();
        if (shard && floor !== null) await wal.submit(newMessage('TrimDeletes', vchannel, { collectionId: shard.collectionId, floorTso: floor }));
        return { floorTso: shard?.deleteFloorTso ?? 0n, base: shard?.deleteBase ?? 0 };
      },
      sealAll: (req: StreamingProtocol['sealAll']['req']) => this.flusher.sealAll(wal, req),
      sync: async ({ tso }: StreamingProtocol['sync']['req']) => ({ serviceable: await wal.sync(tso) }),
      status: () => ({ nodeId: this.opts.nodeId, pchannel: wal.pchannel, role: 'owner', term: wal.term, serviceable: wal.serviceable, vchannels: [...wal.shards.keys()] }),
      confirmTso: ({ tso }: StreamingProtocol['confirmTso']['req']) => wal.confirmTso(tso),
    };
  }

  private async allocId(): Promise<number> {
    if (this.ids.next >= this.ids.end) {
      const r = await withRetry(() => this.ctx.coordinator('allocIds', { count: 100 }, 5_000));
      this.ids = { next: r.first, end: r.first + 100 };
    }
    return this.ids.next++;
  }

  /** Bytes of shredded JSON columns held by the growing chunks of the shards this node owns or follows. */
  growingShreddedBytes(): number {
    let n = 0;
    for (const state of [...this.wals.values(), ...[...this.followers.values()].map((f) => f.follower)]) for (const s of state.shards.values()) n += shreddedGrowingBytes(s);
    return n;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unmeasure();
    for (const s of this.subs) s.unsubscribe();
    for (const p of [...this.followers.keys()]) this.closeFollower(p);
    // Opens in flight end first (each sees `stopped` and closes what it opened).
    await Promise.all([...this.opening.values()]);
    await Promise.all([...this.wals.keys()].map((p) => this.closeWal(p)));
    await this.lease?.revoke().catch(() => {});
  }
}

const pchannelOf = (vchannel: string) => vchannel.slice(0, vchannel.lastIndexOf('_'));

export { NuthatchError };
