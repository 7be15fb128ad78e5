/**
 * The embedded metadata store: etcd's model (revisions, compare-and-swap, leases,
 * prefix watches, elections) in one process, persisted to one directory
 * (metaLogFile.ts), so `nuthatch standalone` needs no etcd.
 *
 * Leases live in memory: in one process nobody can miss a keep-alive, so a lease
 * ends only by revoke, by close(), or by `expireLease` (fault injection). A
 * restart is the death of every previous holder: open() deletes the keys of the
 * leases it finds in the log, as etcd would once their TTL ran out.
 */
import { Observable, Subject, filter, map } from 'rxjs';
import { NuthatchError } from '../../messages/errors.js';
import { staleFence, type Fence } from '../../messages/fence.js';
import type { Lease, MetaEntry, MetaEvent, MetaStore } from '../ports/metaStore.js';
import { CommitQueue } from './commitQueue.js';
import { EmbeddedElections } from './embeddedElection.js';
import { KeySpace } from './keySpace.js';
import { MetaLogFile } from './metaLogFile.js';
import { decodeRecords, type MetaRecord } from './metaRecords.js';

const copy = (b: Uint8Array): Uint8Array => new Uint8Array(b);

class EmbeddedLease implements Lease {
  /** False once its end is decided (in queue order, so a put queued before a revoke still lands). */
  live = true;
  ending = false;
  resolveLost!: () => void;
  readonly lost = new Promise<void>((r) => { this.resolveLost = r; });
  constructor(readonly id: string, readonly ttlMs: number, private readonly end: (l: EmbeddedLease) => Promise<void>) {}
  revoke(): Promise<void> { return this.end(this); }
}

/** A MetaStore kept in memory and persisted to a directory. Create with `EmbeddedMeta.open`. */
export class EmbeddedMeta implements MetaStore {
  private readonly events = new Subject<MetaEvent>();
  private readonly leases = new Map<string, EmbeddedLease>();
  private readonly elections = new EmbeddedElections(this);
  private nextLease = 1;
  private closed = false;

  private constructor(
    private readonly ks: KeySpace,
    private readonly log: MetaLogFile,
    private readonly queue: CommitQueue,
    /** Distinguishes this run's lease ids from those of earlier runs found in the log. */
    private readonly epoch: number,
    /** Bytes of a torn tail cut off at open (0 after a clean shutdown). */
    readonly tornBytesAtOpen: number,
  ) {}

  /** Opens (or creates) the store in `dir`. Fails with 'Conflict' if another live process has it open. */
  static async open(dir: string): Promise<EmbeddedMeta> {
    const { log, payloads, tornBytes } = await MetaLogFile.open(dir);
    const ks = new KeySpace();
    for (const p of payloads) ks.apply(decodeRecords(p));
    let store: EmbeddedMeta | undefined;
    const queue = new CommitQueue(ks, log, (records) => store!.publish(records));
    store = new EmbeddedMeta(ks, log, queue, ks.revision + 1, tornBytes);
    // Every lease in the log belonged to a process that is gone.
    await queue.write((k, revision) => ({ records: k.leases().flatMap((l) => k.keysOfLease(l)).map((key) => ({ kind: 'delete' as const, revision, key })), result: undefined }));
    return store;
  }

  get(key: string): Promise<MetaEntry | undefined> {
    return this.queue.read((ks) => {
      const e = ks.entries.get(key);
      return e && { key, value: copy(e.value), modRevision: e.modRevision };
    });
  }

  list(prefix: string): Promise<MetaEntry[]> {
    return this.queue.read((ks) => {
      const out: MetaEntry[] = [];
      for (const [key, e] of ks.entries) if (key.startsWith(prefix)) out.push({ key, value: copy(e.value), modRevision: e.modRevision });
      return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    });
  }

  async put(key: string, value: Uint8Array, opts: { lease?: Lease; fence?: Fence } = {}): Promise<number> {
    return (await this.compareAndSwap(key, undefined, value, opts))!;
  }

  compareAndSwap(key: string, expectedRevision: number | undefined, value: Uint8Array, opts: { lease?: Lease; fence?: Fence } = {}): Promise<number | undefined> {
    if (typeof key !== 'string' || key.length === 0) return Promise.reject(new NuthatchError('InvalidArgument', 'empty key'));
    const data = copy(value);
    const { lease, fence } = opts;
    return this.queue.write((ks, revision) => {
      checkFenceIn(ks, fence);
      const cur = ks.entries.get(key);
      if (expectedRevision !== undefined && (cur?.modRevision ?? 0) !== expectedRevision) return { records: [], result: undefined };
      if (lease && !this.leases.get(lease.id)?.live) throw new NuthatchError('NotFound', `lease ${lease.id} not found (revoked or lost)`, { lease: lease.id });
      const rec: MetaRecord = { kind: 'put', revision, createRevision: cur?.createRevision ?? revision, key, value: data, lease: lease?.id ?? '' };
      return { records: [rec], result: revision };
    });
  }

  async delete(key: string, opts: { fence?: Fence } = {}): Promise<void> {
    await this.queue.write((ks, revision) => {
      checkFenceIn(ks, opts.fence);
      return { records: ks.entries.has(key) ? [{ kind: 'delete', revision, key }] : [], result: undefined };
    });
  }

  watch(prefix: string): Observable<MetaEvent> {
    return this.events.pipe(
      filter((e) => e.key.startsWith(prefix)),
      map((e) => ({ ...e, ...(e.value ? { value: copy(e.value) } : {}) })),
    );
  }

  async grantLease(ttlMs: number): Promise<Lease> {
    if (this.closed) throw new NuthatchError('Unavailable', 'metadata store closed', { reason: 'closed' });
    if (!(ttlMs > 0)) throw new NuthatchError('InvalidArgument', `lease TTL must be positive, got ${ttlMs}`);
    const lease = new EmbeddedLease(`${this.epoch}.${this.nextLease++}`, ttlMs, (l) => this.endLease(l, false));
    this.leases.set(lease.id, lease);
    return lease;
  }

  /**
   * Fault injection: ends a lease as if its keep-alive had failed. Its keys are
   * deleted and its `lost` promise resolves (and a campaign on it loses leadership).
   */
  expireLease(id: string): Promise<void> {
    const lease = this.leases.get(id);
    if (!lease) return Promise.reject(new NuthatchError('NotFound', `lease ${id} not found`));
    return this.endLease(lease, true);
  }

  campaign(name: string, candidate: string, ttlMs: number): Promise<{ resign(): Promise<void>; lost: Promise<void> }> {
    return this.elections.campaign(name, candidate, ttlMs);
  }

  /** Ends every lease (as an etcd client's session close does), waits for pending writes, closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.leases.values()].map((l) => this.endLease(l, false).catch(() => undefined)));
    this.closed = true;
    this.elections.close();
    await this.queue.close();
    this.events.complete();
    await this.log.close();
  }

  private async endLease(lease: EmbeddedLease, lost: boolean): Promise<void> {
    if (lease.ending) return;
    lease.ending = true;
    await this.queue.write((ks, revision) => {
      lease.live = false;
      this.leases.delete(lease.id);
      return { records: ks.keysOfLease(lease.id).map((key) => ({ kind: 'delete' as const, revision, key })), result: undefined };
    });
    if (lost) lease.resolveLost();
  }

  private publish(records: readonly MetaRecord[]): void {
    for (const r of records) {
      if (r.kind === 'put') this.events.next({ type: 'put', key: r.key, value: r.value, modRevision: r.revision });
      else if (r.kind === 'delete') this.events.next({ type: 'delete', key: r.key, modRevision: r.revision });
    }
  }
}

/** A fenced write goes ahead only while the fence key is at the token's revision. */
function checkFenceIn(ks: { entries: ReadonlyMap<string, { modRevision: number }> }, fence: Fence | undefined): void {
  if (fence && ks.entries.get(fence.key)?.modRevision !== fence.revision) throw staleFence(fence, ks.entries.get(fence.key)?.modRevision);
}
