import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../messages/errors.js';
import type { PrimaryKey } from '../../messages/schema.js';
import { comparePks } from '../../actors/shared/segment/pkOrder.js';
import { BatchIterator, iteratorSizes } from '../../runtime/client/batchIterator.js';
import { checkPosition, QueryIterator, type IteratorCursor, type RowsAfter } from '../../runtime/client/queryIterator.js';
import type { RowObject } from '../../runtime/client/api.js';

/**
 * A query iterator over a stand-in for the shards: batches of batchSize rows in
 * key order, the limit respected, each row once, and a position that resumes
 * the walk where it stood.
 */
function source(keys: PrimaryKey[]): { rowsAfter: RowsAfter; calls: Array<{ after?: PrimaryKey; n: number }> } {
  const sorted = [...keys].sort(comparePks);
  const calls: Array<{ after?: PrimaryKey; n: number }> = [];
  const rowsAfter: RowsAfter = async ({ after }, n) => {
    calls.push(after === undefined ? { n } : { after, n });
    return sorted.filter((k) => after === undefined || comparePks(k, after) > 0).slice(0, n).map((k) => ({ id: k }));
  };
  return { rowsAfter, calls };
}
const ids = (rows: RowObject[]) => rows.map((r) => r.id);

test('batches of batchSize in key order until the rows run out; the cursor is the last key returned', async () => {
  const keys = Array.from({ length: 23 }, (_, i) => 100 - i * 4);
  const { rowsAfter, calls } = source(keys);
  const it = new QueryIterator(rowsAfter, 'id', 10, -1, 7n);
  const batches: RowObject[][] = [];
  for await (const b of it) batches.push(b);
  assert.equal(batches.map((b) => b.length), [10, 10, 3]);
  assert.equal(batches.flat().map((r) => r.id), [...keys].sort((a, b) => a - b));
  // One row more than the batch is asked for: a full last batch needs no empty round trip.
  assert.equal(calls, [{ n: 11 }, { after: 48, n: 11 }, { after: 88, n: 11 }]);
  assert.ok(it.done);
  assert.equal(await it.next(), []);
});

test('a total limit cuts the last batch short and ends the walk there', async () => {
  const { rowsAfter } = source(Array.from({ length: 100 }, (_, i) => `k${String(i).padStart(3, '0')}`));
  const it = new QueryIterator(rowsAfter, 'id', 7, 16, 1n);
  assert.equal((await it.next()).length, 7);
  assert.equal((await it.next()).length, 7);
  assert.equal(ids(await it.next()), ['k014', 'k015']);
  assert.equal(await it.next(), []);
  assert.is(it.returned, 16);
  const none = new QueryIterator(source(['a']).rowsAfter, 'id', 7, 0, 1n);
  assert.equal(await none.next(), [], 'limit 0 returns nothing');
});

test('concurrent next() calls take consecutive batches, never the same one', async () => {
  const { rowsAfter } = source(Array.from({ length: 30 }, (_, i) => i));
  const it = new QueryIterator(rowsAfter, 'id', 10, -1, 1n);
  const [a, b, c, d] = await Promise.all([it.next(), it.next(), it.next(), it.next()]);
  assert.equal([...ids(a!), ...ids(b!), ...ids(c!)], Array.from({ length: 30 }, (_, i) => i));
  assert.equal(d, []);
});

test('close() ends the walk; breaking out of for-await closes it', async () => {
  const it = new QueryIterator(source([1, 2, 3, 4]).rowsAfter, 'id', 1, -1, 1n);
  for await (const b of it) { assert.equal(ids(b), [1]); break; }
  assert.ok(it.done);
  assert.equal(await it.next(), []);
});

test('position() resumes the walk in another iterator at the same snapshot; null once done', async () => {
  const { rowsAfter } = source(Array.from({ length: 12 }, (_, i) => i));
  const first = new QueryIterator(rowsAfter, 'id', 5, 11, 42n);
  assert.equal(first.position(), { snapshotTso: 42n, returned: 0 });
  await first.next();
  const pos = first.position()!;
  assert.equal(pos, { snapshotTso: 42n, after: 4, returned: 5 });
  const second = new QueryIterator(rowsAfter, 'id', 5, 11, pos.snapshotTso, pos);
  assert.equal(ids(await second.next()), [5, 6, 7, 8, 9]);
  assert.equal(ids(await second.next()), [10], 'the limit counts rows the first iterator returned');
  assert.is(second.position(), null);
});

test('an ordered walk: the cursor is the last row\'s values and key, kept in position() with the order', async () => {
  // Rows ordered by score descending, ties by id: the source seeks past (score, id) as the shards do.
  const rows = [5, 3, 5, 1, 3, 5, 2].map((score, id) => ({ id, score }));
  const order = [{ field: 'score', desc: true }];
  const sorted = [...rows].sort((a, b) => b.score - a.score || a.id - b.id);
  const calls: IteratorCursor[] = [];
  const rowsAfter: RowsAfter = async (cursor, n) => {
    calls.push(cursor);
    const at = cursor.after === undefined ? -1 : sorted.findIndex((r) => r.id === cursor.after && r.score === cursor.afterValues![0]);
    return sorted.slice(at + 1, at + 1 + n).map((r) => ({ ...r }));
  };
  const cursorOf = (row: Record<string, unknown>): IteratorCursor => ({ after: row.id as number, afterValues: [row.score] });
  const first = new QueryIterator(rowsAfter, cursorOf, 3, -1, 9n, undefined, undefined, order);
  assert.equal(ids(await first.next()), [0, 2, 5]);
  const pos = first.position()!;
  assert.equal(pos, { snapshotTso: 9n, after: 5, afterValues: [5], order, returned: 3 });
  assert.equal(calls, [{}], 'the first page starts at the top');
  const second = new QueryIterator(rowsAfter, cursorOf, 3, -1, pos.snapshotTso, pos, undefined, order);
  const rest: Array<Record<string, unknown>[]> = [];
  for await (const b of second) rest.push(b);
  assert.equal(ids(rest.flat()), [1, 4, 6, 3]);
  assert.equal(calls[1], { after: 5, afterValues: [5] }, 'resumed past the last row\'s (values, key)');
  // A position resumes only the walk it came from.
  checkPosition(pos, 'Int64', order);
  assert.throws(() => checkPosition(pos, 'Int64'), (e: unknown) => e instanceof ValidationError && /orderByFields must be the same/.test((e as Error).message));
  assert.throws(() => checkPosition(pos, 'Int64', [{ field: 'score', desc: false }]), (e: unknown) => e instanceof ValidationError);
  assert.throws(() => checkPosition({ ...pos, afterValues: undefined } as never, 'Int64', order), (e: unknown) => e instanceof ValidationError && /ordered values/.test((e as Error).message));
  assert.throws(() => checkPosition({ snapshotTso: 9n, after: 5, afterValues: [5], returned: 0 }, 'Int64'), (e: unknown) => e instanceof ValidationError);
});

test('a failed fetch rejects that next() only; the walk goes on from the same cursor', async () => {
  let fail = true;
  const { rowsAfter } = source([1, 2, 3]);
  const it = new BatchIterator<RowObject>({ fetch: (n) => (fail ? Promise.reject(new Error('down')) : rowsAfter({}, n)), advance: () => {} }, 2, -1);
  await it.next().then(() => assert.unreachable('a failed fetch resolved'), (e: Error) => assert.is(e.message, 'down'));
  fail = false;
  assert.equal(ids(await it.next()), [1, 2]);
});

test('batch sizes and limits out of range are refused with ValidationError', () => {
  for (const [batch, limit] of [[0, undefined], [-1, 5], [1.5, 5], [16385, -1], [Number.NaN, -1], ['10', -1], [10, -2], [10, 2.5], [10, '5']] as Array<[unknown, unknown]>) {
    try { iteratorSizes(batch, limit); assert.unreachable(`accepted ${String(batch)}, ${String(limit)}`); } catch (e) {
      assert.instance(e, ValidationError);
      assert.is((e as ValidationError).code, 'InvalidArgument');
    }
  }
  assert.equal(iteratorSizes(16384, undefined), { batchSize: 16384, limit: -1 });
  assert.equal(iteratorSizes(1, 0), { batchSize: 1, limit: 0 });
});

test.run();
