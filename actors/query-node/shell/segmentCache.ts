import { NuthatchError } from '../../../messages/errors.js';
import { CachePolicy, type CacheLimits } from '../core/cachePolicy.js';

/** What the cache tells its node: for its metrics, and a unit it let go (an index to close). */
export interface CacheEvents<V> {
  hit(): void;
  miss(): void;
  evicted(key: string, value: V): void;
  /** A unit fetched for a segment released meanwhile (never cached), once the last read that waited for it let it go. */
  discarded?(key: string, value: V): void;
  /** The bytes cached, after each change. */
  bytes(n: number): void;
}

/** A unit a read took: `release` (idempotent) lets it go. */
export interface Taken<V> { value: V; release(): void }

interface Fetch<V> { promise: Promise<V>; waiters: number; /** Reads still holding a unit not cached. */ unkept?: number }
/** A fetched unit waiting for room. */
interface RoomWaiter { bytes: number; wake(): void }

/**
 * A read whose unit cannot fit (CachePolicy.fits): `waitMs` how long it waits for room before
 * failing with CacheFull; absent, it is admitted over budget (the cache shrinks as pins go).
 */
export interface Overflow { waitMs?: number }

/**
 * The cached units of a tiered-storage query node, by key, under CachePolicy
 * (core/cachePolicy.ts): a read takes a unit, fetching it when cold; the reads
 * that want one cold unit at once wait for one fetch, and all of them hold it
 * (pinned) from the moment it lands until each lets go. A unit whose segment
 * was released or reloaded from other files while it was fetched (`keep` says
 * no) serves the reads that waited for it and is not cached.
 */
export class SegmentCache<V> {
  private readonly values = new Map<string, V>();
  private readonly fetching = new Map<string, Fetch<V>>();
  private readonly policy: CachePolicy<string>;
  private readonly roomWaiters: RoomWaiter[] = [];

  constructor(limits: CacheLimits, private readonly now: () => number, private readonly events: CacheEvents<V>, private readonly overflow: Overflow = {}) {
    this.policy = new CachePolicy<string>(limits);
  }

  get bytes(): number { return this.policy.bytes; }
  /** The values cached now (not those still being fetched). */
  cached(): IterableIterator<V> { return this.values.values(); }
  /** The value of `key` when cached (no use recorded). */
  peek(key: string): V | undefined { return this.values.get(key); }
  has(key: string): boolean { return this.values.has(key); }

  /** Pins `key` for one read, fetching it when cold (`fetch` gives its value and bytes). */
  async take(key: string, fetch: () => Promise<{ value: V; bytes: number }>, keep: () => boolean): Promise<Taken<V>> {
    const have = this.values.get(key);
    if (have !== undefined) {
      this.events.hit();
      this.policy.touch(key, this.now());
      this.policy.pin(key);
      return { value: have, release: this.releaser(key, have) };
    }
    this.events.miss();
    let f = this.fetching.get(key);
    if (!f) {
      const started: Fetch<V> = { waiters: 0, promise: undefined as unknown as Promise<V> };
      started.promise = fetch().then(async ({ value, bytes }) => {
        if (keep()) await this.room(key, bytes);
        // Pinned for every read waiting, before any other fetch can land and evict it.
        if (keep()) this.admit(key, value, bytes, started.waiters);
        else { started.unkept = started.waiters; this.wakeOne(); }
        return value;
      }).finally(() => { if (this.fetching.get(key) === started) this.fetching.delete(key); });
      this.fetching.set(key, started);
      f = started;
    }
    f.waiters++;
    const fetched = f, value = await f.promise;
    if (this.values.get(key) === value) return { value, release: this.releaser(key, value) };
    // Not cached: the last of the reads that waited for it lets it go (an index closes then), none before.
    let done = fetched.unkept === undefined;
    return { value, release: () => { if (done) return; done = true; if (--fetched.unkept! === 0) this.events.discarded?.(key, value); } };
  }

  /** Caches a unit fetched outside a read (warm-up), unpinned; one that cannot fit is left cold (undefined). */
  async warm(key: string, fetch: () => Promise<{ value: V; bytes: number }>, keep: () => boolean): Promise<V | undefined> {
    try {
      const t = await this.take(key, fetch, keep);
      t.release();
      return t.value;
    } catch (e) {
      if (e instanceof NuthatchError && e.code === 'CacheFull') return undefined;
      throw e;
    }
  }

  /** Forgets `key` (its segment was released or reloaded from other files); a read holding it keeps its value. */
  drop(key: string): V | undefined {
    const v = this.values.get(key);
    if (v === undefined) return undefined;
    this.values.delete(key);
    this.policy.remove(key);
    this.events.bytes(this.policy.bytes);
    this.wakeOne();
    return v;
  }

  /** The background sweep: idle units past the TTL, then least recently used ones past the high watermark. */
  sweep(): void { this.evicted(this.policy.expire(this.now())); }

  /** Waits (up to `overflow.waitMs`) until `bytes` fit; CacheFull when they do not in time. */
  private async room(key: string, bytes: number): Promise<void> {
    const waitMs = this.overflow.waitMs;
    if (waitMs === undefined || this.policy.fits(bytes)) return;
    await new Promise<void>((resolve, reject) => {
      const w: RoomWaiter = { bytes, wake: () => { clearTimeout(timer); resolve(); } };
      const timer = setTimeout(() => {
        const at = this.roomWaiters.indexOf(w);
        if (at >= 0) this.roomWaiters.splice(at, 1);
        reject(new NuthatchError('CacheFull', `tiered storage: ${key} (${bytes} bytes) found no room in the cache's ${this.policy.budget} bytes within evictionTimeoutMs (${waitMs} ms): in-flight reads hold the rest`, { key, bytes, budget: this.policy.budget }));
      }, waitMs);
      this.roomWaiters.push(w);
    });
  }

  /** Lets the first waiter that now fits go on (one at a time: its admission wakes the next). */
  private wakeOne(): void {
    const at = this.roomWaiters.findIndex((w) => this.policy.fits(w.bytes));
    if (at >= 0) this.roomWaiters.splice(at, 1)[0]!.wake();
  }

  private admit(key: string, value: V, bytes: number, pins: number): void {
    this.values.set(key, value);
    const out = this.policy.admit(key, bytes, this.now(), pins > 0);
    for (let i = 1; i < pins; i++) this.policy.pin(key);
    this.evicted(out);
  }

  /** Unpins `key` once; a unit dropped meanwhile (and maybe fetched again: another value) is no longer this read's to unpin. */
  private releaser(key: string, value: V): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (this.values.get(key) === value) this.evicted(this.policy.unpin(key));
    };
  }

  private evicted(keys: string[]): void {
    for (const k of keys) {
      const v = this.values.get(k);
      this.values.delete(k);
      if (v !== undefined) this.events.evicted(k, v);
    }
    this.events.bytes(this.policy.bytes);
    this.wakeOne();
  }
}
