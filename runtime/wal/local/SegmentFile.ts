/**
 * One segment file and its in-memory offset index (where each record's frame
 * starts). The index grows two ways: the local writer adds what it has synced,
 * and `extend()` scans bytes written by someone else (another process, or a
 * writer that crashed), keeping only whole batches with good checksums. Reads go
 * through the index in batches of about 1 MiB and check every crc again.
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

  /** Adds records the local writer has synced: the first `count` frame offsets, and the byte end after the last. */
  addSynced(frameOffsets: ArrayLike<number>, end: number, count = frameOffsets.length): void {
    if (count === 0 || frameOffsets[0] !== this.validEnd) return; // a scan got there first
    this.reserve(this.indexed + count);
    for (let i = 0; i < count; i++) this.offsets[this.indexed++] = frameOffsets[i]!;
    this.validEnd = end;
  }

  private reserve(n: number): void {
    if (n <= this.offsets.length) return;
    const grown = new Float64Array(Math.max(n, this.offsets.length * 2));
    grown.set(this.offsets.subarray(0, this.indexed));
    this.offsets = grown;
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
        if (r.records.length > 0) {
          const base = this.validEnd;
          this.addSynced(r.offsets.map((o) => base + o), base + r.end);
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
        const start = this.offsets[i]!;
        // Take records while they fit in a chunk, always at least one.
        let k = i + 1;
        while (k < last && this.offsetOf(k + 1) - start <= READ_CHUNK) k++;
        const buf = await readAt(fd, start, this.offsetOf(k) - start);
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
