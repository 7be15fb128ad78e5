import type { Subscription } from 'rxjs';
import { decodeMessage } from '../../../messages/codec.js';
import { NuthatchError } from '../../../messages/errors.js';
import type { Distribution } from '../../../messages/rpc/records.js';
import type { AnyMessage, Tso } from '../../../messages/types.js';
import type { WalBackend, WalPosition } from '../../../runtime/ports/walBackend.js';
import type { VchannelSnapshot } from '../core/vchannel/index.js';
import { releasedBy, type ShardData } from '../core/shardData.js';
import { loadRecoverableCheckpoint } from './checkpoint.js';
import { foldDurable, restoreCheckpoint, type DurableState } from './durableFold.js';
import type { NodeContext } from './nodeContext.js';

/** Asks the pchannel's owner for a tick at or above a TSO and the position that covers it (the streaming protocol's confirmTso). */
export type TickRequest = (tso: Tso) => Promise<{ tso: Tso; position: WalPosition }>;

/**
 * A read-only replica of a pchannel's shards on a node that does not own it: it
 * restores the owner's latest checkpoint, then follows the log through the WAL
 * backend's tail and folds it with the owner's folds. Persisted TimeTicks advance
 * its serviceable TSO. It never appends: a read above what it has folded asks the
 * owner for a tick at or above the read's TSO with the WAL position that covers
 * it, and waits until it has folded that position.
 */
export class Follower implements DurableState {
  readonly durable = new Map<string, VchannelSnapshot>();
  readonly shards = new Map<string, ShardData>();
  get shredding() { return this.node.config.jsonShredding; }
  serviceable = 0n;
  applied = -1;
  private sub?: Subscription;
  private closed = false;
  private waiters: Array<{ position: WalPosition; resolve: () => void; reject: (e: Error) => void }> = [];

  constructor(
    readonly pchannel: string,
    private readonly node: NodeContext,
    private readonly backend: WalBackend,
    private readonly askTick: TickRequest,
    private readonly distributionOf: (vchannel: string) => Distribution | undefined,
    private readonly onFailure: (f: Follower) => void,
  ) {}

  /** Restores the owner's checkpoint and starts following the log after it. */
  async open(): Promise<void> {
    const ckpt = await loadRecoverableCheckpoint(this.node.objects, this.backend, this.pchannel);
    if (ckpt) {
      await restoreCheckpoint(this, ckpt, this.backend, this.pchannel);
      this.applied = ckpt.applied;
    }
    for (const [v] of this.shards) this.handOff(v);
    const from = Math.max(this.applied + 1, await this.backend.firstPosition(this.pchannel));
    this.node.log(`[${this.pchannel}] follower: checkpoint ${ckpt ? ckpt.applied : 'none'}, tailing from ${from}`);
    this.sub = this.backend.tail(this.pchannel, from).subscribe({
      next: (r) => this.fold(decodeMessage(r.payload, r.position)),
      error: (e: Error) => { this.node.log(`[${this.pchannel}] follower tail failed:`, e.message); this.onFailure(this); },
    });
  }

  private fold(m: AnyMessage): void {
    if (this.closed) return;
    this.applied = Math.max(this.applied, m.header.walPosition);
    if (m.header.type === 'TimeTick') {
      if (m.header.tso > this.serviceable) this.serviceable = m.header.tso;
    } else if (!this.handedOffCreate(m)) {
      const f = foldDurable(this, m);
      if (f.ok && f.fx.flushed.length > 0) this.handOff(m.header.vchannel);
    }
    this.waiters = this.waiters.filter((w) => (w.position <= this.applied ? (w.resolve(), false) : true));
  }

  /** A segment a query node already serves is not grown again (a follower may trail the distribution). */
  private handedOffCreate(m: AnyMessage): boolean {
    if (m.header.type !== 'CreateSegment') return false;
    const id = (m.body as { segmentId: number }).segmentId;
    // Its one CreateSegment is skipped: the entry has done its work.
    return this.shards.get(m.header.vchannel)?.handedOff.delete(id) ?? false;
  }

  /**
   * Drops from memory the segments a query node serves. Unlike the owner, any
   * segment in the distribution goes, flushed or not yet folded as flushed: the
   * distribution names only persisted segments, and a follower may trail it.
   */
  applyDistribution(d: Distribution): void { this.handOff(d.vchannel, d); }

  private handOff(vchannel: string, d = this.distributionOf(vchannel)): void {
    const shard = this.shards.get(vchannel);
    if (!shard || !d) return;
    // A follower's entries only keep it from growing a segment whose CreateSegment it has not folded yet
    // (only the owner's decide trims); one the distribution no longer names is not served, so it may grow.
    const named = new Set([...d.segments.map((s) => s.segmentId), ...(d.retired ?? [])]);
    for (const id of shard.handedOff.keys()) if (!named.has(id)) shard.handedOff.delete(id);
    for (const id of named) {
      if (shard.segments.delete(id)) continue;
      shard.handedOff.set(id, { partitionId: -1, version: d.version });
    }
    // Released, or a partition not loaded (as the owner does): flushed rows wait in object storage.
    for (const seg of [...shard.segments.values()]) {
      if (seg.flushed && releasedBy(d, seg.partitionId)) shard.segments.delete(seg.id);
    }
  }

  /**
   * Resolves once everything with TSO <= t is folded. Without a round trip when a
   * persisted tick (or a confirmed one) at or above t was already folded (Bounded,
   * Eventually, busy pchannels); otherwise the owner confirms t and this waits
   * until it has folded the position the owner named.
   */
  async sync(t: Tso): Promise<Tso> {
    if (this.serviceable >= t) return this.serviceable;
    const tick = await this.askTick(t);
    await this.folded(tick.position);
    // Everything at or below the owner's tick lies at or before the position just folded.
    if (tick.tso > this.serviceable) this.serviceable = tick.tso;
    return this.serviceable;
  }

  private folded(position: WalPosition): Promise<void> {
    if (this.closed) return Promise.reject(this.unavailable());
    if (this.applied >= position) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ position, resolve, reject }));
  }

  private unavailable(): NuthatchError {
    return new NuthatchError('WalUnavailable', `the follower of ${this.pchannel} on ${this.node.nodeId} is closed`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sub?.unsubscribe();
    for (const w of this.waiters.splice(0)) w.reject(this.unavailable());
  }
}
