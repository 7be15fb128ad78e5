/**
 * The embedded store's in-memory state: keys with their revisions and leases,
 * the revision counter, and an index of each lease's keys. It changes only by
 * applying log records, at open (replay) and after each durable write, so memory
 * is always a fold of the log.
 */
import type { MetaRecord } from './metaRecords.js';

export interface KeyEntry {
  value: Uint8Array;
  modRevision: number;
  createRevision: number;
  /** '' when the key has no lease. */
  lease: string;
}

export class KeySpace {
  readonly entries = new Map<string, KeyEntry>();
  private readonly byLease = new Map<string, Set<string>>();
  /** The store revision: the revision of the last change. */
  revision = 0;

  get size(): number { return this.entries.size; }

  apply(records: readonly MetaRecord[]): void {
    for (const r of records) {
      this.revision = Math.max(this.revision, r.revision);
      if (r.kind === 'revision') continue;
      this.unlink(r.key);
      if (r.kind === 'delete') { this.entries.delete(r.key); continue; }
      this.entries.set(r.key, { value: r.value, modRevision: r.revision, createRevision: r.createRevision, lease: r.lease });
      if (r.lease) {
        const keys = this.byLease.get(r.lease);
        if (keys) keys.add(r.key); else this.byLease.set(r.lease, new Set([r.key]));
      }
    }
  }

  /** The keys attached to a lease, sorted. */
  keysOfLease(lease: string): string[] {
    return [...(this.byLease.get(lease) ?? [])].sort();
  }

  /** Every lease that has keys. */
  leases(): string[] {
    return [...this.byLease.keys()];
  }

  /** The records that rebuild this state (what compaction writes). */
  snapshot(): MetaRecord[] {
    const out: MetaRecord[] = [{ kind: 'revision', revision: this.revision }];
    for (const [key, e] of [...this.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      out.push({ kind: 'put', revision: e.modRevision, createRevision: e.createRevision, key, value: e.value, lease: e.lease });
    }
    return out;
  }

  private unlink(key: string): void {
    const old = this.entries.get(key);
    if (!old?.lease) return;
    const keys = this.byLease.get(old.lease);
    keys?.delete(key);
    if (keys?.size === 0) this.byLease.delete(old.lease);
  }
}
