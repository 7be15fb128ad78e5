/**
 * Which cached units a query node's tiered storage keeps (pure; times come in
 * as milliseconds). Units are a segment's data or one of its indexes, each with
 * its bytes; metadata is never a unit, so it is never evicted. Least recently
 * used goes first (Milvus's eviction): a unit admitted past the high watermark
 * evicts until the cache holds at most the low watermark, and a pinned unit
 * (an in-flight read holds it) is never evicted. When pins leave no room the
 * unit is admitted anyway (the read needs it) and the cache shrinks again as
 * soon as the pins go (`unpin`).
 */
export interface CacheLimits {
  /** Bytes the cache may hold. */
  budget: number;
  /** Eviction starts past high x budget and stops at low x budget. */
  high: number;
  low: number;
  /** Evict at all (Milvus's evictionEnabled); off, the cache only grows. */
  eviction: boolean;
  /** Idle time after which `expire` evicts a unit; 0: never. */
  ttlMs: number;
}

interface Unit { bytes: number; lastUse: number; pins: number }

export class CachePolicy<K> {
  /** Insertion order is recency order: a use moves a unit to the end. */
  private readonly units = new Map<K, Unit>();
  private held = 0;

  constructor(private readonly limits: CacheLimits) {}

  /** Bytes the cache may hold. */
  get budget(): number { return this.limits.budget; }
  /** Bytes the cached units hold. */
  get bytes(): number { return this.held; }
  get size(): number { return this.units.size; }
  has(key: K): boolean { return this.units.has(key); }
  keys(): K[] { return [...this.units.keys()]; }

  /** A read used `key` at `now` (a hit): it becomes the most recently used. */
  touch(key: K, now: number): void {
    const u = this.units.get(key);
    if (!u) return;
    u.lastUse = now;
    this.units.delete(key);
    this.units.set(key, u);
  }

  /** Caches `key` (fetched at `now`, `pinned` by the read that fetched it); returns the keys evicted to make room. */
  admit(key: K, bytes: number, now: number, pinned = false): K[] {
    const prev = this.units.get(key);
    if (prev) { this.remove(key); }
    const evicted = this.evictTo(this.limits.high * this.limits.budget - bytes, this.limits.low * this.limits.budget - bytes);
    this.units.set(key, { bytes, lastUse: now, pins: (prev?.pins ?? 0) + (pinned ? 1 : 0) });
    this.held += bytes;
    return evicted;
  }

  /** A read holds `key` until `unpin`. */
  pin(key: K): void { const u = this.units.get(key); if (u) u.pins++; }

  /** A read lets `key` go; returns the keys evicted now that it may shrink (pins had kept it over the high watermark). */
  unpin(key: K): K[] {
    const u = this.units.get(key);
    if (u && u.pins > 0) u.pins--;
    return this.evictTo(this.limits.high * this.limits.budget, this.limits.low * this.limits.budget);
  }

  /**
   * Whether `bytes` more fit the budget once every unit no read holds is evicted: when they do not,
   * admitting them would go over budget (the pins leave no room), and a read must wait or fail.
   * Without eviction the cache only grows, so everything fits.
   */
  fits(bytes: number): boolean {
    if (!this.limits.eviction) return true;
    let pinned = 0;
    for (const u of this.units.values()) if (u.pins > 0) pinned += u.bytes;
    return pinned + bytes <= this.limits.budget;
  }

  /** Whether a read holds `key`. */
  pinned(key: K): boolean { return (this.units.get(key)?.pins ?? 0) > 0; }

  /** Forgets `key` (its segment was released or reloaded from other files), pinned or not. */
  remove(key: K): boolean {
    const u = this.units.get(key);
    if (!u) return false;
    this.units.delete(key);
    this.held -= u.bytes;
    return true;
  }

  /** The background sweep at `now`: units idle past the TTL, then LRU units past the high watermark. */
  expire(now: number): K[] {
    if (!this.limits.eviction) return [];
    const out: K[] = [];
    if (this.limits.ttlMs > 0) {
      for (const [key, u] of this.units) if (u.pins === 0 && now - u.lastUse >= this.limits.ttlMs) out.push(key);
      for (const key of out) this.remove(key);
    }
    return [...out, ...this.evictTo(this.limits.high * this.limits.budget, this.limits.low * this.limits.budget)];
  }

  /** Past `trigger` bytes, evicts unpinned units, least recent first, until at most `target` remain (or none can go). */
  private evictTo(trigger: number, target: number): K[] {
    if (!this.limits.eviction || this.held <= trigger) return [];
    const out: K[] = [];
    for (const [key, u] of this.units) {
      if (this.held <= target) break;
      if (u.pins > 0) continue;
      out.push(key);
      this.units.delete(key);
      this.held -= u.bytes;
    }
    return out;
  }
}
