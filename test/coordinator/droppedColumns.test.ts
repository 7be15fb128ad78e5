import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { droppedFieldsDue, droppedFieldsRewrite } from '../../actors/coordinator/core/compactionPolicy.js';
import { compactSegment } from '../../actors/data-node/core/segmentCompaction.js';
import { mergeSegments } from '../../actors/data-node/core/segmentMerge.js';
import { clusterSegments } from '../../actors/data-node/core/segmentCluster.js';
import { indexOf } from '../../actors/shared/segment/deleteIndex.js';
import type { SealedSegment } from '../../actors/shared/segment/segmentFile.js';

/**
 * A dropped field's column leaves the segment files at compaction (pure
 * parts): every rewrite (delete, merge, clustering) leaves the columns of
 * the schema's dropped fields out, and a segment is examined once per drop.
 */
const seg = (segmentId: number, pks: number[]): SealedSegment => ({
  segmentId, collectionId: 2, partitionId: 3, vchannel: 'v', count: pks.length, dim: 1,
  pks, tsos: pks.map(() => 10n), vectors: Float32Array.from(pks),
  fields: { note: pks.map((k) => `n${k}`), price: pks.map((k) => k * 2), key: pks },
});

test('a rewrite leaves out dropped columns, with or without rows to remove', () => {
  const s = seg(1, [1, 2, 3]);
  const stripped = compactSegment(s, new Map(), 40n, { droppedFields: ['note', 'gone-before'] });
  assert.equal(stripped.strippedColumns, ['note'], 'only the columns the file holds');
  assert.equal(Object.keys(stripped.seg.fields).sort(), ['key', 'price']);
  assert.is(stripped.removed, 0);
  assert.equal(stripped.seg.pks, [1, 2, 3]);
  assert.equal(stripped.seg.fields.price, [2, 4, 6]);
  const both = compactSegment(s, indexOf([{ pk: 2, tso: 20n }]), 40n, { droppedFields: ['note'] });
  assert.is(both.removed, 1);
  assert.equal(Object.keys(both.seg.fields).sort(), ['key', 'price']);
  assert.equal(both.seg.fields.price, [2, 6], 'kept columns stay aligned with kept rows');
  const none = compactSegment(s, new Map(), 40n, { droppedFields: ['other'] });
  assert.is(none.seg, s, 'nothing to leave out: the same segment');
  assert.equal(none.strippedColumns, []);
});

test('merge and clustering rewrites leave dropped columns out too', () => {
  const merged = mergeSegments([seg(1, [1, 2]), seg(2, [3])], { segmentId: 9 }, new Map(), 40n, { droppedFields: ['note'] });
  assert.equal(Object.keys(merged.seg.fields).sort(), ['key', 'price']);
  assert.equal(merged.seg.fields.price, [2, 4, 6]);
  const clustered = clusterSegments([seg(1, [1, 2]), seg(2, [3, 4])], [20, 21, 22], 'key', 2, new Map(), 40n, { droppedFields: ['price'] });
  assert.ok(clustered.segs.length >= 2);
  for (const { seg: out } of clustered.segs) assert.equal(Object.keys(out.fields).sort(), ['key', 'note']);
});

test('a segment is examined once per drop, and a rewrite notes how many drops it covered', () => {
  const rec = (droppedFields?: string[]) => ({ schema: { fields: [], ...(droppedFields ? { droppedFields } : {}) } }) as never;
  assert.not.ok(droppedFieldsDue({}, rec()), 'nothing dropped');
  assert.ok(droppedFieldsDue({}, rec(['note'])), 'never examined since the drop');
  assert.not.ok(droppedFieldsDue({ droppedFieldsChecked: 1 }, rec(['note'])));
  assert.ok(droppedFieldsDue({ droppedFieldsChecked: 1 }, rec(['note', 'price'])), 'a second drop');
  assert.equal(droppedFieldsRewrite(rec()), { request: {}, checked: {} });
  assert.equal(droppedFieldsRewrite(rec(['note', 'price'])), { request: { droppedFields: ['note', 'price'] }, checked: { droppedFieldsChecked: 2 } });
});

test.run();
