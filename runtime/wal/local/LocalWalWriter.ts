/**
 * The writer of one pchannel: group commit over segment files.
 *
 * append() frames the entry at once (crc and header, see FrameArena) and queues
 * it with its position. Two loops run the queue:
 * - the write loop takes everything queued as a group, checks the fence, rolls
 *   the segment when full, and writes the group with one positional writev;
 * - the sync loop takes every group written so far, runs ONE fdatasync for them,
 *   checks the fence again, starts the next sync if more was written meanwhile,
 *   and only then indexes the records, hands them to the write-ahead buffer and
 *   resolves the callers in call order.
 * So the next group is written while the previous one syncs, and the callers'
 * work after an acknowledgement overlaps the next sync. When the pipeline is idle
 * the write loop takes only half of a long queue, to get the overlap going.
 * A failure (Fenced, or an I/O error) fails what it touched and every later
 * append: positions were handed out in order, so the writer cannot go on.
 */
import { NuthatchError, asNuthatchError } from '../../../messages/errors.js';
import type { WalEntry, WalPosition, WalRecord, WalWriter } from '../../ports/walBackend.js';
import { FRAME_HEADER, FrameFlag } from './frame.js';
import { FrameArena, coalesce } from './FrameArena.js';
import { closeFd, datasync, writevAt } from './fsUtil.js';
import type { LocalPchannel } from './LocalPchannel.js';
import type { SegmentFile } from './SegmentFile.js';
import type { TermFence } from './termFence.js';

interface Pending {
  first: WalPosition;
  entries: readonly WalEntry[];
  iov: Uint8Array[];
  bytes: number;
  one: boolean;
  resolve(v: WalPosition | WalPosition[]): void;
  reject(e: unknown): void;
}

/** A group written to a segment and waiting for its fdatasync. */
interface Written { group: Pending[]; seg: ActiveSegment; base: number; bytes: number }

/**
 * Counters the benchmark reads to size its raw baseline like the groups formed
 * here: `commits` counts fdatasync rounds (durable points), `writes` writev calls.
 */
export interface GroupCommitStats { commits: number; writes: number; entries: number; bytes: number }

/** Where the writer appends: the segment, its descriptor and its size. */
export interface ActiveSegment { file: SegmentFile; fd: number; size: number }

export class LocalWalWriter implements WalWriter {
  readonly stats: GroupCommitStats = { commits: 0, writes: 0, entries: 0, bytes: 0 };
  private readonly arena = new FrameArena();
  private queue: Pending[] = [];
  private writing = false;
  private written: Written[] = [];
  private syncRunning = false;
  private failure: NuthatchError | undefined;
  private nextPosition: WalPosition;
  private durable: WalPosition;
  private drained: (() => void)[] = [];
  private syncIdle: (() => void)[] = [];

  constructor(
    private readonly pch: LocalPchannel,
    private readonly fence: TermFence,
    private active: ActiveSegment,
    next: WalPosition,
    private readonly limits: { segmentBytes: number; maxGroupBytes: number },
  ) {
    this.nextPosition = next;
    this.durable = next - 1;
  }

  get pchannel(): string { return this.pch.name; }
  get term(): number { return this.fence.term; }
  /** False once fenced, failed or closed. */
  get alive(): boolean { return this.failure === undefined; }

  lastPosition(): WalPosition { return this.durable; }

  append(entry: WalEntry): Promise<WalPosition> {
    if (this.failure) return Promise.reject(this.failure);
    const iov: Uint8Array[] = [];
    const bytes = this.arena.frame(entry, FrameFlag.BatchBegin | FrameFlag.BatchEnd, iov);
    return new Promise<WalPosition>((resolve, reject) => {
      this.enqueue({ first: this.nextPosition++, entries: [entry], iov, bytes, one: true, resolve: resolve as Pending['resolve'], reject });
    });
  }

  appendBatch(entries: WalEntry[]): Promise<WalPosition[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (entries.length === 0) return Promise.resolve([]);
    const iov: Uint8Array[] = [];
    let bytes = 0;
    entries.forEach((e, i) => {
      const flags = (i === 0 ? FrameFlag.BatchBegin : 0) | (i === entries.length - 1 ? FrameFlag.BatchEnd : 0);
      bytes += this.arena.frame(e, flags, iov);
    });
    const first = this.nextPosition;
    this.nextPosition += entries.length;
    return new Promise<WalPosition[]>((resolve, reject) => {
      this.enqueue({ first, entries, iov, bytes, one: false, resolve: resolve as Pending['resolve'], reject });
    });
  }

  private enqueue(p: Pending): void {
    this.queue.push(p);
    if (!this.writing) {
      this.writing = true;
      // Let the callers of this turn queue too, so the first group is not a group of one.
      setImmediate(() => void this.writeLoop());
    }
  }

  /** Takes queued appends up to the group cap; half of them when nothing is in flight. */
  private takeGroup(): { group: Pending[]; bytes: number } {
    const idle = !this.syncRunning && this.written.length === 0;
    const most = idle && this.queue.length > 1 ? Math.ceil(this.queue.length / 2) : this.queue.length;
    let n = 0;
    let bytes = 0;
    while (n < most && (n === 0 || bytes + this.queue[n]!.bytes <= this.limits.maxGroupBytes)) bytes += this.queue[n++]!.bytes;
    return { group: this.queue.splice(0, n), bytes };
  }

  private async writeLoop(): Promise<void> {
    while (this.queue.length > 0 && !this.failure) {
      const { group, bytes } = this.takeGroup();
      try {
        const w = await this.write(group, bytes);
        if (this.failure) throw this.failure; // the sync loop failed meanwhile
        this.written.push(w);
        this.kickSync();
      } catch (e) {
        this.fail(e, group);
      }
    }
    this.writing = false;
    if (this.failure) this.fail(this.failure, []);
    this.maybeDrained();
  }

  /** Fence check, roll if the segment is full, one writev. */
  private async write(group: Pending[], bytes: number): Promise<Written> {
    this.fence.check();
    if (this.active.size > 0 && this.active.size + bytes > this.limits.segmentBytes) {
      // Only the last segment may ever hold unsynced bytes: a crash then leaves a
      // torn tail and never a gap inside the chain.
      while (this.syncRunning || this.written.length > 0) await new Promise<void>((r) => this.syncIdle.push(r));
      this.fence.check();
      const old = this.active;
      this.active = await this.pch.create(group[0]!.first, this.fence.term);
      this.active.file.owned = true;
      old.file.owned = false;
      await closeFd(old.fd);
      old.fd = -1;
    }
    const seg = this.active;
    const base = seg.size;
    const iov = group.length === 1 ? group[0]!.iov : group.flatMap((p) => p.iov);
    seg.size = base + bytes;
    await writevAt(seg.fd, coalesce(iov), base);
    this.stats.writes++;
    return { group, seg, base, bytes };
  }

  private kickSync(): void {
    if (!this.syncRunning && this.written.length > 0) {
      this.syncRunning = true;
      void this.syncRound();
    }
  }

  /** One fdatasync (per segment touched) for every written group, the fence again, then acknowledgements. */
  private async syncRound(): Promise<void> {
    const batch = this.written.splice(0);
    try {
      let fd = -1;
      for (const w of batch) if (w.seg.fd !== fd) { fd = w.seg.fd; await datasync(fd); }
      this.fence.check();
    } catch (e) {
      this.syncRunning = false;
      this.fail(e, batch.flatMap((w) => w.group));
      this.maybeDrained();
      return;
    }
    this.syncRunning = false;
    this.stats.commits++;
    this.kickSync(); // before our callers run, so their work overlaps the next sync
    for (const w of batch) this.commit(w.group, w.seg, w.base, w.bytes);
    this.maybeDrained();
  }

  private maybeDrained(): void {
    if (!this.syncRunning && this.written.length === 0) for (const r of this.syncIdle.splice(0)) r();
    if (this.busy) return;
    for (const d of this.drained.splice(0)) d();
  }

  /** The group is durable: index it, buffer it, acknowledge it in call order. */
  private commit(group: Pending[], seg: ActiveSegment, base: number, bytes: number): void {
    const offsets: number[] = [];
    const records: WalRecord[] = [];
    let at = base;
    for (const p of group) {
      p.entries.forEach((e, i) => {
        offsets.push(at);
        at += FRAME_HEADER + e.payload.length;
        records.push({ position: p.first + i, tso: e.tso, payload: e.payload });
      });
    }
    seg.file.addSynced(offsets, base + bytes);
    this.durable = records[records.length - 1]!.position;
    this.stats.entries += records.length;
    this.stats.bytes += bytes;
    this.pch.buffer.push(records);
    for (const p of group) {
      if (p.one) p.resolve(p.first);
      else p.resolve(p.entries.map((_, i) => p.first + i));
    }
  }

  /**
   * Fails `group` and everything after it: written groups not yet synced (unless a
   * sync round has them) and the queue. The first failure is what callers see.
   */
  private fail(e: unknown, group: Pending[]): void {
    this.failure ??= e instanceof NuthatchError ? e
      : new NuthatchError('WalUnavailable', `pchannel ${this.pch.name}: write failed: ${asNuthatchError(e).message}`, { pchannel: this.pch.name }, e);
    const err = this.failure;
    for (const p of group) p.reject(err);
    if (!this.syncRunning) for (const w of this.written.splice(0)) for (const p of w.group) p.reject(err);
    for (const p of this.queue.splice(0)) p.reject(err);
    // What we wrote but did not acknowledge is judged by the chain, like anyone else's bytes.
    this.active.file.owned = false;
    this.pch.writerStopped(this);
  }

  private get busy(): boolean {
    return this.writing || this.syncRunning || this.written.length > 0 || this.queue.length > 0;
  }

  /** Waits for queued appends, then releases the segment and the fence. Idempotent. */
  async close(): Promise<void> {
    if (this.busy) await new Promise<void>((r) => this.drained.push(r));
    if (!this.failure) {
      this.failure = new NuthatchError('WalUnavailable', `pchannel ${this.pch.name}: writer closed`, { pchannel: this.pch.name });
      this.pch.writerStopped(this);
    }
    if (this.active.fd >= 0) {
      const fd = this.active.fd;
      this.active.fd = -1;
      this.active.file.owned = false;
      this.fence.close();
      this.pch.opened.delete(this);
      await closeFd(fd);
    }
  }
}
