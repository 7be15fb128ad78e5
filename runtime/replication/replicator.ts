/**
 * Cross-cluster replication (CDC), the log-centric way: a replicator tails one
 * source collection's vchannels with the streaming nodes' `scan` RPC, maps each
 * message with the pure ReplicationCore (actors/replicator/core) and applies
 * the result on the target (targetApplier.ts), checkpointing its per-vchannel
 * source positions in the TARGET's meta store after applying. Writes carry
 * append ids made of the source pchannel and position, so what a crash makes it
 * apply twice is written once. A source WAL truncated past the checkpoint stops
 * it with a ReplicationGapError: never a silent skip.
 */
import { decodeMessage } from '../../messages/codec.js';
import { NuthatchError, ReplicationGapError } from '../../messages/errors.js';
import { physicalMs, type AnyMessage, type Tso } from '../../messages/types.js';
import { streamingSubject, type ScanRecord, type StreamingProtocol } from '../../messages/rpc/streamingNode.js';
import { pchannelOfVchannel, ReplicationCore, type ReplicationCheckpoint } from '../../actors/replicator/core/replicationCore.js';
import { client as busClient, withRetry } from '../rpc/typedBus.js';
import type { Bus } from '../ports/bus.js';
import type { Fence } from '../../messages/fence.js';
import type { MetaStore } from '../ports/metaStore.js';
import type { NuthatchClient } from '../client/client.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import { TargetApplier } from './targetApplier.js';
import { retryStartup } from './startupRetry.js';
import { loadCheckpoint, saveCheckpoint, type TargetName } from './checkpointStore.js';

/** Reads a source pchannel's WAL: records from `from` (the scan RPC; tests put faults here). */
export type SourceScan = (pchannel: string, from: number, maxBytes: number) => Promise<{ records: ScanRecord[]; next: number }>;

export interface ReplicationOptions {
  source: { client: NuthatchClient; bus: Bus };
  /**
   * `fence`: the lead's token (replicationLead.ts), put on checkpoint writes; the
   * target client should carry it too (NuthatchClient's `fence` option) so its
   * appends and DDL are fenced as well. A write refused as StaleFence ends the replication.
   */
  target: { client: NuthatchClient; meta: MetaStore; fence?: Fence };
  /** The source collection (of the source client's database). */
  collection: string;
  /** Its name on the target (default: the same). */
  targetCollection?: string;
  /** How long to wait when the source has nothing new (default 100 ms). */
  pollMs?: number;
  /** Bytes per scan (default 1 MiB). */
  maxBytes?: number;
  metrics?: MetricsRegistry;
  log?: (...a: unknown[]) => void;
  /** Replaces the scan RPC (fault injection in tests). */
  scan?: SourceScan;
}

export type ReplicationEnd = 'stopped' | 'sourceDropped';

export interface ReplicationHandle {
  /** Milliseconds between the newest source TSO read and the newest one every vchannel has applied (0 when caught up with what was read). */
  lag(): number;
  /** The TSO every source pchannel of the collection has applied up to (ticks included). */
  appliedTso(): Tso;
  /** Resolves once every source pchannel has applied up to `tso` (a source write's TSO); rejects if the replicator stops first. */
  until(tso: Tso): Promise<void>;
  /** Stops after the operation in hand; the checkpoint holds what was applied. */
  stop(): Promise<void>;
  /** Settles when the replicator ends: 'sourceDropped' when the source collection was dropped; rejects with the error that stopped it. */
  readonly done: Promise<ReplicationEnd>;
}

/** Starts replicating `collection` from `source` to `target`. */
export function startReplication(o: ReplicationOptions): ReplicationHandle {
  const r = new Replicator(o);
  const done = r.run();
  done.catch(() => {});
  return {
    lag: () => r.lagMs(),
    appliedTso: () => r.appliedTso(),
    until: (tso) => r.until(tso, done),
    stop: async () => { r.stopping = true; await done.catch(() => {}); },
    done,
  };
}

class Replicator {
  stopping = false;
  private core!: ReplicationCore;
  private readonly queues = new Map<string, AnyMessage[]>();
  private readonly parked = new Set<string>();
  /** Per pchannel: next scan position, newest TSO read. */
  private readonly scanAt = new Map<string, number>();
  private readonly tailTso = new Map<string, Tso>();
  private readonly target: TargetApplier;
  private readonly scan: SourceScan;
  private readonly name: string;
  private readonly at: TargetName;
  private readonly metrics;

  constructor(private readonly o: ReplicationOptions) {
    this.name = o.targetCollection ?? o.collection;
    this.at = { db: o.target.client.dbName, collection: this.name };
    this.target = new TargetApplier(o.target.client, this.name, async () => {
      const d = await o.source.client.describeCollection(o.collection);
      return Object.fromEntries(d.properties.map((p) => [p.key, p.value]));
    });
    this.scan = o.scan ?? ((pchannel, from, maxBytes) => withRetry(
      () => busClient<StreamingProtocol>(o.source.bus, streamingSubject(pchannel), 30_000)('scan', { from, to: Number.MAX_SAFE_INTEGER, maxBytes }),
      { deadlineMs: 60_000 }));
    const reg = o.metrics;
    this.metrics = reg && {
      lag: reg.gauge({ name: 'nuthatch_replication_lag_ms', help: 'Milliseconds of source WAL time read but not yet applied on the target.', labels: ['collection'] }).labels(o.collection),
      applied: reg.counter({ name: 'nuthatch_replication_applied_total', help: 'Operations applied on the target, by kind.', labels: ['collection', 'op'] }),
    };
  }

  async run(): Promise<ReplicationEnd> {
    // Either cluster may still be starting: its first reads wait for both rather than fail.
    const retry = { log: this.o.log, stopped: () => this.stopping };
    const src = await retryStartup(`reading source collection ${this.o.collection}`, () => this.o.source.client.describeCollection(this.o.collection), retry);
    const cp = await retryStartup('reading the checkpoint in the target', () => loadCheckpoint(this.o.target.meta, this.at), retry);
    if (cp && cp.sourceCollectionId !== src.collectionId) {
      throw new ReplicationGapError(`the checkpoint of '${this.name}' is for source collection ${cp.sourceCollectionId}, the source's '${this.o.collection}' is now ${src.collectionId} (dropped and made again): resync the target`);
    }
    this.core = new ReplicationCore(src.collectionId, src.vchannels, cp);
    for (const v of src.vchannels) this.queues.set(v, []);
    for (const p of this.core.pchannels()) this.scanAt.set(p, this.core.scanFrom(p));
    await retryStartup(`reading target collection ${this.name}`, () => this.target.bind(), retry);
    this.o.log?.(`replicating ${this.o.collection} (${src.vchannels.join(', ')}) to ${this.name}${cp ? ' from its checkpoint' : ' from the beginning'}`);
    while (!this.stopping) {
      const read = await this.readRound();
      const end = await this.drain();
      if (end) return end;
      this.metrics?.lag.set(this.lagMs());
      this.wake();
      if (!read) await new Promise((res) => setTimeout(res, this.o.pollMs ?? 100));
    }
    return 'stopped';
  }

  /** One scan of each pchannel whose queues are not backed up; true if anything was read. */
  private async readRound(): Promise<boolean> {
    let read = false;
    for (const [p, from] of this.scanAt) {
      if (this.vchannelsOf(p).some((v) => this.queues.get(v)!.length > 10_000)) continue;
      const r = await this.scan(p, from, this.o.maxBytes ?? 1 << 20);
      const first = r.records[0];
      if (first && first.position > from && this.core.started(p)) {
        throw new ReplicationGapError(`the source WAL of ${p} was truncated past the replicator's checkpoint (it must read from position ${from}, the WAL now starts at ${first.position}): resync the target (backup/restore), then replicate`);
      }
      for (const rec of r.records) {
        this.tailTso.set(p, rec.tso);
        const m = decodeMessage(rec.payload, rec.position);
        if (m.header.type === 'TimeTick') { if (this.vchannelsOf(p).every((v) => this.queues.get(v)!.length === 0)) this.core.tick(p, m.header.tso); continue; }
        this.queues.get(m.header.vchannel)?.push(m);
      }
      if (r.records.length > 0) { read = true; this.scanAt.set(p, r.next); }
    }
    return read;
  }

  /** Offers queued messages until none can move; checkpoints after each DDL and at the end. */
  private async drain(): Promise<ReplicationEnd | null> {
    let moved = false;
    for (let progress = true; progress && !this.stopping;) {
      progress = false;
      for (const [v, q] of this.queues) {
        while (q.length > 0 && !this.parked.has(v) && !this.stopping) {
          const m = q[0]!;
          const d = this.core.offer(m);
          if (d.do === 'wait') { this.parked.add(v); break; }
          if (d.do === 'apply') {
            if (d.op.kind === 'sourceDropped') { await this.checkpoint(); this.o.log?.(`source collection ${this.o.collection} was dropped: replication stops, the target stays`); return 'sourceDropped'; }
            await this.target.apply(d.op);
            this.metrics?.applied.labels(this.o.collection, d.op.kind).inc();
          }
          for (const released of this.core.advance(m)) { this.parked.delete(released); this.queues.get(released)!.shift(); }
          q.shift();
          moved = progress = true;
          // A DDL is checkpointed before anything after it is applied: applied again after a crash, it meets the state it made.
          if (d.do === 'apply' && !('appendId' in d.op)) await this.checkpoint();
        }
      }
    }
    if (moved) await this.checkpoint();
    return null;
  }

  private checkpoint(): Promise<void> { return saveCheckpoint(this.o.target.meta, this.at, this.core.checkpoint(), this.o.target.fence); }

  private vchannelsOf(p: string): string[] { return this.core.vchannels.filter((v) => pchannelOfVchannel(v) === p); }

  /** A pchannel's applied TSO: all it read when its queues are empty, else just below the oldest queued message. */
  private appliedOf(p: string): Tso {
    const heads = this.vchannelsOf(p).map((v) => this.queues.get(v)![0]).filter((m) => m !== undefined);
    if (heads.length === 0) return this.tailTso.get(p) ?? 0n;
    return heads.reduce((min, m) => (m.header.tso < min ? m.header.tso : min), heads[0]!.header.tso) - 1n;
  }

  appliedTso(): Tso {
    if (!this.core) return 0n;
    let min: Tso | null = null;
    for (const p of this.scanAt.keys()) { const t = this.appliedOf(p); if (min === null || t < min) min = t; }
    return min ?? 0n;
  }

  lagMs(): number {
    if (!this.core) return 0;
    let lag = 0;
    for (const p of this.scanAt.keys()) {
      const tail = this.tailTso.get(p);
      if (tail !== undefined) lag = Math.max(lag, physicalMs(tail) - physicalMs(this.appliedOf(p)));
    }
    return lag;
  }

  /** Per pchannel: every record up to this position is applied (none queued, the scan is past it). */
  private handledThrough(p: string): number {
    const heads = this.vchannelsOf(p).map((v) => this.queues.get(v)![0]).filter((m) => m !== undefined);
    if (heads.length === 0) return (this.scanAt.get(p) ?? 0) - 1;
    return Math.min(...heads.map((m) => m.header.walPosition)) - 1;
  }

  private readonly waiters: Array<{ through: Map<string, number>; resolve: () => void }> = [];
  private wake(): void {
    if (!this.core) return;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if ([...this.waiters[i]!.through].every(([p, pos]) => this.handledThrough(p) >= pos)) this.waiters.splice(i, 1)[0]!.resolve();
    }
  }

  /** Asks each source pchannel's owner where every message at or below `tso` lies (confirmTso), then waits until that is applied. */
  async until(tso: Tso, done: Promise<ReplicationEnd>): Promise<void> {
    const ended = done.then((end) => { throw new NuthatchError('Unavailable', `replication ended (${end}) before applying tso ${tso}`); });
    ended.catch(() => {});
    const through = new Map<string, number>();
    const src = await this.o.source.client.describeCollection(this.o.collection);
    for (const p of new Set(src.vchannels.map(pchannelOfVchannel))) {
      const r = await withRetry(() => busClient<StreamingProtocol>(this.o.source.bus, streamingSubject(p), 30_000)('confirmTso', { tso }), { deadlineMs: 60_000 });
      through.set(p, r.position);
    }
    await Promise.race([ended, new Promise<void>((resolve) => { this.waiters.push({ through, resolve }); this.wake(); })]);
  }
}
