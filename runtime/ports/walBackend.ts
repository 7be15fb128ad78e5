import type { Observable } from 'rxjs';

/**
 * The WAL backend port (DESIGN.md section 6). A backend stores opaque entries per
 * pchannel, in order, with gap-free positions 0, 1, 2, ... It holds no vchannel
 * logic. Exactly one writer per pchannel may append: opening a writer with term T
 * fences every writer with a lower term, whose later appends fail with
 * NuthatchError code 'Fenced' (enforced by storage, not by politeness).
 * Backends: local (runtime/wal/local/), object (runtime/wal/object/), jetstream
 * (runtime/wal/jetstream/). One conformance suite (test/wal/) runs them all.
 */
export type WalPosition = number;

export interface WalEntry {
  /** The message's TSO, framed beside the payload so scans can skip decoding. */
  tso: bigint;
  /**
   * Not to be changed once appended: backends may write it, and serve it to
   * tail readers, from where it lies rather than from a copy.
   */
  payload: Uint8Array;
}

export interface WalRecord extends WalEntry {
  position: WalPosition;
}

export interface WalWriter {
  readonly pchannel: string;
  readonly term: number;
  /**
   * Appends one entry and resolves with its position once it is durable (synced).
   * Concurrent calls are group-committed; they resolve in call order and get
   * positions in call order.
   */
  append(entry: WalEntry): Promise<WalPosition>;
  /** Appends entries atomically (all or none survive a crash), in order. */
  appendBatch(entries: WalEntry[]): Promise<WalPosition[]>;
  /** The last durable position, -1 if the pchannel is empty. */
  lastPosition(): WalPosition;
  close(): Promise<void>;
}

export interface WalBackend {
  readonly kind: 'local' | 'object' | 'jetstream';
  /**
   * Opens a pchannel for writing with a fencing term. Fails with 'Fenced' if a
   * higher term already opened it. Recovers a torn tail left by a crash.
   */
  openWriter(pchannel: string, term: number): Promise<WalWriter>;
  /** Reads durable records with position >= from (and < to when given), in order, in batches. */
  read(pchannel: string, from: WalPosition, to?: WalPosition): AsyncIterable<WalRecord[]>;
  /**
   * Follows the pchannel: every durable record with position >= from, then new ones
   * as they become durable (also those written by another process), until unsubscribed.
   */
  tail(pchannel: string, from: WalPosition): Observable<WalRecord>;
  /** The last durable position, -1 if empty. */
  lastPosition(pchannel: string): Promise<WalPosition>;
  /**
   * Frees storage of records before `before` (whole storage units only: it may keep
   * some). Never removes a record at or after `before`.
   */
  truncate(pchannel: string, before: WalPosition): Promise<void>;
  /** The first position still readable (after truncation), 0 if never truncated. */
  firstPosition(pchannel: string): Promise<WalPosition>;
  close(): Promise<void>;
}
