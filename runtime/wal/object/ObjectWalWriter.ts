/**
 * The writer of one object-WAL pchannel (zero disk, Woodpecker's memory-buffer
 * mode): appends collect in memory and are sealed into a fragment when it reaches
 * `maxFragmentBytes` or `flushDelayMs` after its first entry — or, when no
 * upload is in flight (`flushWhenIdle`), at the end of the current turn of the
 * event loop, so a lone or bursty writer does not wait out the delay. Up to
 * `maxInFlightUploads` fragments upload at once; commits to the index run one at a
 * time in fragment order, and an append resolves only after its fragment's PUT
 * succeeded and its slot was created, so acknowledgements come in call order.
 * An atomic batch never straddles two fragments.
 *
 * A PUT or a commit the stores fail to answer for now (an S3 or etcd restart)
 * is retried for `retryForMs` (retryTransient.ts); a commit whose answer was
 * lost is judged by the slot: holding our record, it is ours. A fragment whose
 * commit was ever sent is never deleted on failure: it may be in the log.
 */
import { randomUUID } from 'node:crypto';
import { NuthatchError } from '../../../messages/errors.js';
import type { ObjectStore } from '../../ports/objectStore.js';
import type { WalEntry, WalPosition, WalWriter } from '../../ports/walBackend.js';
import { FragmentBuilder } from './fragmentBuilder.js';
import { FRAGMENT_HEADER_BYTES, FRAME_OVERHEAD, fragmentCrc } from './fragmentCodec.js';
import { retryTransient } from './retryTransient.js';
import { fenced, type SlotIndex } from './slotIndex.js';
import type { SlotRecord } from './walMetadata.js';

/** Batching knobs of a writer. */
export interface ObjectWriterLimits { maxFragmentBytes: number; flushDelayMs: number; maxInFlightUploads: number; flushWhenIdle: boolean; retryForMs: number }

/** One append (or batch, resolved with an array) waiting for its fragment's commit. */
interface Request { first: number; count: number; batch: boolean; resolve(p: unknown): void; reject(e: Error): void }
/** Entries are encoded into `body` as they arrive; `bytes` and `crc` are set when it is sealed and put. */
interface Fragment { first: number; body: FragmentBuilder; reqs: Request[]; key?: string; bytes?: number; crc?: number; uploaded: boolean; started: boolean; commitSent?: boolean }

export class ObjectWalWriter implements WalWriter {
  private open: Fragment | undefined;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  /** Sealed fragments not yet committed, in order. */
  private sealed: Fragment[] = [];
  private uploading = 0;
  private committing = false;
  private failure: NuthatchError | undefined;
  private closing = false;
  /** Why retries stop early: the writer failed or is closing. */
  private readonly stopped = (): NuthatchError | undefined =>
    this.failure ?? (this.closing ? new NuthatchError('WalUnavailable', `object WAL writer of ${this.pchannel} closed while its stores were retried`) : undefined);
  private durable: WalPosition;
  private idle: (() => void)[] = [];
  private readonly nonce = randomUUID().slice(0, 8);
  /** Bytes of the last sealed fragment: the next one reserves as much (a steady writer never regrows). */
  private sizeHint = 0;
  /**
   * The buffer of the last fragment put, for the next one: a fresh megabyte per
   * fragment costs the put about a millisecond more (new pages, cold caches).
   */
  private spare: Uint8Array | undefined;
  /** Fragments committed so far and what they carried (the benchmark reads it). */
  readonly stats = { commits: 0, entries: 0, bytes: 0 };

  constructor(
    readonly pchannel: string,
    readonly term: number,
    private readonly store: ObjectStore,
    private readonly index: SlotIndex,
    private nextSlot: number,
    private next: WalPosition,
    private readonly limits: ObjectWriterLimits,
  ) {
    this.durable = next - 1;
  }

  // append is appendBatch of one, without the arrays and the extra promise: with
  // small entries the writer's own cost per append is what limits it.
  append(entry: WalEntry): Promise<WalPosition> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const f = this.fragmentFor(FRAME_OVERHEAD + entry.payload.length);
      f.body.add(entry.tso, entry.payload);
      f.reqs.push({ first: this.next++, count: 1, batch: false, resolve: resolve as (p: unknown) => void, reject });
      this.added(f);
    });
  }

  appendBatch(entries: WalEntry[]): Promise<WalPosition[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (entries.length === 0) return Promise.resolve([]);
    let size = 0;
    for (const e of entries) size += FRAME_OVERHEAD + e.payload.length;
    return new Promise((resolve, reject) => {
      const f = this.fragmentFor(size);
      f.body.addAll(entries);
      f.reqs.push({ first: this.next, count: entries.length, batch: true, resolve: resolve as (p: unknown) => void, reject });
      this.next += entries.length;
      this.added(f);
    });
  }

  /** The open fragment, sealing it first if `size` more bytes would overfill it (a batch never straddles two). */
  private fragmentFor(size: number): Fragment {
    if (this.open && this.open.body.bytes + size > this.limits.maxFragmentBytes) this.seal();
    if (this.open) return this.open;
    const room = Math.min(this.limits.maxFragmentBytes, Math.max(this.sizeHint, FRAGMENT_HEADER_BYTES + size));
    const spare = this.spare;
    this.spare = undefined;
    const f: Fragment = { first: this.next, body: new FragmentBuilder(spare && spare.length >= room ? spare : room), reqs: [], uploaded: false, started: false };
    this.open = f;
    // Idle pipeline: seal once the appends of this turn of the event loop are in
    // (group commit). Busy: wait up to flushDelayMs for the fragment to fill.
    const idle = this.limits.flushWhenIdle && this.uploading === 0 && this.sealed.length === 0;
    this.timer = idle ? setImmediate(() => this.seal()) : setTimeout(() => this.seal(), this.limits.flushDelayMs);
    return f;
  }

  private added(f: Fragment): void {
    if (f.body.bytes >= this.limits.maxFragmentBytes) this.seal();
  }

  lastPosition(): WalPosition { return this.durable; }

  /** Flushes what is buffered, waits for every commit, then refuses further appends. */
  async close(): Promise<void> {
    this.closing = true;
    this.seal();
    if (this.sealed.length > 0) await new Promise<void>((r) => this.idle.push(r));
    this.failure ??= new NuthatchError('WalUnavailable', `object WAL writer of ${this.pchannel} is closed`);
  }

  private clearTimer(): void {
    const t = this.timer;
    if (!t) return;
    this.timer = undefined;
    if ('hasRef' in t && 'refresh' in t) clearTimeout(t as NodeJS.Timeout); else clearImmediate(t as NodeJS.Immediate);
  }

  private seal(): void {
    this.clearTimer();
    const f = this.open;
    if (!f) return;
    this.open = undefined;
    // Empty only if its first append threw while encoding: nothing to put.
    if (f.body.count === 0) return;
    this.sizeHint = f.body.bytes;
    this.sealed.push(f);
    this.startUploads();
  }

  private startUploads(): void {
    for (const f of this.sealed) {
      if (this.failure || this.uploading >= this.limits.maxInFlightUploads) return;
      if (f.started) continue;
      f.started = true;
      this.uploading++;
      this.upload(f).then(
        () => { f.uploaded = true; },
        (e: unknown) => this.fail(e instanceof NuthatchError ? e : new NuthatchError('WalUnavailable', `object WAL: upload of ${this.pchannel} fragment ${f.first} failed: ${(e as Error)?.message}`, {}, e)),
      ).finally(() => { this.uploading--; this.startUploads(); void this.commitLoop(); });
    }
  }

  private async upload(f: Fragment): Promise<void> {
    const data = f.body.finish(this.term, f.first);
    f.key = this.index.keys.objectKey(f.first, this.term, this.nonce);
    f.bytes = data.length;
    // The commit record names the object's crc32; the put does not need it, so it
    // is computed while the put is in flight (after the request is on its way),
    // not on the way from the last append to the put.
    const sum = setImmediate(() => { f.crc ??= fragmentCrc(data); });
    let attempt = 0;
    try {
      await retryTransient(async () => {
        attempt++;
        try {
          await this.store.put(f.key!, data, this.store.supportsConditionalPut ? { ifAbsent: true } : undefined);
        } catch (e) {
          // Our keys are unique: a conflict means an earlier attempt of ours landed
          // (ours, or the S3 client's own retry of it).
          if ((e as NuthatchError)?.code === 'Conflict') return;
          throw e;
        }
        // The store is done with the bytes (ObjectStore.put keeps no reference once
        // it resolves); after a failed attempt a request might still hold them.
        if (attempt === 1) {
          f.crc ??= fragmentCrc(data);
          this.spare = f.body.buffer;
        }
      }, Date.now() + this.limits.retryForMs, this.stopped);
      f.crc ??= fragmentCrc(data);
    } finally {
      clearImmediate(sum);
    }
  }

  /** Commits uploaded fragments in order, one slot at a time. */
  private async commitLoop(): Promise<void> {
    if (this.committing) return;
    this.committing = true;
    try {
      while (!this.failure && this.sealed[0]?.uploaded) {
        const f = this.sealed[0];
        const count = f.body.count;
        const bytes = f.bytes!;
        const rec = { kind: 'fragment' as const, term: this.term, first: f.first, count, key: f.key!, bytes, crc: f.crc! };
        f.commitSent = true;
        const claim = await retryTransient(() => this.claimSlot(rec), Date.now() + this.limits.retryForMs, this.stopped);
        if (claim.ours) {
          this.nextSlot++;
          this.sealed.shift();
          this.durable = f.first + count - 1;
          this.stats.commits++;
          this.stats.entries += count;
          this.stats.bytes += bytes;
          for (const r of f.reqs) r.resolve(r.batch ? positions(r.first, r.count) : r.first);
          continue;
        }
        const taken = claim.taken;
        // A lower term's fence that lost the race to ours is skipped; anything else means we are stale.
        if (taken?.kind === 'fence' && taken.term < this.term) { this.nextSlot++; continue; }
        this.fail(fenced(this.pchannel, this.term, taken?.term ?? this.term));
      }
    } catch (e) {
      this.fail(new NuthatchError('WalUnavailable', `object WAL: commit of ${this.pchannel} failed: ${(e as Error)?.message}`, {}, e));
    } finally {
      this.committing = false;
      if (this.sealed.length === 0 || this.failure) for (const r of this.idle.splice(0)) r();
    }
  }

  /**
   * Creates the next slot with `rec`; undefined when the slot is ours (created
   * now, or by an attempt whose answer was lost), else what holds it.
   */
  private async claimSlot(rec: SlotRecord & { key: string }): Promise<{ ours: true } | { ours: false; taken: SlotRecord | undefined }> {
    if (await this.index.create(this.nextSlot, rec)) return { ours: true };
    const taken = await this.index.get(this.nextSlot);
    return taken?.kind === 'fragment' && taken.key === rec.key ? { ours: true } : { ours: false, taken };
  }

  private fail(err: NuthatchError): void {
    if (!this.failure) this.failure = err;
    this.clearTimer();
    const dropped = [...this.sealed.splice(0), ...(this.open ? [this.open] : [])];
    this.open = undefined;
    for (const f of dropped) {
      for (const r of f.reqs) r.reject(this.failure);
      // Never committed, so never readable: free the bytes (best effort). A
      // fragment whose commit was sent may be committed: its bytes stay.
      if (f.key && !f.commitSent) void this.store.delete(f.key).catch(() => undefined);
    }
    for (const r of this.idle.splice(0)) r();
  }
}

function positions(first: WalPosition, count: number): WalPosition[] {
  const out = new Array<WalPosition>(count);
  for (let i = 0; i < count; i++) out[i] = first + i;
  return out;
}
