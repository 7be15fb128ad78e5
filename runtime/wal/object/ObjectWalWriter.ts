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
 */
import { randomUUID } from 'node:crypto';
import { NuthatchError } from '../../../messages/errors.js';
import type { ObjectStore } from '../../ports/objectStore.js';
import type { WalEntry, WalPosition, WalWriter } from '../../ports/walBackend.js';
import { encodeFragment, fragmentHeaderCrc, fragmentSize, FRAGMENT_HEADER_BYTES } from './fragmentCodec.js';
import { fenced, type SlotIndex } from './slotIndex.js';

/** Batching knobs of a writer. */
export interface ObjectWriterLimits { maxFragmentBytes: number; flushDelayMs: number; maxInFlightUploads: number; flushWhenIdle: boolean }

interface Request { entries: WalEntry[]; first: number; resolve(p: WalPosition[]): void; reject(e: Error): void }
interface Fragment { first: number; entries: WalEntry[]; reqs: Request[]; key?: string; bytes?: number; crc?: number; uploaded: boolean; started: boolean }

export class ObjectWalWriter implements WalWriter {
  private open: Fragment | undefined;
  private openBytes = FRAGMENT_HEADER_BYTES;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  /** Sealed fragments not yet committed, in order. */
  private sealed: Fragment[] = [];
  private uploading = 0;
  private committing = false;
  private failure: NuthatchError | undefined;
  private durable: WalPosition;
  private idle: (() => void)[] = [];
  private readonly nonce = randomUUID().slice(0, 8);
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

  append(entry: WalEntry): Promise<WalPosition> {
    return this.appendBatch([entry]).then((p) => p[0]!);
  }

  appendBatch(entries: WalEntry[]): Promise<WalPosition[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (entries.length === 0) return Promise.resolve([]);
    const size = fragmentSize(entries) - FRAGMENT_HEADER_BYTES;
    if (this.open && this.openBytes + size > this.limits.maxFragmentBytes) this.seal();
    return new Promise((resolve, reject) => {
      if (!this.open) {
        this.open = { first: this.next, entries: [], reqs: [], uploaded: false, started: false };
        this.openBytes = FRAGMENT_HEADER_BYTES;
        // Idle pipeline: seal once the appends of this turn of the event loop are in
        // (group commit). Busy: wait up to flushDelayMs for the fragment to fill.
        const idle = this.limits.flushWhenIdle && this.uploading === 0 && this.sealed.length === 0;
        this.timer = idle ? setImmediate(() => this.seal()) : setTimeout(() => this.seal(), this.limits.flushDelayMs);
      }
      this.open.reqs.push({ entries, first: this.next, resolve, reject });
      for (const e of entries) this.open.entries.push(e);
      this.openBytes += size;
      this.next += entries.length;
      if (this.openBytes >= this.limits.maxFragmentBytes) this.seal();
    });
  }

  lastPosition(): WalPosition { return this.durable; }

  /** Flushes what is buffered, waits for every commit, then refuses further appends. */
  async close(): Promise<void> {
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
    const data = encodeFragment({ term: this.term, first: f.first, count: f.entries.length }, f.entries);
    f.key = this.index.keys.objectKey(f.first, this.term, this.nonce);
    f.bytes = data.length;
    f.crc = fragmentHeaderCrc(data);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.store.put(f.key, data, this.store.supportsConditionalPut ? { ifAbsent: true } : undefined);
        return;
      } catch (e) {
        // Our keys are unique: a conflict means an earlier attempt of ours landed.
        if ((e as NuthatchError)?.code === 'Conflict') return;
        if (attempt >= 3) throw e;
        await new Promise((r) => setTimeout(r, 20 * attempt));
      }
    }
  }

  /** Commits uploaded fragments in order, one slot at a time. */
  private async commitLoop(): Promise<void> {
    if (this.committing) return;
    this.committing = true;
    try {
      while (!this.failure && this.sealed[0]?.uploaded) {
        const f = this.sealed[0];
        const rec = { kind: 'fragment' as const, term: this.term, first: f.first, count: f.entries.length, key: f.key!, bytes: f.bytes!, crc: f.crc! };
        if (await this.index.create(this.nextSlot, rec)) {
          this.nextSlot++;
          this.sealed.shift();
          this.durable = f.first + f.entries.length - 1;
          this.stats.commits++;
          this.stats.entries += f.entries.length;
          this.stats.bytes += f.bytes!;
          for (const r of f.reqs) r.resolve(r.entries.map((_, i) => r.first + i));
          continue;
        }
        const taken = await this.index.get(this.nextSlot);
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

  private fail(err: NuthatchError): void {
    if (!this.failure) this.failure = err;
    this.clearTimer();
    const dropped = [...this.sealed.splice(0), ...(this.open ? [this.open] : [])];
    this.open = undefined;
    for (const f of dropped) {
      for (const r of f.reqs) r.reject(this.failure);
      // Never committed, so never readable: free the bytes (best effort).
      if (f.key) void this.store.delete(f.key).catch(() => undefined);
    }
    for (const r of this.idle.splice(0)) r();
  }
}
