/**
 * The `local` WAL backend (DESIGN.md section 6): one directory per pchannel under
 * a root. Several processes may open the same root: fencing, reads and tails all
 * go through the files.
 *
 *   <root>/<pchannel>/
 *     <first position>-<term>.wal   segment files of framed entries (frame.ts),
 *                                   the chain rule in segmentChain.ts
 *     spare-<term>-<pid>-<n>.wal.next
 *                                   the next segment's file, opened ahead; renamed
 *                                   into the chain when the segment starts
 *     term-<T>, term                fencing (termFence.ts)
 *
 * Writes: LocalWalWriter -> GroupCommit (group commit: one fdatasync per round,
 * or O_DSYNC writes for small rounds; acknowledgements in order). Reads: LocalPchannel -> SegmentFile (offset index, crc checked on
 * every read). Tails: the write-ahead buffer, fed by our writer or, for another
 * process's writer, by ForeignFollower (fs.watch plus a slow safety poll).
 */
import { join } from 'node:path';
import { Observable } from 'rxjs';
import { NuthatchError } from '../../../messages/errors.js';
import type { WalBackend, WalPosition, WalRecord, WalWriter } from '../../ports/walBackend.js';
import { ForeignFollower } from './ForeignFollower.js';
import { LocalPchannel, type LocalLimits } from './LocalPchannel.js';

/** Options of the local backend; every size has a default. */
export interface LocalWalOptions {
  /** A segment file is closed and a new one started past this size (default 256 MiB, as Woodpecker rolls). */
  segmentBytes?: number;
  /** Most bytes one group commit writes (default 16 MiB; one append may exceed it alone). */
  maxGroupBytes?: number;
  /**
   * Queued bytes that make a write go out before the current turn ends, at most
   * (default 2 MiB; the pipeline lowers it to a quarter of a sync round): the
   * kernel copies a burst's first frames while later ones are framed. 2 MiB
   * against 4 MiB, alternated runs (`npm run bench -- walTune`): 1.06-1.12x at
   * 64 KB appends; at 1 MB ahead in some runs and behind in others (0.94 vs
   * 0.99 of raw in bench/results/walTune.json); the same at 1 KB.
   */
  writeChunkBytes?: number;
  /** Byte cap of each pchannel's write-ahead buffer (default 64 MiB). */
  bufferBytes?: number;
  /** Safety poll of tails that follow another process's writer (default 500 ms; fs.watch does the rest). */
  pollMs?: number;
}

const PCHANNEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export class LocalWalBackend implements WalBackend {
  readonly kind = 'local' as const;
  private readonly pchannels = new Map<string, { pch: LocalPchannel; follower: ForeignFollower }>();
  private readonly limits: LocalLimits;
  private readonly pollMs: number;
  private closed = false;

  constructor(readonly root: string, opts: LocalWalOptions = {}) {
    this.limits = {
      segmentBytes: opts.segmentBytes ?? 256 * 1024 * 1024,
      maxGroupBytes: opts.maxGroupBytes ?? 16 * 1024 * 1024,
      writeChunkBytes: opts.writeChunkBytes ?? 2 * 1024 * 1024,
      bufferBytes: opts.bufferBytes ?? 64 * 1024 * 1024,
    };
    this.pollMs = opts.pollMs ?? 500;
  }

  private get(name: string): { pch: LocalPchannel; follower: ForeignFollower } {
    if (this.closed) throw new NuthatchError('WalUnavailable', 'the local WAL backend is closed');
    if (!PCHANNEL_NAME.test(name)) throw new NuthatchError('InvalidArgument', `bad pchannel name ${JSON.stringify(name)}`);
    let p = this.pchannels.get(name);
    if (!p) {
      const pch = new LocalPchannel(name, join(this.root, name), this.limits);
      const follower = new ForeignFollower(pch, this.pollMs);
      pch.onWriterStopped = () => follower.poll();
      p = { pch, follower };
      this.pchannels.set(name, p);
    }
    return p;
  }

  async openWriter(pchannel: string, term: number): Promise<WalWriter> {
    return this.get(pchannel).pch.openWriter(term);
  }

  read(pchannel: string, from: WalPosition, to?: WalPosition): AsyncIterable<WalRecord[]> {
    return this.get(pchannel).pch.read(from, to);
  }

  tail(pchannel: string, from: WalPosition): Observable<WalRecord> {
    return new Observable<WalRecord>((sub) => {
      const { pch, follower } = this.get(pchannel);
      let stopped = false;
      let inner: { unsubscribe(): void } | undefined;
      follower.start().then(() => {
        if (!stopped) inner = pch.buffer.follow(from, (a, b) => pch.read(a, b)).subscribe(sub);
      }, (e: unknown) => sub.error(e));
      return () => {
        stopped = true;
        inner?.unsubscribe();
        follower.stop();
      };
    });
  }

  async lastPosition(pchannel: string): Promise<WalPosition> {
    return (await this.get(pchannel).pch.end()) - 1;
  }

  truncate(pchannel: string, before: WalPosition): Promise<void> {
    return this.get(pchannel).pch.truncate(before);
  }

  firstPosition(pchannel: string): Promise<WalPosition> {
    return this.get(pchannel).pch.firstPosition();
  }

  /** The writer of this instance for a pchannel, if open (the benchmark reads its stats). */
  writerOf(pchannel: string): WalWriter | undefined {
    return this.pchannels.get(pchannel)?.pch.writer;
  }

  /** Closes every writer this instance opened and stops every tail. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const { pch, follower } of this.pchannels.values()) {
      follower.close();
      for (const w of [...pch.opened]) await w.close();
    }
  }
}
