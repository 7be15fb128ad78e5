/**
 * Recent durable WAL records of one pchannel, in memory, so tail readers never go
 * to storage (DESIGN.md section 6). Any backend can use it: push records once they
 * are durable (in order, gap-free), and serve `follow()` to readers. A reader whose
 * position was evicted (or that starts far behind) reads storage through the
 * function it is given, then rejoins the buffer. The oldest records are evicted
 * past a byte cap (default 64 MiB).
 *
 * The owner must position the buffer (`reset`) at or past the end of storage
 * before readers follow it, or a reader ahead of the buffer would wait for records
 * that storage already has.
 *
 * Records are kept in a ring of two parallel arrays (tso, payload; positions
 * follow from `first`) and made into objects only for readers: a writer of small
 * entries buffers tens of thousands of them, and an object each would all live
 * long enough to be collected the expensive way. The tsos sit in a BigUint64Array
 * for the same reason: a bigint each would be copied by every young-generation
 * collection until promoted (measured: a third of the garbage collector's time
 * at 1 KB appends).
 */
import { Observable } from 'rxjs';
import type { WalPosition, WalRecord } from '../ports/walBackend.js';
import { NuthatchError } from '../../messages/errors.js';

/** Reads durable records [from, to) from storage, in batches. */
export type StorageRead = (from: WalPosition, to: WalPosition) => AsyncIterable<WalRecord[]>;

/** What a buffered record costs beyond its payload (object, position, tso). */
const RECORD_OVERHEAD = 64;

const EMPTY = new Uint8Array(0);

const INITIAL_CAPACITY = 1024;

export class WriteAheadBuffer {
  /** The ring: `count` records from `head`, at indexes masked by `capacity - 1` (a power of two). */
  private capacity = INITIAL_CAPACITY;
  private tsos = new BigUint64Array(INITIAL_CAPACITY);
  private payloads: Uint8Array[] = new Array<Uint8Array>(INITIAL_CAPACITY).fill(EMPTY);
  private head = 0;
  private count = 0;
  private nextPosition: WalPosition = 0;
  /** Records before this position have been announced to live readers. */
  private announced: WalPosition = 0;
  private size = 0;
  private readonly listeners = new Set<(recs: readonly WalRecord[]) => void>();

  constructor(readonly maxBytes = 64 * 1024 * 1024) {}

  /** The oldest buffered position (equal to `next` when empty). */
  get first(): WalPosition { return this.nextPosition - this.count; }
  /** The position the next pushed record must have. */
  get next(): WalPosition { return this.nextPosition; }
  get bytes(): number { return this.size; }
  get length(): number { return this.count; }

  /** Drops every record; the next one pushed must be at `next`. */
  reset(next: WalPosition): void {
    this.capacity = INITIAL_CAPACITY;
    this.tsos = new BigUint64Array(INITIAL_CAPACITY);
    this.payloads = new Array<Uint8Array>(INITIAL_CAPACITY).fill(EMPTY);
    this.head = 0;
    this.count = 0;
    this.size = 0;
    this.nextPosition = next;
    this.announced = next;
  }

  /** Adds durable records, which must continue at `next`; tells live readers, then evicts past the cap. */
  push(recs: readonly WalRecord[]): void {
    if (recs.length === 0) return;
    if (recs[0]!.position !== this.nextPosition) {
      throw new NuthatchError('Internal', `write-ahead buffer expected position ${this.nextPosition}, got ${recs[0]!.position}`);
    }
    for (const r of recs) this.add(r.tso, r.payload);
    this.publish();
  }

  /** Adds the durable record at `next` (the caller knows it continues the buffer); readers hear of it at publish(). */
  add(tso: bigint, payload: Uint8Array): void {
    if (this.count === this.capacity) this.grow();
    const i = (this.head + this.count++) & (this.capacity - 1);
    this.tsos[i] = tso;
    this.payloads[i] = payload;
    this.size += payload.length + RECORD_OVERHEAD;
    this.nextPosition++;
  }

  /** Tells live readers about the records added since the last publish, then evicts past the cap. */
  publish(): void {
    if (this.announced === this.nextPosition) return;
    if (this.listeners.size > 0) {
      const recs = this.slice(this.announced);
      for (const l of this.listeners) l(recs);
    }
    this.announced = this.nextPosition;
    this.evict();
  }

  private evict(): void {
    // Keep the newest record even if it alone exceeds the cap.
    while (this.size > this.maxBytes && this.count > 1) {
      this.size -= this.payloads[this.head]!.length + RECORD_OVERHEAD;
      this.payloads[this.head] = EMPTY;
      this.head = (this.head + 1) & (this.capacity - 1);
      this.count--;
    }
  }

  /** Doubles the ring, unrolling it so the oldest record is at index 0. */
  private grow(): void {
    const capacity = this.capacity * 2;
    const tsos = new BigUint64Array(capacity);
    const payloads = new Array<Uint8Array>(capacity).fill(EMPTY);
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) & (this.capacity - 1);
      tsos[k] = this.tsos[i]!;
      payloads[k] = this.payloads[i]!;
    }
    this.capacity = capacity;
    this.tsos = tsos;
    this.payloads = payloads;
    this.head = 0;
  }

  /** Buffered records from `from` on (from must be within [first, next]). */
  slice(from: WalPosition): WalRecord[] {
    const out: WalRecord[] = [];
    const mask = this.capacity - 1;
    for (let k = from - this.first, position = from; k < this.count; k++, position++) {
      const i = (this.head + k) & mask;
      out.push({ position, tso: this.tsos[i]!, payload: this.payloads[i]! });
    }
    return out;
  }

  /**
   * Every record from `from` on: from storage while `from` is behind the buffer,
   * then from the buffer, then each new one as it is pushed, until unsubscribed.
   */
  follow(from: WalPosition, readStorage: StorageRead): Observable<WalRecord> {
    return new Observable<WalRecord>((sub) => {
      let next = from;
      let live = false;
      let closed = false;
      const deliver = (r: WalRecord): void => { if (!closed && r.position === next) { next++; sub.next(r); } };
      const onPush = (recs: readonly WalRecord[]): void => {
        if (!live || closed) return;
        if (recs[0]!.position > next) { live = false; void catchUp(); return; }
        for (const r of recs) deliver(r);
      };
      const catchUp = async (): Promise<void> => {
        try {
          while (!closed) {
            if (next >= this.first) {
              if (next < this.next) for (const r of this.slice(next)) deliver(r);
              live = true;
              return;
            }
            const to = this.first;
            for await (const batch of readStorage(next, to)) {
              for (const r of batch) deliver(r);
              if (closed) return;
            }
            if (next < to) throw new NuthatchError('NotFound', `records from ${next} to ${to} are neither buffered nor in storage`);
          }
        } catch (e) {
          if (!closed) sub.error(e);
        }
      };
      this.listeners.add(onPush);
      void catchUp();
      return () => { closed = true; this.listeners.delete(onPush); };
    });
  }
}
