/**
 * One segment file and its in-memory offset index (where each record's frame
 * starts, and where each block lies: frame.ts). The index grows two ways: the
 * local writer adds what it has synced, and `extend()` scans bytes written by
 * someone else (another process, or a writer that crashed), keeping only whole
 * batches and blocks with good checksums. Reads go through the index in batches
 * of about 1 MiB, widened to whole blocks, and check every crc again.
 */
import { fstatSync } from 'node:fs';
import { NuthatchError } from '../../../messages/errors.js';
import type { WalRecord } from '../../ports/walBackend.js';
import { scanFrames } from './frame.js';
import { closeFd, openFd, readAt } from './fsUtil.js';
import type { SegmentName } from './segmentChain.js';

const READ_CHUNK = 1 << 20;

export class SegmentFile {
  readonly name: string;
  readonly first: number;
  readonly term: number;
  /** Records this segment may hold: up to the next live segment's first position. */
  limit = Infinity;
  /** Set while a writer of this process appends here: the index is then the truth and nothing is scanned. */
  owned = false;
  private offsets = new Float64Array(1024);
  private indexed = 0;
  /** Each indexed block's [start, end) byte offsets, flattened, in order. */
  private blocks = new Float64Array(64);
  private blockBounds = 0;
  /** Byte offset just after the last indexed record. */
  validEnd = 0;
  private extending: Promise<void> | undefined;
  /** Bytes one scan reads; grows past the largest frame seen. */
  private scanWant = READ_CHUNK;

  constructor(readonly path: string, n: SegmentName) {
    this.name = n.name;
    this.first = n.first;
    this.term = n.term;
  }

  /** Records known good, capped by the chain. */
  get count(): number { return Math.min(this.indexed, this.limit); }

  /**
   * Adds records synced from byte `base` to `end`: the first `count` frame
   * offsets, and their blocks' bounds (flattened [start, end) pairs, each
   * plus `base`).
   */
  addSynced(frameOffsets: ArrayLike<number>, end: number, count: number, blocks: ArrayLike<number>, base: number): void {
    if (count === 0 || base !== this.validEnd) return; // a scan got there first
    this.offsets = withRoom(this.offsets, this.indexed, count);
    for (let i = 0; i < count; i++) this.offsets[this.indexed++] = frameOffsets[i]!;
    this.blocks = withRoom(this.blocks, this.blockBounds, blocks.length);
    for (let i = 0; i < blocks.length; i++) this.blocks[this.blockBounds++] = blocks[i]! + base;
    this.validEnd = end;
  }

  /** Scans everything past the indexed end for whole, good batches (recovery, lastPosition). */
  async extend(): Promise<void> {
    while ((await this.extendChunk()) !== undefined);
  }

  /**
   * Scans one chunk past the indexed end (another writer's appends, or a torn
   * tail), indexes the whole good batches in it and returns their records;
   * undefined when there is nothing more (or the index is the writer's).
   */
  extendChunk(): Promise<WalRecord[] | undefined> {
    if (this.owned || this.indexed >= this.limit) return Promise.resolve(undefined);
    const run = (this.extending ?? Promise.resolve()).then(() => this.scanChunk());
    this.extending = run.then(() => undefined, () => undefined);
    return run;
  }

  private async scanChunk(): Promise<WalRecord[] | undefined> {
    if (this.owned || this.indexed >= this.limit) return undefined;
    const fd = await openFd(this.path, 'r').catch((e: NodeJS.ErrnoException) => { if (e.code === 'ENOENT') return -1; throw e; });
    if (fd < 0) return undefined;
    try {
      const size = fstatSync(fd).size;
      for (;;) {
        const want = Math.min(this.scanWant, size - this.validEnd);
        if (want <= 0) return undefined;
        const buf = await readAt(fd, this.validEnd, want);
        const r = scanFrames(buf, 0, this.first + this.indexed, this.limit - this.indexed, true);
        if (r.stop === 'newer' && r.records.length === 0) {
          // Not a torn tail: cutting it would destroy what a newer nuthatch wrote.
          throw new NuthatchError('StorageMismatch', `segment ${this.path}: the frame at byte ${this.validEnd + r.end} is of a newer WAL format than this nuthatch reads; open it with the version that wrote it`, { path: this.path, at: this.validEnd + r.end });
        }
        if (r.records.length > 0) {
          const base = this.validEnd;
          this.addSynced(r.offsets.map((o) => base + o), base + r.end, r.offsets.length, r.blocks, base);
          return r.records;
        }
        // A frame (or batch) longer than the chunk: read more, unless the file ends first.
        if (r.stop !== 'more' || buf.length < want || this.validEnd + want >= size) return undefined;
        this.scanWant = Math.max(want * 2, r.need);
      }
    } finally { await closeFd(fd); }
  }

  /**
   * Reads records [from, to) of this segment in batches: through the index where
   * it reaches, then by scanning further (unless a writer of ours owns the file).
   */
  async *read(from: number, to: number): AsyncGenerator<WalRecord[]> {
    let next = from;
    while (next < to) {
      if (next < this.first + this.count) {
        for await (const batch of this.readIndexed(next, Math.min(to, this.first + this.count))) {
          yield batch;
          next = batch[batch.length - 1]!.position + 1;
        }
        continue;
      }
      const more = await this.extendChunk();
      if (!more) { if (next < this.first + this.count) continue; return; }
      if (more[0]!.position > next) continue; // another reader indexed what we need: read it through the index
      const part = more.filter((r) => r.position >= next && r.position < to);
      if (part.length > 0) { yield part; next = part[part.length - 1]!.position + 1; }
    }
  }

  private async *readIndexed(from: number, stop: number): AsyncGenerator<WalRecord[]> {
    const fd = await openFd(this.path, 'r');
    try {
      let i = from - this.first;
      const last = stop - this.first;
      while (i < last) {
        // Take records while they fit in a chunk, always at least one, then
        // widen the read to whole blocks: a block's frames are checked only by it.
        let k = i + 1;
        while (k < last && this.offsetOf(k + 1) - this.offsets[i]! <= READ_CHUNK) k++;
        let s = i;
        let start = this.offsets[i]!;
        const head = this.blockAround(start);
        if (head >= 0) { start = this.blocks[head]!; s = this.recordFrom(start); }
        let end = this.offsetOf(k);
        const tail = this.blockAround(this.offsets[k - 1]!);
        if (tail >= 0 && this.blocks[tail + 1]! > end) { end = this.blocks[tail + 1]!; k = this.recordFrom(end); }
        const buf = await readAt(fd, start, end - start);
        const r = scanFrames(buf, 0, this.first + s, k - s, false);
        if (r.records.length !== k - s) {
          throw new NuthatchError('WalUnavailable', `segment ${this.path}: record ${this.first + s + r.records.length} is unreadable (${r.stop})`, { path: this.path });
        }
        yield s === i && k <= last ? r.records : r.records.slice(i - s, Math.min(k, last) - s);
        i = k;
      }
    } finally { await closeFd(fd); }
  }

  /** The index in `blocks` of the block holding byte `at`, or -1. */
  private blockAround(at: number): number {
    let lo = 0;
    let hi = this.blockBounds / 2; // blocks [lo, hi) may start at or before `at`
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.blocks[2 * mid]! <= at) lo = mid + 1; else hi = mid;
    }
    const b = 2 * (lo - 1);
    return b >= 0 && at < this.blocks[b + 1]! ? b : -1;
  }

  /** The index of the first record whose frame starts at or after byte `at` (indexed when none). */
  private recordFrom(at: number): number {
    let lo = 0;
    let hi = this.indexed;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.offsets[mid]! < at) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** Byte offset where record index `i` starts (validEnd for one past the last). */
  private offsetOf(i: number): number {
    return i < this.indexed ? this.offsets[i]! : this.validEnd;
  }
}

/** `a` if it has room for `more` after its first `used` entries, else a copy of those in a larger array. */
function withRoom(a: Float64Array<ArrayBuffer>, used: number, more: number): Float64Array<ArrayBuffer> {
  if (used + more <= a.length) return a;
  const grown = new Float64Array(Math.max(used + more, a.length * 2));
  grown.set(a.subarray(0, used));
  return grown;
}
