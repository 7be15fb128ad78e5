import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { floorHolders, fullyIndexed, worthExamining } from '../../actors/coordinator/core/compactionPolicy.js';
import { deleteCoverOf, deleteFloorOf } from '../../actors/shared/segment/deleteCover.js';
import { compactSegment } from '../../actors/data-node/core/segmentCompaction.js';
import { indexOf } from '../../actors/shared/segment/deleteIndex.js';
import type { SealedSegment } from '../../actors/shared/segment/segmentFile.js';
import { indexKeyOf } from '../../actors/shared/segment/segmentKeys.js';

/** The pure parts of delete compaction: which segments to read, and what a rewrite keeps. */

test('a segment never examined is read once the shard logged a fifth of its rows in deletes', () => {
  assert.not.ok(worthExamining({ rows: 100 }, 19, 0.2));
  assert.ok(worthExamining({ rows: 100 }, 20, 0.2));
  assert.not.ok(worthExamining({ rows: 100 }, 0, 0.2), 'no deletes');
  assert.not.ok(worthExamining({ rows: 0 }, 50, 0.2), 'no rows');
});

test('an examined segment is read again only when the rows deletes may reach could now be enough', () => {
  // Examined at log length 40: 5 rows reached. 14 more deletes cannot make 20.
  assert.not.ok(worthExamining({ rows: 100, deleteSeq: 40, reachedRows: 5 }, 54, 0.2));
  assert.ok(worthExamining({ rows: 100, deleteSeq: 40, reachedRows: 5 }, 55, 0.2));
  // Nothing logged since, but 25 reached then, some too young to apply: read again.
  assert.ok(worthExamining({ rows: 100, deleteSeq: 40, reachedRows: 25 }, 40, 0.2));
  assert.not.ok(worthExamining({ rows: 100, deleteSeq: 40, reachedRows: 10 }, 40, 0.2));
});

test('only a segment with every ANN index is compacted (FLAT needs none)', () => {
  const rec = { indexes: [{ indexName: 'a', indexType: 'HNSW' }, { indexName: 'f', indexType: 'FLAT' }] } as never;
  assert.ok(fullyIndexed(rec, { indexKeys: { a: 'k' } }));
  assert.not.ok(fullyIndexed(rec, { indexKeys: {} }));
});

const seg: SealedSegment = {
  segmentId: 1, collectionId: 2, partitionId: 3, vchannel: 'v', count: 5, dim: 2,
  pks: [1, 2, 3, 4, 5], tsos: [10n, 10n, 10n, 30n, 10n],
  vectors: Float32Array.from([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]),
  fields: { tag: ['a', 'b', 'c', 'd', 'e'] },
};

test('a rewrite leaves out the rows deletes reached by the compaction TSO, and keeps every column aligned', () => {
  const deletes = indexOf([
    { pk: 2, tso: 20n }, // applies
    { pk: 4, tso: 20n }, // before the row (an upsert's new row): no
    { pk: 5, tso: 50n }, // after the compaction TSO: pending
    { pk: 9, tso: 20n }, // no such row
  ]);
  const r = compactSegment(seg, deletes, 40n);
  assert.is(r.removed, 1);
  assert.is(r.pending, 1);
  assert.equal(r.seg.pks, [1, 3, 4, 5]);
  assert.equal(r.seg.tsos, [10n, 10n, 30n, 10n]);
  assert.equal([...r.seg.vectors], [1, 1, 3, 3, 4, 4, 5, 5]);
  assert.equal(r.seg.fields.tag, ['a', 'c', 'd', 'e']);
  assert.is(r.seg.count, 4);
  assert.is(seg.count, 5, 'the input is not changed');
});

test('nothing removable: the same segment back', () => {
  const r = compactSegment(seg, indexOf([{ pk: 1, tso: 50n }]), 40n);
  assert.is(r.seg, seg);
  assert.is(r.removed, 0);
  assert.is(r.pending, 1);
});

test('a compacted segment\'s indexes are keyed by its data\'s version; the first flush keeps the old keys', () => {
  assert.is(indexKeyOf('segments/1/2/data.seg', 'vec_idx'), 'segments/1/2/index-vec_idx.hnsw');
  assert.is(indexKeyOf('segments/1/2/data-123.seg', 'vec_idx'), 'segments/1/2/index-vec_idx-123.hnsw');
});

test("a segment's delete cover: its oldest row, or how far compaction applied deletes to its file", () => {
  assert.is(deleteCoverOf({ rowsFromTso: 50n }), 50n);
  assert.is(deleteCoverOf({ rowsFromTso: 50n, deletesAppliedTso: 80n }), 80n);
  assert.is(deleteCoverOf({ deletesAppliedTso: 30n, rowsFromTso: 50n }), 50n);
  assert.is(deleteCoverOf({}), 0n, 'an old record without either covers nothing');
  assert.is(deleteCoverOf({}, { tsos: [70n, 60n, 90n] }), 60n, 'a loaded file stands in for an old record');
  // The floor: the least cover among segments with rows.
  assert.is(deleteFloorOf([{ rows: 5, rowsFromTso: 50n }, { rows: 5, rowsFromTso: 20n, deletesAppliedTso: 70n }, { rows: 0 }]), 50n);
  assert.is(deleteFloorOf([{ rows: 0 }]), undefined);
});

test('a long delete log gets its lowest-cover segments examined, each once per trimAfterEntries deletes', () => {
  const policy = { trimAfterEntries: 100, trimExaminations: 2 };
  const segs = [
    { segmentId: 1, rows: 10, rowsFromTso: 40n },
    { segmentId: 2, rows: 10, rowsFromTso: 10n },
    { segmentId: 3, rows: 10, rowsFromTso: 10n, deletesAppliedTso: 90n },
    { segmentId: 4, rows: 10, rowsFromTso: 20n, deleteSeq: 150 },
    { segmentId: 5, rows: 0, rowsFromTso: 1n },
  ];
  assert.equal(floorHolders(segs, { seq: 199, base: 100 }, 100n, policy), [], 'the log is short');
  assert.equal(floorHolders(segs, { seq: 200, base: 100 }, 100n, policy).map((s) => s.segmentId), [2, 1], 'segment 4 was examined 50 deletes ago');
  assert.equal(floorHolders(segs, { seq: 250, base: 100 }, 100n, policy).map((s) => s.segmentId), [2, 4]);
  assert.equal(floorHolders(segs, { seq: 250, base: 100 }, 30n, policy).map((s) => s.segmentId), [2, 4], 'covers at or above untilTso are not examined');
});

test.run();
