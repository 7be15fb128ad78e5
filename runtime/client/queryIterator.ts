import { ValidationError } from '../../messages/errors.js';
import type { PrimaryKey } from '../../messages/schema.js';
import { physicalMs, type Tso } from '../../messages/types.js';
import type { ReadOptions, RowObject } from './api.js';
import { BatchIterator } from './batchIterator.js';

/**
 * A query iterator: pages through a query's rows in primary-key order, each
 * page the rows above the last key returned (a cursor the shards seek to, not
 * an offset they count past), every page read at one TSO pinned when the
 * iterator was made, so rows written or deleted since neither appear nor vanish.
 */

export interface QueryIteratorRequest extends ReadOptions {
  /** Rows per batch, 1..16384. */
  batchSize: number;
  /** Rows in all; -1 or absent: every row. */
  limit?: number;
  /** Resumes an iteration where `position()` of another left it (the REST cursor). */
  resume?: QueryIteratorPosition;
}

/** Where an iterator stands: enough to resume it elsewhere. */
export interface QueryIteratorPosition {
  /** The TSO every page reads at. */
  snapshotTso: Tso;
  /** The last key returned; absent before the first batch. */
  after?: PrimaryKey;
  /** Rows returned so far (counted against the limit). */
  returned: number;
  /** The snapshot hold the walk renews (snapshotLease.ts), when it took one. */
  holdId?: number;
}

/** The rows above `after` at the pinned TSO, over every shard, in key order: at most `limit`. */
export type RowsAfter = (after: PrimaryKey | undefined, limit: number) => Promise<RowObject[]>;

/** A resumed position must be one an iterator of this collection could have left (it may come from a REST client). */
export function checkPosition(p: QueryIteratorPosition, pkType: string): void {
  if (typeof p.snapshotTso !== 'bigint' || p.snapshotTso <= 0n) throw new ValidationError('a query cursor needs its snapshot TSO', { field: 'cursor' });
  // A TSO ahead of the clock would hold every page until the shards serve that TSO.
  if (physicalMs(p.snapshotTso) > Date.now() + 60_000) throw new ValidationError('a query cursor names a TSO in the future', { field: 'cursor' });
  if (p.after !== undefined && typeof p.after !== (pkType === 'Int64' ? 'number' : 'string')) throw new ValidationError(`a query cursor's key must be ${pkType === 'Int64' ? 'an integer' : 'a string'}`, { field: 'cursor' });
  if (!Number.isSafeInteger(p.returned) || p.returned < 0) throw new ValidationError('a query cursor counts the rows it returned', { field: 'cursor' });
  if (p.holdId !== undefined && !(Number.isSafeInteger(p.holdId) && p.holdId > 0)) throw new ValidationError('a query cursor\'s snapshot hold is a positive integer', { field: 'cursor' });
}

export class QueryIterator extends BatchIterator<RowObject> {
  private readonly cursor: { after?: PrimaryKey };

  /** `pkName`: where a row holds its key (every row returned holds it). */
  constructor(rowsAfter: RowsAfter, pkName: string, batchSize: number, limit: number, readonly snapshotTso: Tso, resume?: QueryIteratorPosition, private readonly hold?: () => number | undefined) {
    const cursor: { after?: PrimaryKey } = resume?.after !== undefined ? { after: resume.after } : {};
    super({
      fetch: (n) => rowsAfter(cursor.after, n),
      advance: (batch) => { if (batch.length > 0) cursor.after = batch[batch.length - 1]![pkName] as PrimaryKey; },
    }, batchSize, limit, resume?.returned ?? 0);
    this.cursor = cursor;
  }

  /** Where the iterator stands, to resume it; null once it is done. */
  position(): QueryIteratorPosition | null {
    if (this.done) return null;
    const holdId = this.hold?.();
    return { snapshotTso: this.snapshotTso, ...this.cursor, returned: this.returned, ...(holdId !== undefined ? { holdId } : {}) };
  }
}
