/**
 * One segment file and its in-memory offset index (where each record's frame
 * starts). The index grows two ways: the local writer adds what it has synced,
 * and `extend()` scans bytes written by someone else (another process, or a
 * writer that crashed), keeping only whole batches with good checksums. Reads go
 * through the index in batches of about 1 MiB and check every crc again.
 */
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
  /** Byte offset just after the last indexed record. */
  validEnd = 0;
  private extending: Promise<void> | undefined;

  constructor(readonly path: string, n: SegmentName) {
    this.name = n.name;
    this.first = n.first;
    this.term = n.term;
  }

  /** Records known good, capped by the chain. */
  get count(): number { return Math.min(this.indexed, this.limit); }

  /** Adds records the local writer has synced: frame offsets, and the byte end after the last. */
  addSynced(frameOffsets: ArrayLike<number>, end: number): void {
    if (frameOffsets.length === 0 || frameOffsets[0] !== this.validEnd) return; // a scan got there first
    this.reserve(this.indexed + frameOffsets.length);
    for (let i = 0; i < frameOffsets.length; i++) this.offsets[this.indexed++] = frameOffsets[i]!;
    this.validEnd = end;
  }

  private reserve(n: number): void {
    if (n <= this.offsets.length) return;
    const grown = new Float64Array(Math.max(n, this.offsets.length * 2));
    grown.set(this.offsets.subarray(0, this.indexed));
    this.offsets = grown;
  }

  /** Scans past the indexed end for whole, good batches (another writer's appends or a torn tail). */
  extend(): Promise<void> {
    if (this.owned || this.indexed >= this.limit) return Promise.resolve();
    this.extending ??= this.scan().finally(() => { this.extending = undefined; });
    return this.extending;
  }

  private async scan(): Promise<void> {
    const fd = await openFd(this.path, 'r').catch((e: NodeJS.ErrnoException) => { if (e.code === 'ENOENT') return -1; throw e; });
    if (fd < 0) return;
    try {
      let want = READ_CHUNK;
      while (this.indexed < this.limit) {
        const buf = await readAt(fd, this.validEnd, want);
        const r = scanFrames(buf, 0, this.first + this.indexed, this.limit - this.indexed, true);
        const base = this.validEnd;
        this.addSynced(r.offsets.map((o) => base + o), base + r.end);
        if (r.stop !== 'more' || buf.length < want) return; // bad frame, limit, or end of file
        want = r.end > 0 ? READ_CHUNK : Math.max(want * 2, r.need);
      }
    } finally { await closeFd(fd); }
  }

  /** Reads records [from, to) of this segment in batches, within what is indexed (extend first). */
  async *read(from: number, to: number): AsyncGenerator<WalRecord[]> {
    const stop = Math.min(to, this.first + this.count);
    if (from >= stop) return;
    const fd = await openFd(this.path, 'r');
    try {
      let i = from - this.first;
      const last = stop - this.first;
      while (i < last) {
        const start = this.offsets[i]!;
        // Take records while they fit in a chunk, always at least one.
        let k = i + 1;
        while (k < last && this.offsetOf(k + 1) - start <= READ_CHUNK) k++;
        const bytes = this.offsetOf(k) - start;
        const buf = await readAt(fd, start, bytes);
        const r = scanFrames(buf, 0, this.first + i, k - i, false);
        if (r.records.length !== k - i) {
          throw new NuthatchError('WalUnavailable', `segment ${this.path}: record ${this.first + i + r.records.length} is unreadable (${r.stop})`, { path: this.path });
        }
        yield r.records;
        i = k;
      }
    } finally { await closeFd(fd); }
  }

  /** Byte offset where record index `i` starts (validEnd for one past the last). */
  private offsetOf(i: number): number {
    return i < this.indexed ? this.offsets[i]! : this.validEnd;
  }
}
