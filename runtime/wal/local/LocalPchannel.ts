/**
 * What one backend instance knows about one pchannel directory: the live chain of
 * segment files (re-listed from disk whenever another process may have changed
 * it), the write-ahead buffer, and the writer of this process if there is one.
 * Opening a writer claims the term, recovers the torn tail and picks the segment
 * to append to; reading walks the chain.
 */
import { constants } from 'node:fs';
import { mkdir, readdir, rename, truncate as truncateFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { NuthatchError } from '../../../messages/errors.js';
import type { WalPosition, WalRecord } from '../../ports/walBackend.js';
import { WriteAheadBuffer } from '../writeAheadBuffer.js';
import { closeFd, fullSync, openFd, syncDir } from './fsUtil.js';
import { closeSegment } from './GroupCommit.js';
import { LocalWalWriter, type ActiveSegment } from './LocalWalWriter.js';
import { liveChain, parseSegmentName, segmentFileName } from './segmentChain.js';
import { SegmentFile } from './SegmentFile.js';
import { TermFence } from './termFence.js';

/** Suffix of a segment written but not yet part of the chain (nothing in it is acknowledged), or of a spare. */
const PROVISIONAL = '.next';

let spareCount = 0;

/** A segment file's two descriptors: plain (writes then fdatasync) and O_DSYNC (each write durable on return). */
interface SegmentFds { fd: number; dsyncFd: number }

/** Opens both descriptors of a segment file (creating it exclusively when `create`). */
async function openSegment(path: string, create: boolean): Promise<SegmentFds> {
  const fd = await openFd(path, create ? 'wx' : 'r+');
  try {
    return { fd, dsyncFd: await openFd(path, constants.O_RDWR | constants.O_DSYNC) };
  } catch (e) {
    await closeFd(fd);
    throw e;
  }
}

/** Sizes the local backend is configured with. */
export interface LocalLimits { segmentBytes: number; maxGroupBytes: number; writeChunkBytes: number; bufferBytes: number }

export class LocalPchannel {
  readonly buffer: WriteAheadBuffer;
  writer: LocalWalWriter | undefined;
  /** Every writer opened here and not yet closed (fenced ones too: they hold descriptors). */
  readonly opened = new Set<LocalWalWriter>();
  private segments: SegmentFile[] = [];
  private readonly known = new Map<string, SegmentFile>();
  /** Files opened ahead for the next segment of each live writer, by term. */
  private readonly spares = new Map<number, Promise<SegmentFds & { path: string }>>();

  constructor(readonly name: string, readonly dir: string, private readonly limits: LocalLimits) {
    this.buffer = new WriteAheadBuffer(limits.bufferBytes);
  }

  /** Re-lists the directory and rebuilds the live chain; returns it. Dead files are left alone here. */
  async refresh(): Promise<SegmentFile[]> {
    const names = await readdir(this.dir).catch((e: NodeJS.ErrnoException) => { if (e.code === 'ENOENT') return []; throw e; });
    const { live } = liveChain(names.map(parseSegmentName).filter((n) => n !== undefined));
    const chain = live.map((n) => {
      let f = this.known.get(n.name);
      if (!f) { f = new SegmentFile(join(this.dir, n.name), n); this.known.set(n.name, f); }
      return f;
    });
    chain.forEach((f, i) => { f.limit = i + 1 < chain.length ? chain[i + 1]!.first - f.first : Infinity; });
    // Forget files that are gone, but never the writer's (its index is the truth).
    for (const [k, f] of this.known) if (!f.owned && !live.some((n) => n.name === k)) this.known.delete(k);
    this.segments = chain;
    return chain;
  }

  /** The position after the last durable record (re-scanning the last segment if another process writes it). */
  async end(): Promise<WalPosition> {
    if (this.writer?.alive) return this.writer.lastPosition() + 1;
    const chain = await this.refresh();
    const last = chain[chain.length - 1];
    if (!last) return 0;
    await last.extend();
    return last.first + last.count;
  }

  async firstPosition(): Promise<WalPosition> {
    const chain = await this.refresh();
    return chain[0]?.first ?? 0;
  }

  /** Durable records [from, to), in batches, across segments. */
  async *read(from: WalPosition, to: WalPosition = Infinity): AsyncGenerator<WalRecord[]> {
    if (this.writer?.alive) to = Math.min(to, this.writer.lastPosition() + 1); // never past what is synced
    const chain = await this.refresh();
    if (chain.length === 0 || from >= to) return;
    if (from < chain[0]!.first) {
      throw new NuthatchError('NotFound', `pchannel ${this.name}: position ${from} was truncated (first is ${chain[0]!.first})`, { pchannel: this.name, from });
    }
    let next = from;
    for (let i = 0; i < chain.length && next < to; i++) {
      const seg = chain[i]!;
      const segEnd = seg.first + seg.limit;
      if (segEnd <= next) continue;
      for await (const batch of seg.read(next, to)) {
        yield batch;
        next = batch[batch.length - 1]!.position + 1;
      }
      if (i + 1 < chain.length && next < Math.min(to, segEnd)) {
        throw new NuthatchError('WalUnavailable', `pchannel ${this.name}: segment ${seg.name} ends at ${next}, before ${segEnd}`, { pchannel: this.name });
      }
    }
  }

  /**
   * Opens the writer for `term`: claim the term (fencing lower ones), find the end
   * of the log, cut the torn tail, then append to our own segment or start one.
   */
  async openWriter(term: number): Promise<LocalWalWriter> {
    if (this.writer?.alive && this.writer.term === term) {
      throw new NuthatchError('Conflict', `pchannel ${this.name}: a writer with term ${term} is already open in this backend`, { pchannel: this.name, term });
    }
    await mkdir(this.dir, { recursive: true });
    const fence = await TermFence.claim(this.dir, this.name, term);
    try {
      const chain = await this.refresh();
      await this.dropDead(term);
      await this.dropProvisional();
      const last = chain[chain.length - 1];
      let active: ActiveSegment;
      let next = 0;
      if (last) {
        await last.extend();
        next = last.first + last.count;
        await truncateFile(last.path, last.validEnd); // the torn tail, if any
      }
      if (last && last.term === term) {
        const fds = await openSegment(last.path, false);
        await fullSync(fds.fd); // what a crashed writer wrote but never synced is now part of the log
        active = { file: last, ...fds, size: last.validEnd };
      } else {
        // Sync what we adopt from the old writer before the new segment says where it ends.
        if (last) { const fd = await openFd(last.path, 'r+'); try { await fullSync(fd); } finally { await closeFd(fd); } }
        active = await this.create(next, term);
      }
      active.file.owned = true;
      this.prepareSpare(term);
      if (this.buffer.next !== next || this.buffer.length === 0) this.buffer.reset(next);
      const w = new LocalWalWriter(this, fence, active, next, this.limits);
      this.writer = w;
      this.opened.add(w);
      return w;
    } catch (e) {
      fence.close();
      throw e;
    }
  }

  /** Starts a new segment file at `first`, durably (the directory is synced), as part of the chain. */
  async create(first: number, term: number): Promise<ActiveSegment> {
    const seg = this.adopt(await this.openSpare(term), first, term);
    await this.publish(seg);
    seg.provisional = undefined;
    return seg;
  }

  /**
   * The next segment of the writer of `term`, starting at `first`, under a
   * provisional name: the spare file opened ahead if there is one (a file
   * creation waits for the journal, which our own syncs keep busy), and the
   * next spare is opened in the background.
   */
  async nextSegment(first: number, term: number): Promise<ActiveSegment> {
    const ahead = this.spares.get(term);
    this.spares.delete(term);
    const spare = (await ahead?.catch(() => undefined)) ?? (await this.openSpare(term));
    this.prepareSpare(term);
    return this.adopt(spare, first, term);
  }

  /** Opens a spare file for the writer of `term`'s next segment, in the background. */
  prepareSpare(term: number): void {
    if (this.spares.has(term)) return;
    const p = this.openSpare(term);
    p.catch(() => {}); // a failed spare is opened again when needed
    this.spares.set(term, p);
  }

  /** Closes and removes the spare of `term`'s writer (it is closing). */
  async dropSpare(term: number): Promise<void> {
    const p = this.spares.get(term);
    this.spares.delete(term);
    const spare = await p?.catch(() => undefined);
    if (spare) { await closeSegment(spare); await unlink(spare.path).catch(() => {}); }
  }

  private async openSpare(term: number): Promise<SegmentFds & { path: string }> {
    const path = join(this.dir, `spare-${term}-${process.pid}-${++spareCount}.wal${PROVISIONAL}`);
    return { path, ...(await openSegment(path, true)) };
  }

  /** Makes a spare file the segment that starts at `first`, still provisional. */
  private adopt(spare: SegmentFds & { path: string }, first: number, term: number): ActiveSegment {
    const n = { name: segmentFileName(first, term), first, term };
    const file = new SegmentFile(join(this.dir, n.name), n);
    file.owned = true;
    this.known.set(n.name, file);
    return { file, fd: spare.fd, dsyncFd: spare.dsyncFd, size: 0, provisional: spare.path };
  }

  /** Renames a provisional segment into the chain and syncs the directory. */
  async publish(seg: ActiveSegment): Promise<void> {
    if (!seg.provisional) return;
    await rename(seg.provisional, seg.file.path);
    await syncDir(this.dir);
    const prev = this.segments[this.segments.length - 1];
    if (prev && prev.first < seg.file.first) prev.limit = seg.file.first - prev.first;
    if (!this.segments.includes(seg.file)) this.segments.push(seg.file);
  }

  /** Called by the writer once it is fenced, failed or closed. */
  writerStopped(w: LocalWalWriter): void {
    if (this.writer === w) this.writer = undefined;
    this.onWriterStopped?.();
  }

  /** Set by the backend: tails must now follow whoever writes next. */
  onWriterStopped: (() => void) | undefined;

  /** Deletes whole segments that hold only records before `before`, and dead segments. */
  async truncate(before: WalPosition): Promise<void> {
    const chain = await this.refresh();
    await this.dropDead(Infinity);
    let removed = false;
    for (let i = 0; i + 1 < chain.length && chain[i + 1]!.first <= before; i++) {
      await unlink(chain[i]!.path).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'ENOENT') throw e; });
      removed = true;
    }
    if (removed) { await syncDir(this.dir); await this.refresh(); }
  }

  /** Unlinks provisional segments and spares a crashed writer left: nothing in them was acknowledged. */
  private async dropProvisional(): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const n of names) if (n.endsWith(`.wal${PROVISIONAL}`) && !this.known.get(n.slice(0, -PROVISIONAL.length))?.owned) await unlink(join(this.dir, n)).catch(() => {});
  }

  /** Unlinks segment files that are not part of the log (a stale writer's leftovers), below `term`. */
  private async dropDead(term: number): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const { dead } = liveChain(names.map(parseSegmentName).filter((n) => n !== undefined));
    for (const d of dead) if (d.term < term) await unlink(join(this.dir, d.name)).catch(() => {});
  }
}
