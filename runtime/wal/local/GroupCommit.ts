/**
 * The group commit pipeline of one writer: framed appends in, acknowledgements
 * out, in order, each only after its bytes are synced. It runs like the best a
 * plain file writer can do (see bench/support/walLocal.ts): one fdatasync in
 * flight at a time, the next group written while it runs.
 *
 * - Write side: queued frames are handed to the kernel with one positional
 *   writev per chunk (at least the current chunk size, or whatever the current
 *   turn queued), without waiting for earlier writes: each chunk has its own
 *   offset. So the kernel copies the first frames of a burst while append()
 *   still checksums the later ones, and writes complete at a steady pace, so a
 *   sync that ends always finds the next one's bytes written. (One large write
 *   at a time was measured slower: the sync idled while it ran.)
 * - Sync side: one loop takes every write completed so far (a contiguous
 *   prefix), runs ONE fdatasync for all of them, checks the fence, starts the
 *   next round if more completed meanwhile, and only then indexes the records,
 *   hands them to the write-ahead buffer and resolves the callers in call order.
 * - Little in flight: while the callers have less than DSYNC_BELOW in flight
 *   (small entries, CPU-bound: a thread pool round trip costs tens of
 *   microseconds here), groups are written through the segment's O_DSYNC
 *   descriptor instead, each write durable on return exactly as if fdatasync
 *   had followed it, so a round needs no fdatasync of its own: one round trip
 *   per group instead of two, and groups of a third of what is in flight (1.4x
 *   at 1 KB entries). A third, not a half: while the callers of one finished
 *   write frame their next appends (CPU, about as long as a write takes), two
 *   writes are still in the disk, not one (measured 1.15x over halves at 1 KB).
 *   With more in flight, plain writes again: they overlap the copy of the next
 *   group with the flush of the last at a finer grain.
 * - A full segment rolls over without stopping the writes (see rollTo()).
 * A failure (Fenced, or an I/O error) fails everything not yet acknowledged and
 * every later append: positions were handed out in order, so nothing can follow.
 */
import { NuthatchError, asNuthatchError } from '../../../messages/errors.js';
import type { WalEntry, WalPosition } from '../../ports/walBackend.js';
import type { WriteAheadBuffer } from '../writeAheadBuffer.js';
import { FRAME_HEADER } from './frame.js';
import { diskBytes, layoutGroup } from './groupLayout.js';
import { closeFd, datasync, writevAt } from './fsUtil.js';
import type { SegmentFile } from './SegmentFile.js';
import type { TermFence } from './termFence.js';

/** An append (or atomic batch) framed and waiting for its acknowledgement. */
export interface Pending {
  first: WalPosition;
  /** The entry of a single append (undefined for a batch). */
  entry: WalEntry | undefined;
  /** The entries of an atomic batch (undefined for a single append). */
  batch: readonly WalEntry[] | undefined;
  /** The chunk holding the whole frame of a small single append, at `at`; else undefined. */
  chunk: Uint8Array | undefined;
  at: number;
  /** The frames' iovecs when they are not one range of a chunk. */
  iov: Uint8Array[] | undefined;
  bytes: number;
  resolve(v: WalPosition | WalPosition[]): void;
  reject(e: unknown): void;
}

/**
 * Where the writer appends: the segment, its descriptor and its size, and while
 * it is not yet in the chain, the provisional path it is written under.
 */
export interface ActiveSegment { file: SegmentFile; fd: number; dsyncFd: number; size: number; provisional?: string; unsynced?: number }

/** Closes both descriptors of a segment (once). */
export async function closeSegment(seg: { fd: number; dsyncFd: number }): Promise<void> {
  const fds = [seg.fd, seg.dsyncFd].filter((fd) => fd >= 0);
  seg.fd = -1;
  seg.dsyncFd = -1;
  for (const fd of fds) await closeFd(fd).catch(() => {});
}

/**
 * Counters the benchmark reports: `commits` counts acknowledgement rounds
 * (durable points), `writes` writev calls, `dsyncWrites` those made through O_DSYNC.
 */
export interface GroupCommitStats { commits: number; writes: number; dsyncWrites: number; entries: number; bytes: number }

/** What the pipeline needs from its pchannel. */
export interface CommitHost {
  readonly name: string;
  readonly buffer: WriteAheadBuffer;
  /** The next segment, starting at `first`, under its provisional name (opened ahead when it can be). */
  nextSegment(first: WalPosition, term: number): Promise<ActiveSegment>;
  /** Renames a provisional segment into the chain, durably (the directory is synced). */
  publish(seg: ActiveSegment): Promise<void>;
}

/** Sizes of the pipeline. */
export interface CommitLimits {
  segmentBytes: number;
  /** Most bytes in one writev. */
  maxGroupBytes: number;
  /** A write goes out once this many bytes are queued, without waiting for the turn to end (the most; see chunkBytes). */
  writeChunkBytes: number;
}

/**
 * The smallest write chunk: each write costs a thread pool round trip (tens of
 * microseconds here), which small entries cannot afford every 64 KiB.
 */
const MIN_CHUNK = 256 * 1024;

/** With fewer bytes than this in flight, groups are written through O_DSYNC (see the file comment). */
const DSYNC_BELOW = 2 * 1024 * 1024;

/** How many O_DSYNC writes share what is in flight. */
const DSYNC_WRITES = 3;

/**
 * A chunk handed to writev, in submission order; `dsync` when written through
 * O_DSYNC (durable once done); `blocks` its blocks' [start, end) offsets from `base`, flattened.
 */
interface Write { group: Pending[]; seg: ActiveSegment; base: number; bytes: number; blocks: number[]; done: boolean; dsync: boolean }

export class GroupCommit {
  readonly stats: GroupCommitStats = { commits: 0, writes: 0, dsyncWrites: 0, entries: 0, bytes: 0 };
  failure: NuthatchError | undefined;
  durable: WalPosition;
  private queue: Pending[] = [];
  private queuedBytes = 0;
  private flushScheduled = false;
  private rolling = false;
  private inflight: Write[] = [];
  private written: Write[] = [];
  private syncRunning = false;
  private idleWaiters: (() => void)[] = [];
  /** Frame offsets of the write being acknowledged (reused: 1 KB appends are CPU-bound). */
  private offsets = new Float64Array(1024);
  private readonly flush = (): void => { this.flushScheduled = false; this.submit(); this.settle(); };
  /**
   * Bytes that trigger a write: a quarter of the last sync round (within
   * MIN_CHUNK and the configured chunk), so a round spans a few writes; through
   * O_DSYNC, half of what is in flight.
   */
  private chunkBytes: number;
  /** Whether the next writes go through O_DSYNC (little was in flight at the last round). */
  private dsyncWrites = true;

  constructor(
    private readonly host: CommitHost,
    private readonly fence: TermFence,
    public active: ActiveSegment,
    next: WalPosition,
    private readonly limits: CommitLimits,
    private readonly onStop: () => void,
    /** Told, in order, that every frame before `next` has been handed to the kernel (its memory may be reused). */
    private readonly onHandedOver: (next: WalPosition) => void = () => {},
  ) {
    this.durable = next - 1;
    this.chunkBytes = limits.writeChunkBytes;
  }

  /** Queues a framed append; it is written within this turn or as soon as a chunk is full. */
  add(p: Pending): void {
    if (this.failure) { p.reject(this.failure); return; }
    this.queuedBytes += diskBytes(this.queue[this.queue.length - 1], p);
    this.queue.push(p);
    if (this.queuedBytes >= this.chunkBytes) this.submit();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      // The end of this turn: the callers of this turn are queued by then.
      setImmediate(this.flush);
    }
  }

  /** True while anything is queued, being written, or being synced. */
  get busy(): boolean {
    return this.queue.length > 0 || this.inflight.length > 0 || this.written.length > 0 || this.syncRunning || this.rolling || this.flushScheduled;
  }

  /** Resolves once nothing is queued, written or syncing. */
  async drain(): Promise<void> {
    while (this.busy) await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  /** Hands queued frames to the kernel, chunk by chunk, each at its own offset. */
  private submit(): void {
    while (this.queue.length > 0 && !this.failure && !this.rolling) {
      // A group fills the segment up to its size, no further (one append larger than that goes alone).
      const cap = Math.min(this.limits.maxGroupBytes, this.limits.segmentBytes - this.active.size);
      let n = this.queue.length;
      let bytes = this.queuedBytes;
      if (bytes > cap) {
        n = 0;
        bytes = 0;
        while (n < this.queue.length) {
          const b = diskBytes(this.queue[n - 1], this.queue[n]!);
          if (n > 0 && bytes + b > cap) break;
          bytes += b;
          n++;
        }
      }
      if (this.active.size > 0 && this.active.size + bytes > this.limits.segmentBytes) { void this.rollTo(this.queue[0]!.first); return; }
      const group = n === this.queue.length ? this.queue : this.queue.splice(0, n);
      if (group === this.queue) { this.queue = []; this.queuedBytes = 0; } else {
        // What stays may now start a run where it continued one.
        this.queuedBytes = 0;
        for (let i = 0; i < this.queue.length; i++) this.queuedBytes += diskBytes(this.queue[i - 1], this.queue[i]!);
      }
      const layout = layoutGroup(group);
      const seg = this.active;
      const w: Write = { group, seg, base: seg.size, bytes: layout.bytes, blocks: layout.blocks, done: false, dsync: this.dsyncWrites };
      seg.size += layout.bytes;
      seg.unsynced = (seg.unsynced ?? 0) + 1;
      this.inflight.push(w);
      this.stats.writes++;
      if (w.dsync) this.stats.dsyncWrites++;
      writevAt(w.dsync ? seg.dsyncFd : seg.fd, layout.iov, w.base).then(
        () => { w.done = true; this.onWritten(); },
        (e: unknown) => { w.done = true; this.fail(e); this.onWritten(); });
    }
  }

  /** Moves the completed prefix of the writes to the sync side; what queued meanwhile goes out now. */
  private onWritten(): void {
    while (this.inflight.length > 0 && this.inflight[0]!.done) {
      const w = this.inflight.shift()!;
      if (this.failure) for (const p of w.group) p.reject(this.failure);
      else {
        this.written.push(w);
        const last = w.group[w.group.length - 1]!;
        this.onHandedOver(last.first + (last.entry ? 1 : last.batch!.length));
      }
    }
    this.kickSync();
    if (this.queue.length > 0) this.submit();
    this.settle();
  }

  private kickSync(): void {
    if (!this.syncRunning && this.written.length > 0 && !this.failure) {
      this.syncRunning = true;
      void this.syncRound();
    }
  }

  /**
   * One fdatasync (per segment touched) for every completed plain write, the
   * fence again, then acknowledgements. Writes made through O_DSYNC are durable
   * already; only a new segment's name still needs syncing.
   */
  private async syncRound(): Promise<void> {
    // Sync half of a long list: the other half's sync then runs while this
    // half's callers do their work (framing their next appends), not after it.
    // (Measured: taking all of it forms larger rounds but is slower at every size.)
    const plain = this.written.some((w) => !w.dsync);
    const take = plain && this.written.length > 2 ? Math.ceil(this.written.length / 2) : this.written.length;
    const batch = this.written.splice(0, take);
    try {
      let seg: ActiveSegment | undefined;
      for (let i = 0; i < batch.length; i++) {
        if (batch[i]!.seg === seg) continue;
        seg = batch[i]!.seg;
        let needSync = false;
        for (let k = i; k < batch.length && batch[k]!.seg === seg; k++) needSync ||= !batch[k]!.dsync;
        if (seg.provisional) {
          // Everything before is synced (the previous segment's syncs came
          // first), so the rename cannot leave a gap; the new file's bytes sync
          // beside the directory.
          await Promise.all([this.host.publish(seg), needSync ? datasync(seg.fd) : undefined]);
          seg.provisional = undefined;
        } else if (needSync) await datasync(seg.fd);
      }
      this.fence.check();
    } catch (e) {
      this.syncRunning = false;
      this.fail(e);
      for (const w of batch) for (const p of w.group) p.reject(this.failure);
      this.settle();
      return;
    }
    this.syncRunning = false;
    this.stats.commits++;
    const roundBytes = batch.reduce((n, w) => n + w.bytes, 0);
    // What the callers have in flight: everything not acknowledged before this round.
    const pending = roundBytes + this.queuedBytes + [...this.inflight, ...this.written].reduce((n, w) => n + w.bytes, 0);
    this.dsyncWrites = pending < DSYNC_BELOW;
    this.chunkBytes = this.dsyncWrites
      // A third of it per write, three writes in flight (see the file comment).
      ? Math.min(this.limits.maxGroupBytes, Math.max(MIN_CHUNK, pending / DSYNC_WRITES))
      : Math.min(this.limits.writeChunkBytes, Math.max(MIN_CHUNK, roundBytes / 4));
    for (const w of batch) this.commit(w);
    // After the commits (a round with nothing to sync would otherwise commit
    // before this one), before our callers run (they are microtasks), so their
    // work overlaps the next sync.
    this.kickSync();
    this.releaseRolled(batch);
    this.settle();
  }

  /** The write is durable: index it, buffer it, acknowledge it in call order. */
  private commit(w: Write): void {
    // The buffer is the pchannel's: a writer that took over may have reset it since.
    const buffer = this.host.buffer.next === w.group[0]!.first ? this.host.buffer : undefined;
    let offsets = this.offsets;
    let n = 0;
    let at = w.base;
    let block = 0;
    for (const p of w.group) {
      // A run of small appends starts behind its block header.
      if (block < w.blocks.length && w.blocks[block] === at - w.base) { at += FRAME_HEADER; block += 2; }
      const e = p.entry;
      if (n + (e ? 1 : p.batch!.length) > offsets.length) offsets = this.offsets = growTo(offsets, n + (e ? 1 : p.batch!.length));
      if (e) {
        offsets[n++] = at;
        at += p.bytes;
        buffer?.add(e.tso, e.payload);
        continue;
      }
      for (const b of p.batch!) {
        offsets[n++] = at;
        at += FRAME_HEADER + b.payload.length;
        buffer?.add(b.tso, b.payload);
      }
    }
    w.seg.file.addSynced(offsets, w.base + w.bytes, n, w.blocks, w.base);
    this.durable += n;
    this.stats.entries += n;
    this.stats.bytes += w.bytes;
    buffer?.publish();
    for (const p of w.group) {
      if (p.entry) p.resolve(p.first);
      else p.resolve(p.batch!.map((_, i) => p.first + i));
    }
  }

  /**
   * Starts the next segment without stopping the writes for long: it is
   * written under a provisional name (outside the chain) and renamed into the
   * chain by the sync round that first covers it, once the old segment's last
   * bytes are durable. So a crash can tear the last segment's tail but never
   * leave a gap inside the chain, and nothing in the new file is acknowledged
   * before its name is durable. The file is usually opened ahead of time (the
   * host keeps a spare), so this takes one turn.
   */
  private async rollTo(first: WalPosition): Promise<void> {
    this.rolling = true;
    try {
      this.fence.check(); // a fenced writer starts no segment (it would be dead, but why leave it)
      this.active = await this.host.nextSegment(first, this.fence.term);
    } catch (e) {
      this.fail(e);
    } finally {
      this.rolling = false;
    }
    this.submit();
    this.settle();
  }

  /** After a round: a rolled-over segment with nothing left to sync gives its descriptor back. */
  private releaseRolled(batch: Write[]): void {
    for (const w of batch) w.seg.unsynced! -= 1;
    for (const w of batch) {
      const seg = w.seg;
      if (seg === this.active || seg.fd < 0 || seg.unsynced! > 0) continue;
      seg.file.owned = false;
      void closeSegment(seg);
    }
  }

  /** Wakes whoever waits for the pipeline to be idle (drain). */
  private settle(): void {
    if (this.inflight.length > 0 || this.written.length > 0 || this.syncRunning) return;
    for (const r of this.idleWaiters.splice(0)) r();
  }

  private asFailure(e: unknown): NuthatchError {
    return e instanceof NuthatchError ? e
      : new NuthatchError('WalUnavailable', `pchannel ${this.host.name}: write failed: ${asNuthatchError(e).message}`, { pchannel: this.host.name }, e);
  }

  /**
   * Fails everything not yet acknowledged (a sync round in progress answers its
   * own batch, a write in flight its group) and every later append. The first
   * failure is what callers see.
   */
  fail(e: unknown): void {
    const first = this.failure === undefined;
    this.failure ??= this.asFailure(e);
    const err = this.failure;
    for (const w of this.written.splice(0)) for (const p of w.group) p.reject(err);
    for (const p of this.queue.splice(0)) p.reject(err);
    this.queuedBytes = 0;
    if (first) {
      // What we wrote but did not acknowledge is judged by the chain, like anyone else's bytes.
      this.active.file.owned = false;
      this.onStop();
    }
    this.settle();
  }
}

function growTo(a: Float64Array<ArrayBuffer>, n: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}
