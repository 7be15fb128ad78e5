/**
 * The `object` WAL backend: zero disk, Woodpecker-style. Entries are buffered in
 * memory and written as fragment objects to an ObjectStore (S3 or local); the
 * fragment index and the fencing term live in a MetaStore (etcd or embedded).
 * Design and failure cases: README.md in this folder.
 */
import type { Observable } from 'rxjs';
import type { MetaStore } from '../../ports/metaStore.js';
import type { ObjectStore } from '../../ports/objectStore.js';
import type { WalBackend, WalPosition, WalRecord, WalWriter } from '../../ports/walBackend.js';
import { readRecords, tailRecords } from './fragmentReader.js';
import { ObjectWalWriter, type ObjectWriterLimits } from './ObjectWalWriter.js';
import { SlotIndex } from './slotIndex.js';
import { firstOf, nextAfter, objectKeyTerm, walKeys, type Slot } from './walMetadata.js';

/** Configuration of {@link ObjectWalBackend}; JSON-serializable. */
export interface ObjectWalConfig {
  /** Metadata key prefix (default `nuthatch/wal`). */
  metaPrefix?: string;
  /** Object key prefix (default `wal`). */
  objectPrefix?: string;
  /** A fragment is sealed at this size (default 2 MiB). */
  maxFragmentBytes?: number;
  /** ... or this long after its first entry (default 10 ms). */
  flushDelayMs?: number;
  /** Seal at once when no upload is in flight instead of waiting flushDelayMs (default true). */
  flushWhenIdle?: boolean;
  /** Fragment PUTs in flight per writer (default 8). */
  maxInFlightUploads?: number;
  /** Fragments a catch-up read fetches ahead (default 4). */
  readAhead?: number;
  /**
   * How long a writer retries a PUT or a commit the stores fail to answer for
   * now (an S3 or etcd restart) before it fails with 'WalUnavailable' (default 60 s).
   */
  retryForMs?: number;
}

export class ObjectWalBackend implements WalBackend {
  readonly kind = 'object' as const;
  private readonly limits: ObjectWriterLimits;

  /** @param owned close the stores when the backend closes */
  constructor(private readonly store: ObjectStore, private readonly meta: MetaStore, private readonly config: ObjectWalConfig = {}, private readonly owned = false) {
    this.limits = {
      maxFragmentBytes: config.maxFragmentBytes ?? 2 * 1024 * 1024,
      flushDelayMs: config.flushDelayMs ?? 10,
      maxInFlightUploads: config.maxInFlightUploads ?? 8,
      flushWhenIdle: config.flushWhenIdle ?? true,
      retryForMs: config.retryForMs ?? 60_000,
    };
  }

  private index(pchannel: string): SlotIndex {
    return new SlotIndex(this.meta, walKeys(this.config.metaPrefix ?? 'nuthatch/wal', this.config.objectPrefix ?? 'wal', pchannel));
  }

  /**
   * Raises the term (compare-and-swap), puts a fence in the first free index slot,
   * and discards what crashed or fenced writers uploaded but never committed: such
   * entries were never acknowledged, so dropping them loses nothing.
   */
  async openWriter(pchannel: string, term: number): Promise<WalWriter> {
    const index = this.index(pchannel);
    await index.claimTerm(term);
    const fence = await index.placeFence(term);
    await this.discardUncommitted(index, fence.before, term);
    return new ObjectWalWriter(pchannel, term, this.store, index, fence.slot + 1, fence.next, this.limits);
  }

  private async discardUncommitted(index: SlotIndex, committed: Slot[], term: number): Promise<void> {
    const keep = new Set(committed.flatMap((s) => (s.rec.kind === 'fragment' ? [s.rec.key] : [])));
    for (const o of await this.store.list(index.keys.objectPrefix)) {
      const t = objectKeyTerm(o.key);
      if (!keep.has(o.key) && t !== undefined && t <= term) await this.store.delete(o.key);
    }
  }

  read(pchannel: string, from: WalPosition, to?: WalPosition): AsyncIterable<WalRecord[]> {
    return readRecords(this.store, this.index(pchannel), from, to, this.config.readAhead ?? 4);
  }

  tail(pchannel: string, from: WalPosition): Observable<WalRecord> {
    return tailRecords(this.meta, this.store, this.index(pchannel), from);
  }

  async lastPosition(pchannel: string): Promise<WalPosition> {
    const slots = await this.index(pchannel).list();
    const last = slots[slots.length - 1];
    return last ? nextAfter(last.rec) - 1 : -1;
  }

  /** Deletes whole fragments (index slot first, then object) that end before `before`; never the last slot. */
  async truncate(pchannel: string, before: WalPosition): Promise<void> {
    const index = this.index(pchannel);
    const slots = await index.list();
    for (const s of slots.slice(0, -1)) {
      if (nextAfter(s.rec) > before) break;
      await index.delete(s.n);
      if (s.rec.kind === 'fragment') await this.store.delete(s.rec.key);
    }
  }

  async firstPosition(pchannel: string): Promise<WalPosition> {
    const first = (await this.index(pchannel).list())[0];
    return first ? firstOf(first.rec) : 0;
  }

  async close(): Promise<void> {
    if (this.owned) await Promise.allSettled([this.store.close(), this.meta.close()]);
  }
}
