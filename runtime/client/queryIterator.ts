import { ValidationError } from '../../messages/errors.js';
import type { OrderByFields, OrderKey } from '../../messages/orderBy.js';
import type { PrimaryKey } from '../../messages/schema.js';
import { physicalMs, type Tso } from '../../messages/types.js';
import type { ReadOptions, RowObject } from './api.js';
import { BatchIterator } from './batchIterator.js';

/**
 * A query iterator: pages through a query's rows in primary-key order, each
 * page the rows above the last key returned (a cursor the shards seek to, not
 * an offset they count past), every page read at one TSO pinned when the
 * iterator was made, so rows written or deleted since neither appear nor vanish.
 *
 * With `orderByFields` it pages through the rows in that order instead (the
 * order of an ordered query, messages/orderBy.ts: nulls last, ties by primary
 * key): its cursor is the last row's values of the ordered fields and its
 * key, and each page is the first rows strictly after it, over the whole
 * result, not per page. The order being total, no row comes twice or is skipped.
 */

export interface QueryIteratorRequest extends ReadOptions {
  /** Rows per batch, 1..16384. */
  batchSize: number;
  /** Rows in all; -1 or absent: every row. */
  limit?: number;
  /** Rows in this order (as QueryRequest's orderByFields) rather than by primary key. */
  orderByFields?: OrderByFields;
  /** Resumes an iteration where `position()` of another left it (the REST cursor). */
  resume?: QueryIteratorPosition;
}

/** Where an iterator stands: enough to resume it elsewhere. */
export interface QueryIteratorPosition {
  /** The TSO every page reads at. */
  snapshotTso: Tso;
  /** The last key returned; absent before the first batch. */
  after?: PrimaryKey;
  /** An ordered walk's order; absent for a walk in key order. */
  order?: OrderKey[];
  /** An ordered walk: the last row's values of the order's keys (with `after`, its key). */
  afterValues?: unknown[];
  /** Rows returned so far (counted against the limit). */
  returned: number;
  /** The snapshot hold the walk renews (snapshotLease.ts), when it took one. */
  holdId?: number;
}

/** Where the next page starts: past a key, or (ordered) past a row's order values and key. */
export interface IteratorCursor { after?: PrimaryKey; afterValues?: unknown[] }

/** The rows past `cursor` at the pinned TSO, over every shard, in the walk's order: at most `limit`. */
export type RowsAfter = (cursor: IteratorCursor, limit: number) => Promise<RowObject[]>;

/** A resumed position must be one an iterator of this collection, walking `order`, could have left (it may come from a REST client). */
export function checkPosition(p: QueryIteratorPosition, pkType: string, order: readonly OrderKey[] = []): void {
  if (typeof p.snapshotTso !== 'bigint' || p.snapshotTso <= 0n) throw new ValidationError('a query cursor needs its snapshot TSO', { field: 'cursor' });
  // A TSO ahead of the clock would hold every page until the shards serve that TSO.
  if (physicalMs(p.snapshotTso) > Date.now() + 60_000) throw new ValidationError('a query cursor names a TSO in the future', { field: 'cursor' });
  if (p.after !== undefined && typeof p.after !== (pkType === 'Int64' ? 'number' : 'string')) throw new ValidationError(`a query cursor's key must be ${pkType === 'Int64' ? 'an integer' : 'a string'}`, { field: 'cursor' });
  if (!Number.isSafeInteger(p.returned) || p.returned < 0) throw new ValidationError('a query cursor counts the rows it returned', { field: 'cursor' });
  if (p.holdId !== undefined && !(Number.isSafeInteger(p.holdId) && p.holdId > 0)) throw new ValidationError('a query cursor\'s snapshot hold is a positive integer', { field: 'cursor' });
  // A cursor of one order means nothing in another: its rows would be skipped or repeated.
  if (JSON.stringify(p.order ?? []) !== JSON.stringify(order)) throw new ValidationError('a query cursor resumes the walk it came from: orderByFields must be the same as that walk\'s', { field: 'orderByFields' });
  if (order.length > 0 && p.after !== undefined && p.afterValues === undefined) throw new ValidationError('an ordered query cursor holds the last row\'s ordered values', { field: 'cursor' });
  if (order.length === 0 && p.afterValues !== undefined) throw new ValidationError('a query cursor in key order holds no ordered values', { field: 'cursor' });
}

export class QueryIterator extends BatchIterator<RowObject> {
  private readonly cursor: IteratorCursor;

  /**
   * `cursorOf`: where a returned row leaves the walk: the name of the field
   * holding its key (every row returned holds it), or for an ordered walk a
   * function giving its order values and key. `order`: the walk's order, kept
   * in its position; empty for key order.
   */
  constructor(rowsAfter: RowsAfter, cursorOf: string | ((row: RowObject) => IteratorCursor), batchSize: number, limit: number, readonly snapshotTso: Tso, resume?: QueryIteratorPosition, private readonly hold?: () => number | undefined, private readonly order: readonly OrderKey[] = []) {
    const leaves = typeof cursorOf === 'string' ? (row: RowObject): IteratorCursor => ({ after: row[cursorOf] as PrimaryKey }) : cursorOf;
    const cursor: IteratorCursor = resume?.after !== undefined ? { after: resume.after, ...(resume.afterValues !== undefined ? { afterValues: resume.afterValues } : {}) } : {};
    super({
      fetch: (n) => rowsAfter({ ...cursor }, n),
      advance: (batch) => { if (batch.length > 0) Object.assign(cursor, leaves(batch[batch.length - 1]!)); },
    }, batchSize, limit, resume?.returned ?? 0);
    this.cursor = cursor;
  }

  /** Where the iterator stands, to resume it; null once it is done. */
  position(): QueryIteratorPosition | null {
    if (this.done) return null;
    const holdId = this.hold?.();
    return { snapshotTso: this.snapshotTso, ...this.cursor, ...(this.order.length ? { order: [...this.order] } : {}), returned: this.returned, ...(holdId !== undefined ? { holdId } : {}) };
  }
}
