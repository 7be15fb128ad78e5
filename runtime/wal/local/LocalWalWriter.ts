/**
 * The writer of one pchannel. append() frames the entry at once (header and crc,
 * see FrameArena), takes the next position, and hands it to the group commit
 * pipeline (GroupCommit), which resolves it once its bytes are synced. Positions
 * and acknowledgements follow call order.
 */
import { NuthatchError } from '../../../messages/errors.js';
import type { WalEntry, WalPosition, WalWriter } from '../../ports/walBackend.js';
import { FRAME_HEADER, FrameFlag, TSO_MAX } from './frame.js';
import { FrameArena } from './FrameArena.js';
import { GroupCommit, closeSegment, type ActiveSegment, type CommitHost, type CommitLimits, type GroupCommitStats, type Pending } from './GroupCommit.js';
import type { TermFence } from './termFence.js';

export type { ActiveSegment, GroupCommitStats } from './GroupCommit.js';

/** What the writer needs from its pchannel beyond the pipeline's needs. */
export interface WriterHost extends CommitHost {
  writerStopped(w: LocalWalWriter): void;
  /** Removes the file opened ahead for the next segment of `term`'s writer. */
  dropSpare(term: number): Promise<void>;
  readonly opened: Set<LocalWalWriter>;
}

const BOTH = FrameFlag.BatchBegin | FrameFlag.BatchEnd;
/** A small single append: its block's crc covers it (frame.ts). */
const COVERED = BOTH | FrameFlag.Covered;

/**
 * The resolvers of the promise append() just made: one executor shared by every
 * append instead of a closure each (1 KB appends are CPU-bound).
 */
const captured: { resolve: Pending['resolve'] | undefined; reject: Pending['reject'] | undefined } = { resolve: undefined, reject: undefined };
function capture(resolve: (v: WalPosition) => void, reject: (e: unknown) => void): void {
  captured.resolve = resolve as Pending['resolve'];
  captured.reject = reject;
}

/** Why an entry's tso cannot be framed (it must fit a u64), or undefined. */
function badTso(e: WalEntry): NuthatchError | undefined {
  if (typeof e.tso === 'bigint' && e.tso >= 0n && e.tso <= TSO_MAX) return undefined;
  return new NuthatchError('InvalidArgument', `tso must be a bigint from 0 to 2^64-1, got ${String(e.tso)}`);
}

export class LocalWalWriter implements WalWriter {
  private readonly arena: FrameArena;
  private readonly gc: GroupCommit;
  private nextPosition: WalPosition;
  private closed = false;

  constructor(
    private readonly host: WriterHost,
    private readonly fence: TermFence,
    active: ActiveSegment,
    next: WalPosition,
    limits: CommitLimits,
  ) {
    this.nextPosition = next;
    const arena = this.arena = new FrameArena();
    this.gc = new GroupCommit(host, fence, active, next, limits, () => host.writerStopped(this), (through) => arena.handedOver(through - next));
  }

  get pchannel(): string { return this.host.name; }
  get term(): number { return this.fence.term; }
  /** False once fenced, failed or closed. */
  get alive(): boolean { return this.gc.failure === undefined; }
  /** Group commit counters (the benchmark sizes its raw baseline with them). */
  get stats(): GroupCommitStats { return this.gc.stats; }

  lastPosition(): WalPosition { return this.gc.durable; }

  append(entry: WalEntry): Promise<WalPosition> {
    if (this.gc.failure) return Promise.reject(this.gc.failure);
    const bad = badTso(entry);
    if (bad) return Promise.reject(bad);
    const len = entry.payload.length;
    const promise = new Promise<WalPosition>(capture);
    const resolve = captured.resolve!;
    const reject = captured.reject!;
    if (len <= this.arena.smallBytes) {
      const at = this.arena.frameSmall(entry, COVERED);
      this.gc.add({ first: this.nextPosition++, entry, batch: undefined, chunk: this.arena.chunk, at, iov: undefined, bytes: FRAME_HEADER + len, resolve, reject });
    } else {
      const iov: Uint8Array[] = [];
      const bytes = this.arena.frame(entry, BOTH, iov);
      this.gc.add({ first: this.nextPosition++, entry, batch: undefined, chunk: undefined, at: 0, iov, bytes, resolve, reject });
    }
    return promise;
  }

  appendBatch(entries: WalEntry[]): Promise<WalPosition[]> {
    if (this.gc.failure) return Promise.reject(this.gc.failure);
    if (entries.length === 0) return Promise.resolve([]);
    for (const e of entries) {
      const bad = badTso(e);
      if (bad) return Promise.reject(bad);
    }
    const iov: Uint8Array[] = [];
    let bytes = 0;
    entries.forEach((e, i) => {
      const flags = (i === 0 ? FrameFlag.BatchBegin : 0) | (i === entries.length - 1 ? FrameFlag.BatchEnd : 0);
      bytes += this.arena.frame(e, flags, iov);
    });
    const first = this.nextPosition;
    this.nextPosition += entries.length;
    return new Promise<WalPosition[]>((resolve, reject) => {
      this.gc.add({ first, entry: undefined, batch: entries, chunk: undefined, at: 0, iov, bytes, resolve: resolve as Pending['resolve'], reject });
    });
  }

  /** Waits for queued appends, then releases the segment and the fence. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.gc.drain();
    if (!this.gc.failure) this.gc.fail(new NuthatchError('WalUnavailable', `pchannel ${this.host.name}: writer closed`, { pchannel: this.host.name }));
    const active = this.gc.active;
    active.file.owned = false;
    this.fence.close();
    await this.host.dropSpare(this.term);
    this.host.opened.delete(this);
    await closeSegment(active);
  }
}
