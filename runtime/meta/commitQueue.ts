/**
 * Orders the embedded store's operations and makes writes durable in groups: the
 * writes queued while one fdatasync runs are decided one after another against
 * memory, appended as one frame each, and synced together (group commit). Reads
 * wait behind queued writes and answer only after those are durable, so nobody
 * ever sees a change a crash could take back. A failed write to disk breaks the
 * store: memory may then be ahead of the log, so every later call fails.
 */
import { NuthatchError } from '../../messages/errors.js';
import type { KeySpace } from './keySpace.js';
import type { MetaLogFile } from './metaLogFile.js';
import { encodeRecords, type MetaRecord } from './metaRecords.js';

/** A write: given the state and the revision it would get, the records to log and the caller's result. */
export type WriteOp<T> = (ks: KeySpace, revision: number) => { records: MetaRecord[]; result: T };

interface Queued {
  write: boolean;
  run: (ks: KeySpace, revision: number) => { records: MetaRecord[]; result: unknown };
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** Compact when the log holds this many frames and four times more frames than keys. */
const COMPACT_FRAMES = 1_000;

export class CommitQueue {
  private queue: Queued[] = [];
  private running = false;
  private broken: NuthatchError | undefined;
  private closed = false;

  constructor(
    private readonly ks: KeySpace,
    private readonly log: MetaLogFile,
    /** Called with the records of each durable write, in revision order. */
    private readonly onCommit: (records: readonly MetaRecord[]) => void,
  ) {}

  write<T>(op: WriteOp<T>): Promise<T> {
    return this.enqueue(true, op) as Promise<T>;
  }

  read<T>(fn: (ks: KeySpace) => T): Promise<T> {
    return this.enqueue(false, (ks) => ({ records: [], result: fn(ks) })) as Promise<T>;
  }

  /** Waits for queued work, then refuses more. */
  async close(): Promise<void> {
    await this.read(() => undefined).catch(() => undefined);
    this.closed = true;
  }

  private enqueue(write: boolean, run: Queued['run']): Promise<unknown> {
    if (this.broken) return Promise.reject(this.broken);
    if (this.closed) return Promise.reject(new NuthatchError('Unavailable', 'metadata store closed', { reason: 'closed' }));
    return new Promise((resolve, reject) => {
      this.queue.push({ write, run, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0 && !this.broken) {
      const batch = this.queue.splice(0);
      const payloads: Uint8Array[] = [];
      const committed: MetaRecord[][] = [];
      const settle: Array<() => void> = [];
      for (const q of batch) {
        if (!q.write) {
          settle.push(() => { try { q.resolve(q.run(this.ks, this.ks.revision).result); } catch (e) { q.reject(e); } });
          continue;
        }
        try {
          const { records, result } = q.run(this.ks, this.ks.revision + 1);
          if (records.length > 0) {
            this.ks.apply(records);
            payloads.push(encodeRecords(records));
            committed.push(records);
          }
          settle.push(() => q.resolve(result));
        } catch (e) {
          settle.push(() => q.reject(e));
        }
      }
      try {
        if (payloads.length > 0) await this.log.append(payloads);
      } catch (e) {
        this.broken = new NuthatchError('Internal', `metadata log write failed: ${(e as Error).message}`, {}, e);
        for (const q of [...batch, ...this.queue.splice(0)]) q.reject(this.broken);
        break;
      }
      for (const records of committed) this.onCommit(records);
      for (const s of settle) s();
      await this.maybeCompact();
    }
    this.running = false;
  }

  /** A failed compaction loses nothing (the old log stays whole until the rename), so it is only reported. */
  private async maybeCompact(): Promise<void> {
    if (this.log.frames < COMPACT_FRAMES || this.log.frames <= 4 * this.ks.size) return;
    try {
      await this.log.rewrite([encodeRecords(this.ks.snapshot())]);
    } catch (e) {
      console.error('embeddedMeta: compaction failed (the log is intact):', e);
    }
  }
}
