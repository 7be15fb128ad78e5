import { ValidationError } from '../../messages/errors.js';
import { LIMITS } from '../../messages/schema.js';

/**
 * What query and search iterators share: batches of `batchSize` items, at most
 * `limit` in all, fetched one after another from a source that keeps a cursor
 * (a primary key, a distance), as pymilvus's iterators behave: `next()` answers
 * a batch, an empty one once done; `close()` ends it; `for await` walks it.
 */

/** Where the items come from: the next ones past a cursor, which `advance` moves. */
export interface PageSource<T> {
  /** The next `n` items past the cursor, fewer only when there are no more (unless `shortIsEnd` is false). */
  fetch(n: number): Promise<T[]>;
  /**
   * Whether a fetch answering fewer than asked means no more (default true). An ANN index may answer a
   * ranged search with fewer than asked while rows remain, so a search iterator ends only at an empty fetch.
   */
  readonly shortIsEnd?: boolean;
  /** Moves the cursor past a batch just returned. */
  advance(batch: readonly T[]): void;
}

/** Checks an iterator's batch size (1..maxTopK) and limit (-1 or absent: no limit; else a count of items). */
export function iteratorSizes(batchSize: unknown, limit: unknown): { batchSize: number; limit: number } {
  if (!Number.isInteger(batchSize) || (batchSize as number) < 1 || (batchSize as number) > LIMITS.maxTopK) {
    throw new ValidationError(`batchSize must be an integer in 1..${LIMITS.maxTopK}, got ${String(batchSize)}`, { field: 'batchSize' });
  }
  if (limit === undefined || limit === -1) return { batchSize: batchSize as number, limit: -1 };
  if (!Number.isSafeInteger(limit) || (limit as number) < 0) throw new ValidationError(`limit must be -1 (no limit) or a non-negative integer, got ${String(limit)}`, { field: 'limit' });
  return { batchSize: batchSize as number, limit: limit as number };
}

export class BatchIterator<T> implements AsyncIterable<T[]> {
  private count: number;
  private finished = false;
  private readonly finishers: Array<() => void> = [];
  /** Batches are fetched one after another: a second next() waits for the first to move the cursor. */
  private queue: Promise<unknown> = Promise.resolve();

  /** `returned`: items a resumed iteration already returned (counted against the limit). */
  constructor(private readonly source: PageSource<T>, readonly batchSize: number, readonly limit: number, returned = 0) {
    this.count = returned;
  }

  /** Items returned so far. */
  get returned(): number { return this.count; }
  /** No batch is left (or close() was called). */
  get done(): boolean { return this.finished; }

  /** The next batch (batchSize items, or fewer at the end); an empty list once done. */
  next(): Promise<T[]> {
    const batch = this.queue.then(() => this.batch());
    this.queue = batch.catch(() => {});
    return batch;
  }

  /** Ends the iteration: next() answers with an empty list from now on. */
  close(): void { this.finish(); }

  /** Runs `fn` once the iteration ends, by close() or by running out (a snapshot hold is given back then). */
  onFinish(fn: () => void): this {
    if (this.finished) fn(); else this.finishers.push(fn);
    return this;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const fn of this.finishers.splice(0)) fn();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T[]> {
    try {
      for (;;) {
        const batch = await this.next();
        if (batch.length === 0) return;
        yield batch;
      }
    } finally { this.close(); }
  }

  private async batch(): Promise<T[]> {
    const left = this.limit < 0 ? Infinity : this.limit - this.count;
    const want = Math.min(this.batchSize, left);
    if (this.finished || want <= 0) { this.finish(); return []; }
    // One item more than the batch, when the limit allows more: it tells whether another batch exists.
    const probe = want < left ? want + 1 : want;
    const items = await this.source.fetch(probe);
    if (this.finished) return [];
    const batch = items.slice(0, want);
    if (items.length === 0 || (items.length < probe && this.source.shortIsEnd !== false) || want === left) this.finish();
    this.source.advance(batch);
    this.count += batch.length;
    return batch;
  }
}
