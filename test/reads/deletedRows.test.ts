import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hiddenRows } from '../../actors/query-node/core/deletedRows.js';
import { acceptRow, querySealed, searchSealed, type SealedRead } from '../../actors/query-node/core/sealedSearch.js';
import { addToIndex, type DeleteIndex } from '../../actors/shared/segment/deleteIndex.js';
import type { SealedSegment } from '../../actors/shared/segment/segmentFile.js';
import { compileFilter } from '../../messages/filter/evaluate.js';
import { parseFilter } from '../../messages/filter/index.js';
import type { DeleteEntry } from '../../messages/rpc/records.js';
import type { CollectionSchema } from '../../messages/schema.js';

/**
 * A read newer than every delete takes a segment's hidden rows from a memo
 * (query-node/core/deletedRows.ts); every answer equals the per-row one, a
 * new delete is seen at the next sequence, a read older than a delete still
 * sees the row, a partition-scoped delete hides only its partition's rows,
 * and a segment no delete reaches needs no per-row test.
 */
const DIM = 2, N = 40;
const schema: CollectionSchema = { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: DIM }, { name: 'tag', dataType: 'Int64' }] };
const segOf = (segmentId: number, partitionId: number, from: number): SealedSegment => ({
  segmentId, collectionId: 1, partitionId, vchannel: 'v', count: N, dim: DIM,
  pks: Array.from({ length: N }, (_, i) => from + i), tsos: Array.from({ length: N }, (_, i) => BigInt(10 + i)),
  vectors: Float32Array.from({ length: N * DIM }, (_, j) => (from + (j >> 1)) * (j & 1 ? 1 : 0.5)),
  fields: { tag: Array.from({ length: N }, (_, i) => i % 4) },
});
const a = segOf(1, 7, 0), b = segOf(2, 8, 100), untouched = segOf(3, 7, 200);
const segs = [a, b, untouched].map((seg) => ({ seg, index: null }));

/** The shard's delete state as the query node keeps it: one index, its entries counted and its newest TSO. */
function shard() {
  const index: DeleteIndex = new Map();
  let seq = 0, maxTso = 0n;
  return {
    index,
    add(entries: DeleteEntry[]) { addToIndex(index, entries); seq += entries.length; for (const e of entries) if (e.tso > maxTso) maxTso = e.tso; },
    read(readTso: bigint, filter: string | null, memo = true): SealedRead {
      return { pkName: 'id', vectorName: 'v', filter: filter === null ? null : compileFilter(parseFilter(filter), schema), partitionIds: null, readTso, outputFields: [], deletes: index, ...(memo ? { deleteVersion: { seq, maxTso } } : {}) };
    },
  };
}
const count = (r: SealedRead) => querySealed(segs, r, true).count;
const ids = (r: SealedRead) => querySealed(segs, r, false).rows.map((h) => Number(h.pk)).sort((x, y) => x - y);
const nearest = (r: SealedRead) => searchSealed(segs, r, [new Float32Array([0, 0])], { k: 5, metric: 'L2' })[0]!.map((h) => Number(h.pk));

test('answers from the memo equal the per-row answers, and a new delete shows at the next sequence', () => {
  const s = shard();
  s.add([0, 1, 2, 3, 5, 104, 105].map((pk) => ({ pk, tso: 100n })));
  for (const filter of [null, 'tag == 1', 'id < 110']) {
    assert.is(count(s.read(200n, filter)), count(s.read(200n, filter, false)), `count, ${filter}`);
    assert.equal(ids(s.read(200n, filter)), ids(s.read(200n, filter, false)), `rows, ${filter}`);
  }
  assert.is(count(s.read(200n, null)), 3 * N - 7);
  assert.equal(nearest(s.read(200n, null)), [4, 6, 7, 8, 9]);
  s.add([{ pk: 4, tso: 150n }, { pk: 6, tso: 150n }]);
  assert.is(count(s.read(200n, null)), 3 * N - 9, 'the later deletes hide their rows');
  assert.equal(nearest(s.read(200n, null)), [7, 8, 9, 10, 11]);
});

test('a read older than a delete does not take the memo: the row is still seen', () => {
  const s = shard();
  s.add([{ pk: 4, tso: 100n }]);
  assert.is(count(s.read(200n, null)), 3 * N - 1);
  s.add([{ pk: 6, tso: 300n }]);
  assert.is(hiddenRows(a, s.index, { seq: 2, maxTso: 300n }, 200n), undefined);
  assert.is(count(s.read(200n, null)), 3 * N - 1, 'the delete at 300 is after the read');
  assert.ok(ids(s.read(200n, null)).includes(6));
  assert.is(count(s.read(300n, null)), 3 * N - 2);
});

test('a delete scoped to a partition hides only that partition\'s row; a row written after its delete stays', () => {
  const s = shard();
  // Row 20 of segment a was written at TSO 30: a delete at 25 came before it.
  s.add([{ pk: 1, tso: 100n, partitionId: 8 }, { pk: 101, tso: 100n, partitionId: 8 }, { pk: 20, tso: 25n }]);
  assert.is(count(s.read(200n, null)), 3 * N - 1);
  assert.ok(ids(s.read(200n, null)).includes(1) && !ids(s.read(200n, null)).includes(101));
  assert.ok(ids(s.read(200n, null)).includes(20));
});

test('a segment no delete reaches is read without a per-row test', () => {
  const s = shard();
  s.add([{ pk: 3, tso: 100n }]);
  assert.is(acceptRow(untouched, s.read(200n, null)), undefined);
  assert.type(acceptRow(a, s.read(200n, null)), 'function');
  assert.type(acceptRow(untouched, s.read(200n, null, false)), 'function', 'without the delete version, every row is tested');
});

test.run();
