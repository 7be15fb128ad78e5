import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkSnapshotName, deletesToKeep, referencedKeys, snapshotKeys, takeSnapshot, viewOf, type CollectionSnapshot } from '../../actors/coordinator/core/collectionSnapshots.js';
import {
  holdsCompaction, idsToRestore, newSnapshotRestoreJob, nextSnapshotRestoreStep, restoredCollection, restoredDeletes, restoredSegments, restoreFailedWith, restorePercent, stepDone,
} from '../../actors/coordinator/core/snapshotRestore.js';
import { NuthatchError, ValidationError } from '../../messages/errors.js';
import type { CollectionRecord, DeleteEntry, SegmentRecord } from '../../messages/rpc/records.js';

/** Collection snapshots and their restores (pure): what a snapshot names, what it pins, what a restore makes of it. */
const rec: CollectionRecord = {
  collectionId: 100, name: 'books', dbName: 'default', schema: { fields: [] } as unknown as CollectionRecord['schema'], metricType: 'L2', shards: 2,
  vchannels: ['p0_100v0', 'p1_100v1'], partitions: [{ id: 101, name: '_default' }, { id: 102, name: 'p1' }], consistencyLevel: 'Bounded',
  indexes: [{ indexName: 'vec', fieldName: 'vec', indexType: 'HNSW', metricType: 'L2', params: { M: 16 } }], loaded: true, replicas: 2, createdTso: 5n, state: 'created', ttlSeconds: 60,
};
const seg = (segmentId: number, vchannel: string, partitionId: number, rowsFromTso: bigint, extra: Partial<SegmentRecord> = {}): SegmentRecord => ({
  collectionId: 100, partitionId, segmentId, vchannel, pchannel: vchannel.slice(0, 2), rows: 10, dataKey: `segments/100/${segmentId}/data.seg`,
  indexKeys: { vec: `segments/100/${segmentId}/index-vec.hnsw` }, from: 1, to: 2, rowsFromTso, ...extra,
});
const segments = [seg(201, 'p0_100v0', 101, 10n), seg(202, 'p1_100v1', 102, 20n, { deletesAppliedTso: 40n }), seg(203, 'p1_100v1', 101, 30n)];
const logs: DeleteEntry[][] = [
  [{ pk: 1, tso: 8n }, { pk: 2, tso: 15n, partitionId: 101 }, { pk: 3, tso: 60n }],
  [{ pk: 4, tso: 25n }, { pk: 5, tso: 35n, partitionId: 102 }, { pk: 6, tso: 55n }],
];
const snap = (): CollectionSnapshot => takeSnapshot({ snapshotId: 7, name: 's1', description: 'before the migration', rec, segments, logs, tso: 50n, nowMs: 1000 });

test('a snapshot names the collection as it was, its segments\' files, and the deletes up to its TSO that reach them', () => {
  const s = snap();
  assert.equal(s.segments.map((g) => [g.segmentId, g.shard, g.partitionId, g.dataKey]), [[201, 0, 101, 'segments/100/201/data.seg'], [202, 1, 102, 'segments/100/202/data.seg'], [203, 1, 101, 'segments/100/203/data.seg']]);
  assert.equal(s.tso, 50n);
  // Shard 0's only segment covers 10: the delete at 8 reaches none of its rows; the one at 60 is after the snapshot.
  assert.equal(s.deletes[0], [{ pk: 2, tso: 15n, partitionId: 101 }]);
  // Shard 1's least cover is 30 (segment 203; 202 covers 40): 25 reaches nothing, 55 is after the snapshot.
  assert.equal(s.deletes[1], [{ pk: 5, tso: 35n, partitionId: 102 }]);
  assert.equal([s.collection.name, s.collection.indexes, s.collection.ttlSeconds, s.collection.loaded], ['books', rec.indexes, 60, true]);
  assert.is(s.collection.replicas, undefined, 'a live collection\'s placement is not part of its image');
  assert.equal(snapshotKeys(s).length, 6);
  const v = viewOf(s);
  assert.equal([v.snapshotName, v.description, v.collectionName, v.partitionNames, v.createTs, v.rows, v.segments, v.files], ['s1', 'before the migration', 'books', ['_default', 'p1'], 50n, 30, 3, 6]);
});

test('a snapshot leaves out other collections\' segments, empty ones and those of dropped partitions', () => {
  const others = [...segments, seg(204, 'p0_100v0', 999, 10n), seg(205, 'p0_100v0', 101, 10n, { rows: 0 }), { ...seg(206, 'x_9v0', 101, 10n), collectionId: 9 }];
  const s = takeSnapshot({ snapshotId: 7, name: 's1', description: '', rec, segments: others, logs, tso: 50n, nowMs: 0 });
  assert.equal(s.segments.map((g) => g.segmentId), [201, 202, 203]);
});

test('a shard with no segment keeps no delete', () => {
  assert.equal(deletesToKeep([{ pk: 1, tso: 3n }], [], 10n), []);
});

test('snapshot names are names, and unique', () => {
  assert.is(checkSnapshotName('daily_20240101', new Set(['other'])), 'daily_20240101');
  assert.throws(() => checkSnapshotName('bad-name', new Set()), (e: unknown) => e instanceof ValidationError);
  assert.throws(() => checkSnapshotName('', new Set()), (e: unknown) => e instanceof ValidationError);
  assert.throws(() => checkSnapshotName('s1', new Set(['s1'])), (e: unknown) => e instanceof NuthatchError && e.code === 'SnapshotExists');
});

test('files stay while a segment record or a snapshot names them', () => {
  const s = snap();
  const compacted = { ...segments[0]!, dataKey: 'segments/100/201/data-77.seg', indexKeys: { vec: 'segments/100/201/index-vec-77.hnsw' } };
  const pinned = referencedKeys([compacted], [s]);
  assert.ok(pinned.has('segments/100/201/data.seg'), 'the snapshot keeps the file compaction replaced');
  assert.ok(pinned.has('segments/100/201/data-77.seg'));
  assert.not.ok(referencedKeys([compacted], []).has('segments/100/201/data.seg'), 'without the snapshot, nothing names it');
});

test('a restore makes a new collection over the same files: new ids, its own shards, partitions and deletes mapped', () => {
  const s = snap();
  assert.is(idsToRestore(s), 1 + 2 + 3);
  const job = newSnapshotRestoreJob(1, s, 'db2', 'books_copy', 500, 2000);
  const r = restoredCollection(s, job, ['p0', 'p1', 'p2'], 900n);
  assert.equal([r.collectionId, r.name, r.dbName, r.state, r.loaded, r.createdTso], [500, 'books_copy', 'db2', 'creating', false, 900n]);
  assert.equal(r.vchannels, ['p2_500v0', 'p0_500v1'], 'placed as a create places a collection of this id');
  assert.equal(r.partitions, [{ id: 501, name: '_default' }, { id: 502, name: 'p1' }]);
  assert.equal(r.indexes, rec.indexes);
  const segs = restoredSegments(s, r);
  assert.equal(segs.map((g) => [g.segmentId, g.collectionId, g.partitionId, g.vchannel, g.pchannel, g.dataKey]), [
    [503, 500, 501, 'p2_500v0', 'p2', 'segments/100/201/data.seg'],
    [504, 500, 502, 'p0_500v1', 'p0', 'segments/100/202/data.seg'],
    [505, 500, 501, 'p0_500v1', 'p0', 'segments/100/203/data.seg'],
  ]);
  assert.equal([segs[1]!.rowsFromTso, segs[1]!.deletesAppliedTso, segs[1]!.deleteSeq], [20n, 40n, undefined], 'covers kept; the new shard\'s log was never examined');
  assert.equal(restoredDeletes(s, r), [[{ pk: 2, tso: 15n, partitionId: 501 }], [{ pk: 5, tso: 35n, partitionId: 502 }]], 'deletes keep their source TSOs');
});

test('a restore job takes its steps in order, each recorded, and resumes where it was', () => {
  const s = snap();
  let job = newSnapshotRestoreJob(1, s, 'default', 'copy', 500, 2000);
  const seen: string[] = [];
  for (let step = nextSnapshotRestoreStep(job); step !== 'none'; step = nextSnapshotRestoreStep(job)) {
    seen.push(step);
    const resumed = JSON.parse(JSON.stringify(job)) as typeof job;
    assert.is(nextSnapshotRestoreStep(resumed), step, 'a job read back from its record goes on at the same step');
    job = stepDone(job, step, 3000);
  }
  assert.equal(seen, ['create', 'deletes', 'segments', 'load'], 'the source was loaded: so is the restored collection');
  assert.equal([job.state, restorePercent(job), job.completedMs], ['Completed', 100, 3000]);
  const unloaded = newSnapshotRestoreJob(2, { ...s, collection: { ...s.collection, loaded: false } }, 'default', 'copy2', 600, 0);
  const done = stepDone(stepDone(stepDone(unloaded, 'create', 1), 'deletes', 1), 'segments', 5);
  assert.equal([done.state, nextSnapshotRestoreStep(done)], ['Completed', 'none']);
  const failed = restoreFailedWith(stepDone(unloaded, 'create', 1), 'no shard', 9);
  assert.equal([failed.state, failed.reason, nextSnapshotRestoreStep(failed)], ['Failed', 'no shard', 'none']);
});

test('compaction leaves a restored collection alone until its segment records are written', () => {
  const job = newSnapshotRestoreJob(1, snap(), 'default', 'copy', 500, 2000);
  const created = stepDone(job, 'create', 1), withDeletes = stepDone(created, 'deletes', 1), recorded = stepDone(withDeletes, 'segments', 1);
  // With the deletes logged and no record, a trim would take its floor from no segment and drop them all.
  assert.equal([job, created, withDeletes].map(holdsCompaction), [true, true, true]);
  assert.equal([recorded, stepDone(recorded, 'load', 1), restoreFailedWith(withDeletes, 'x', 2)].map(holdsCompaction), [false, false, false]);
});

test.run();
