import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mergeGroups } from '../../actors/coordinator/core/compactionPolicy.js';
import { mergeSegments } from '../../actors/data-node/core/segmentMerge.js';
import { indexOf } from '../../actors/shared/segment/deleteIndex.js';
import { decodeSegmentFile, encodeSegmentFile, type SealedSegment } from '../../actors/shared/segment/segmentFile.js';
import { columnBlock } from '../../actors/shared/vector/vectorColumn.js';
import { encodeSparse, sparseToObject } from '../../messages/sparse.js';

/** Merge compaction's pure parts: which small segments go together, and what the merged file holds. */

const seg = (segmentId: number, rows: number, partitionId = 1) => ({ segmentId, rows, partitionId });

test('small segments of a partition are grouped oldest first, up to the target, at least minSegments a group', () => {
  const segs = [seg(5, 10), seg(1, 10), seg(2, 10), seg(3, 60), seg(4, 10), seg(9, 10, 2), seg(8, 10, 2)];
  // Target 100: segment 3 (60 rows) is not small; partition 1 has 1, 2, 4, 5; partition 2 only two.
  assert.equal(mergeGroups(segs, 100, 3).map((g) => g.map((s) => s.segmentId)), [[1, 2, 4, 5]]);
  assert.equal(mergeGroups(segs, 100, 2).map((g) => g.map((s) => s.segmentId)), [[1, 2, 4, 5], [8, 9]]);
  // Target 30: a group closes at 30 rows; segment 5, left alone in its partition, waits for company.
  assert.equal(mergeGroups(segs, 30, 2).map((g) => g.map((s) => s.segmentId)), [[1, 2, 4], [8, 9]]);
  assert.equal(mergeGroups(segs, 100, 0), [], 'off');
});

const file = (segmentId: number, pks: number[], tso: bigint, fields: Record<string, unknown[]>): SealedSegment => ({
  segmentId, collectionId: 7, partitionId: 1, vchannel: 'v', count: pks.length, dim: 2, pks, tsos: pks.map(() => tso),
  vectors: Float32Array.from(pks.flatMap((p) => [p, -p])), fields,
});

test('a merge concatenates the parts without rows deletes reached, keeping TSOs and aligning columns', () => {
  const a = file(1, [1, 2, 3], 10n, { tag: ['a', 'b', 'c'] });
  const b = file(2, [4, 5], 20n, { tag: ['d', 'e'], extra: [true, false] });
  // 2 deleted at 15 (reached), 5 deleted at 50 (after untilTso: kept, pending), 4 deleted at 15 (before its insert).
  const r = mergeSegments([a, b], { segmentId: 9 }, indexOf([{ pk: 2, tso: 15n }, { pk: 5, tso: 50n }, { pk: 4, tso: 15n }]), 40n);
  assert.equal([r.removed, r.pending], [1, 1]);
  assert.is(r.seg.segmentId, 9);
  assert.equal(r.seg.pks, [1, 3, 4, 5]);
  assert.equal(r.seg.tsos, [10n, 10n, 20n, 20n]);
  assert.equal([...r.seg.vectors], [1, -1, 3, -3, 4, -4, 5, -5]);
  assert.equal(r.seg.fields, { tag: ['a', 'c', 'd', 'e'], extra: [null, null, true, false] });
});

test('parts of different partitions are refused', () => {
  assert.throws(() => mergeSegments([file(1, [1], 1n, {}), { ...file(2, [2], 1n, {}), partitionId: 2 }], { segmentId: 9 }, new Map(), 5n), /does not belong/);
});

test('vector and sparse columns of further fields stay row-aligned through a merge and its file', () => {
  const img = (p: number) => Float32Array.from([p, p / 2, p / 4]);
  const sp = (p: number) => encodeSparse({ indices: Uint32Array.from([p, p + 100]), values: Float32Array.from([1, p]) });
  const a = file(1, [1, 2, 3], 10n, { image: [1, 2, 3].map(img), words: [1, 2, 3].map(sp) });
  const b = file(2, [4, 5], 20n, { image: [4, 5].map(img), words: [4, 5].map(sp) });
  const r = mergeSegments([a, b], { segmentId: 9 }, indexOf([{ pk: 2, tso: 15n }]), 40n);
  const back = decodeSegmentFile(encodeSegmentFile(r.seg));
  assert.equal(back.pks, [1, 3, 4, 5]);
  back.pks.forEach((pk, row) => {
    assert.equal(Array.from(back.fields.image![row] as Float32Array), Array.from(img(Number(pk))), `image of ${pk}`);
    assert.equal(sparseToObject(back.fields.words![row] as Uint8Array), sparseToObject(sp(Number(pk))), `words of ${pk}`);
  });
  assert.equal(Array.from(columnBlock(back.fields.image!, 4, 3)), [1, 3, 4, 5].flatMap((p) => Array.from(img(p))), 'the search block of the merged file');
});

test.run();
