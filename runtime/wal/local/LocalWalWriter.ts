/**
 * The writer of one pchannel: group commit over segment files.
 *
 * append() frames the entry at once (crc and header; the payload is not copied)
 * and queues it with its position. One loop takes everything queued, checks the
 * fence, writes it with one positional writev, runs ONE fdatasync, checks the
 * fence again, and only then indexes the records, hands them to the write-ahead
 * buffer and resolves the callers in call order. While a sync is in flight the
 * next group forms. A failure (Fenced, or an I/O error) fails the group and every
 * later append: positions were handed out in order, so the writer cannot go on.
 */
import { NuthatchError, asNuthatchError } from '../../../messages/errors.js';
import type { WalEntry, WalPosition, WalRecord, WalWriter } from '../../ports/walBackend.js';
import { FRAME_HEADER, FrameFlag, frameHeader } from './frame.js';
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

/** Counters the benchmark reads to size its raw baseline like the groups formed here. */
export interface GroupCommitStats { commits: number; entries: number; bytes: number }

/** Where the writer appends: the segment, its descriptor and its size. */
export interface ActiveSegment { file: SegmentFile; fd: number; size: number }

export class LocalWalWriter implements WalWriter {
  readonly stats: GroupCommitStats = { commits: 0, entries: 0, bytes: 0 };
  private queue: Pending[] = [];
  private running = false;
  private failure: NuthatchError | undefined;
  private nextPosition: WalPosition;
  private durable: WalPosition;
  private drained: (() => void)[] = [];

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
    const h = frameHeader(entry, FrameFlag.BatchBegin | FrameFlag.BatchEnd);
    return new Promise<WalPosition>((resolve, reject) => {
      this.enqueue({ first: this.nextPosition++, entries: [entry], iov: [h, entry.payload], bytes: FRAME_HEADER + entry.payload.length, one: true, resolve: resolve as Pending['resolve'], reject });
    });
  }

  appendBatch(entries: WalEntry[]): Promise<WalPosition[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (entries.length === 0) return Promise.resolve([]);
    const iov: Uint8Array[] = [];
    let bytes = 0;
    entries.forEach((e, i) => {
      const flags = (i === 0 ? FrameFlag.BatchBegin : 0) | (i === entries.length - 1 ? FrameFlag.BatchEnd : 0);
      iov.push(frameHeader(e, flags), e.payload);
      bytes += FRAME_HEADER + e.payload.length;
    });
    const first = this.nextPosition;
    this.nextPosition += entries.length;
    return new Promise<WalPosition[]>((resolve, reject) => {
      this.enqueue({ first, entries, iov, bytes, one: false, resolve: resolve as Pending['resolve'], reject });
    });
  }

  private enqueue(p: Pending): void {
    this.queue.push(p);
    if (!this.running) {
      this.running = true;
      // Let the callers of this turn queue too, so the first group is not a group of one.
      setImmediate(() => void this.loop());
    }
  }

  private takeGroup(): { group: Pending[]; bytes: number } {
    let n = 0;
    let bytes = 0;
    while (n < this.queue.length && (n === 0 || bytes + this.queue[n]!.bytes <= this.limits.maxGroupBytes)) bytes += this.queue[n++]!.bytes;
    return { group: this.queue.splice(0, n), bytes };
  }

  private async loop(): Promise<void> {
    while (this.queue.length > 0 && !this.failure) {
      const { group, bytes } = this.takeGroup();
      let base: number;
      try {
        this.fence.check();
        if (this.active.size > 0 && this.active.size + bytes > this.limits.segmentBytes) {
          this.active = await this.pch.roll(this.active, group[0]!.first, this.fence.term);
        }
        base = this.active.size;
        const iov = group.length === 1 ? group[0]!.iov : group.flatMap((p) => p.iov);
        await writevAt(this.active.fd, iov, base);
        this.active.size = base + bytes;
        await datasync(this.active.fd);
        this.fence.check();
      } catch (e) {
        this.fail(e, group);
        break;
      }
      this.commit(group, base, bytes);
    }
    this.running = false;
    if (this.failure) this.rejectQueued();
    for (const d of this.drained.splice(0)) d();
  }

  /** The group is durable: index it, buffer it, acknowledge it in call order. */
  private commit(group: Pending[], base: number, bytes: number): void {
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
    this.active.file.addSynced(offsets, base + bytes);
    this.durable = records[records.length - 1]!.position;
    this.stats.commits++;
    this.stats.entries += records.length;
    this.stats.bytes += bytes;
    this.pch.buffer.push(records);
    for (const p of group) {
      if (p.one) p.resolve(p.first);
      else p.resolve(p.entries.map((_, i) => p.first + i));
    }
  }

  private fail(e: unknown, group: Pending[]): void {
    const err = e instanceof NuthatchError ? e
      : new NuthatchError('WalUnavailable', `pchannel ${this.pch.name}: write failed: ${asNuthatchError(e).message}`, { pchannel: this.pch.name }, e);
    this.failure = err;
    for (const p of group) p.reject(err);
    // What we wrote but did not acknowledge is judged by the chain, like anyone else's bytes.
    this.active.file.owned = false;
    this.pch.writerStopped(this);
  }

  private rejectQueued(): void {
    for (const p of this.queue.splice(0)) p.reject(this.failure);
  }

  /** Waits for queued appends, then releases the segment and the fence. Idempotent. */
  async close(): Promise<void> {
    if (this.running) await new Promise<void>((r) => this.drained.push(r));
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
