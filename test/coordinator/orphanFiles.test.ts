import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isOrphanCandidate, referencesOf, sweepPage } from '../../actors/coordinator/core/orphanFiles.js';
import type { SegmentRecord } from '../../messages/rpc/records.js';

/** Which segment files the garbage collector may remove, and when (pure). */

const record = (collectionId: number, segmentId: number, dataKey: string, indexKeys: Record<string, string> = {}): SegmentRecord =>
  ({ collectionId, partitionId: 1, segmentId, vchannel: 'v', pchannel: 'p', rows: 10, dataKey, indexKeys, from: 0, to: 1 });

// Collection 7 is live; segment 70 was compacted (its record names the new files); segment 71 has no record yet.
const refs = referencesOf(
  [record(7, 70, 'segments/7/70/data-500.seg', { v: 'segments/7/70/index-v-500.hnsw' })],
  [7],
);

test('a file its segment record names is never a candidate; one the record no longer names is', () => {
  assert.not.ok(isOrphanCandidate('segments/7/70/data-500.seg', refs));
  assert.not.ok(isOrphanCandidate('segments/7/70/index-v-500.hnsw', refs));
  assert.ok(isOrphanCandidate('segments/7/70/data.seg', refs), 'the file before compaction');
  assert.ok(isOrphanCandidate('segments/7/70/index-v.hnsw', refs));
  assert.ok(isOrphanCandidate('segments/7/70/data-900.seg', refs), 'a rewrite that was never switched to');
});

test('a shredded JSON sidecar is named with its data file: kept while the file is, a candidate once it is not', () => {
  assert.not.ok(isOrphanCandidate('segments/7/70/data-500.shred', refs));
  assert.ok(isOrphanCandidate('segments/7/70/data.shred', refs), 'the sidecar of the file before compaction');
  assert.ok(isOrphanCandidate('segments/8/80/data.shred', refs), 'a sidecar of a collection that is gone');
});

test('a segment of a live collection without a record is left alone (its flush may not be reported yet)', () => {
  assert.not.ok(isOrphanCandidate('segments/7/71/data.seg', refs));
});

test('every file of a collection that is gone is a candidate; keys of other shapes never are', () => {
  assert.ok(isOrphanCandidate('segments/8/80/data.seg', refs));
  for (const k of ['segments/8/80', 'segments/8/80/x/y', 'segments/a/80/data.seg', 'deletes/v/1-2.del', 'checkpoints/p/1.ckpt']) assert.not.ok(isOrphanCandidate(k, refs), k);
});

test('a candidate is removed once it has stayed unreferenced for the tolerance, and marked until then', () => {
  const keys = ['segments/7/70/data.seg', 'segments/7/70/data-500.seg', 'segments/8/80/data.seg'];
  const first = sweepPage(keys, refs, {}, 1000, 60_000);
  assert.equal(first.remove, []);
  assert.equal(first.marks, { 'segments/7/70/data.seg': 1000, 'segments/8/80/data.seg': 1000 });
  const early = sweepPage(keys, refs, first.marks, 60_999, 60_000);
  assert.equal(early.remove, []);
  assert.equal(early.marks, first.marks, 'a mark keeps the time it was first seen');
  const due = sweepPage(keys, refs, { ...first.marks, 'segments/8/80/data.seg': 30_000 }, 61_000, 60_000);
  assert.equal(due.remove, ['segments/7/70/data.seg']);
  assert.equal(due.marks, { 'segments/8/80/data.seg': 30_000 });
});

test('a file named again before the tolerance ends loses its mark', () => {
  const named = referencesOf([record(7, 70, 'segments/7/70/data.seg')], [7]);
  assert.equal(sweepPage(['segments/7/70/data.seg'], named, { 'segments/7/70/data.seg': 0 }, 10 ** 9, 60_000), { remove: [], marks: {} });
});

test.run();
