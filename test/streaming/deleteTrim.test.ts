import { walMessages } from '../support/walMessages.js';
import { test } from 'uvu';
import { hidden } from '../../actors/shared/segment/deleteIndex.js';
import * as assert from 'uvu/assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint, persistShard, restoreShard, saveCheckpoint } from '../../actors/streaming-node/shell/checkpoint.js';
import { snapshotDeletes, unreferenced, writeArchive, type ArchivedDeletes } from '../../actors/streaming-node/shell/deleteArchive.js';
import { deletePage } from '../../actors/streaming-node/core/deletePages.js';
import { addDelete, confirmHandOffs, deleteEnd, evolveShard, newShard, trimFloorFor, type ShardData } from '../../actors/streaming-node/core/shardData.js';
import { tsoOf } from '../../messages/types.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';

/**
 * Trimming a shard's delete log (TrimDeletes): the entries at or below the
 * floor go, the rest keep their sequence numbers, lookups of the rest are
 * unchanged, and checkpoints store and restore the trimmed log.
 */
const V = 'dml_0_7v0';
const wal = walMessages(V);
const msg = wal.msg;
const trim = (ms: number, floorMs: number) => msg('TrimDeletes', ms, { collectionId: 7, floorTso: tsoOf(floorMs) });

/** Deletes of pks 0..n-1, pk i at ms 100+i; pk 3 deleted again at ms 500. */
function logged(n: number): ShardData {
  wal.reset();
  const s = newShard(V, 7);
  for (let i = 0; i < n; i++) evolveShard(s, msg('Delete', 100 + i, { collectionId: 7, partitionId: -1, pks: [i] }));
  evolveShard(s, msg('Delete', 500, { collectionId: 7, partitionId: -1, pks: [3] }));
  return s;
}

test('a trim drops the entries at or below its floor and keeps the sequence numbers of the rest', () => {
  const s = logged(10);
  assert.is(deleteEnd(s), 11);
  evolveShard(s, trim(600, 104)); // pks 0..4 at ms 100..104
  assert.is(s.deleteBase, 5);
  assert.is(deleteEnd(s), 11, 'the log keeps its length');
  assert.equal(s.deletes.map((d) => d.pk), [5, 6, 7, 8, 9, 3]);
  assert.not.ok(s.deleteIndex.has(0));
  assert.equal(s.deleteIndex.get(3), [tsoOf(500)], 'the later delete of pk 3 stays');
  // A row of pk 3 inserted at ms 200 is still hidden from ms 500 on.
  assert.ok(hidden(s.deleteIndex.get(3), 0, tsoOf(200), tsoOf(500)));
  assert.not.ok(hidden(s.deleteIndex.get(3), 0, tsoOf(200), tsoOf(499)));
});

test('a floor at or below the current one changes nothing', () => {
  const s = logged(10);
  evolveShard(s, trim(600, 104));
  evolveShard(s, trim(601, 102));
  assert.is(s.deleteBase, 5);
  assert.is(s.deleteFloorTso, tsoOf(104));
});

test('the owner lowers the floor for segments it holds, and declines a floor that missed a hand-off', () => {
  const s = logged(10);
  const basis = (version: number, covered: number[] = []) => ({ version, covered: new Set(covered) });
  evolveShard(s, msg('CreateSegment', 103, { collectionId: 7, partitionId: 8, segmentId: 41 }));
  assert.is(trimFloorFor(s, tsoOf(108), basis(0)), tsoOf(103), 'segment 41 was created at ms 103');
  s.segments.delete(41);
  s.handedOff.set(41, { partitionId: 8, version: 5 });
  assert.is(trimFloorFor(s, tsoOf(108), basis(4)), null, 'segment 41 went to query nodes at version 5, after the floor was taken');
  assert.is(trimFloorFor(s, tsoOf(108), basis(4, [41])), null, 'a version, once known, decides alone');
  assert.is(trimFloorFor(s, tsoOf(108), basis(5)), tsoOf(108));
  assert.is(trimFloorFor(s, tsoOf(99), basis(5)), null, 'no entry at or below ms 99');
  s.handedOff.set(42, { partitionId: 8, version: -1 });
  assert.is(trimFloorFor(s, tsoOf(108), basis(9)), null, 'segment 42 left at a release: only its record in the basis confirms it');
  assert.is(trimFloorFor(s, tsoOf(108), basis(9, [42])), tsoOf(108));
  s.deleteFloorTso = tsoOf(108);
  assert.is(trimFloorFor(s, tsoOf(108), basis(9, [42])), null, 'nothing new to trim');
});

test('hand-offs a floor\'s basis saw are forgotten; the others wait for a later one', () => {
  const s = logged(3);
  s.handedOff.set(41, { partitionId: 8, version: 5 });
  s.handedOff.set(42, { partitionId: 8, version: 7 });
  s.handedOff.set(43, { partitionId: 8, version: -1 });
  assert.is(confirmHandOffs(s, { version: 6, covered: new Set([42]) }), 1);
  assert.equal([...s.handedOff.keys()], [42, 43], 'version 7 is newer than the basis; 43 is not among its records');
  assert.is(confirmHandOffs(s, { version: 7, covered: new Set([43]) }), 2);
  assert.is(s.handedOff.size, 0);
});

test('pages of a trimmed log start at its first kept entry and keep the global sequence numbers', () => {
  const s = logged(10);
  evolveShard(s, trim(600, 104));
  const p = deletePage(s, 0, tsoOf(700));
  assert.equal([p.from, p.base, p.seq, p.floorTso, p.completeTso], [5, 5, 11, tsoOf(104), tsoOf(700)]);
  assert.equal(p.entries.map((e) => e.pk), [5, 6, 7, 8, 9, 3]);
  assert.equal(deletePage(s, 9, tsoOf(700)).entries.map((e) => e.pk), [9, 3], 'from inside the kept part');
  const end = deletePage(s, Number.MAX_SAFE_INTEGER, tsoOf(700));
  assert.equal([end.entries.length, end.seq, end.base], [0, 11, 5], 'past the end: the length and the base');
  assert.equal(deletePage(undefined, 3, 9n), { entries: [], seq: 0, from: 3, base: 0, floorTso: 0n, completeTso: 9n });
});

let dir = '', store: LocalObjectStore;
test.before.each(async () => { dir = await mkdtemp(join(tmpdir(), 'nuthatch-deltrim-')); store = new LocalObjectStore(dir); });
test.after.each(async () => { await store.close(); await rm(dir, { recursive: true, force: true }); });

async function checkpointOf(s: ShardData, archives: ArchivedDeletes[], min: number): Promise<ArchivedDeletes[]> {
  const d = snapshotDeletes(V, s, archives, min);
  if (d.write) await writeArchive(store, d.write);
  await saveCheckpoint(store, 'dml_0', { term: 1, applied: 9, replayFrom: 10, vchannels: {}, shards: { [V]: persistShard(s, d) } });
  return d.archives;
}

test('a checkpoint of a trimmed log lists only archives past the trim, and restores the same log', async () => {
  const s = newShard(V, 7);
  for (let i = 0; i < 250; i++) addDelete(s, { pk: i, tso: tsoOf(100 + i) });
  const first = await checkpointOf(s, [], 100); // archive [0, 250)
  for (let i = 250; i < 400; i++) addDelete(s, { pk: i, tso: tsoOf(100 + i) });
  const second = await checkpointOf(s, first, 100); // archive [250, 400)
  assert.equal(second.map((a) => [a.from, a.to]), [[0, 250], [250, 400]]);

  wal.reset();
  evolveShard(s, trim(1000, 100 + 299)); // entries 0..299 go: the first archive wholly, the second's head
  assert.is(s.deleteBase, 300);
  const third = await checkpointOf(s, second, 100);
  assert.equal(third.map((a) => [a.from, a.to]), [[250, 400]], 'the wholly trimmed archive is no longer listed');
  assert.equal(unreferenced(new Map([[V, second]]), new Map([[V, third]])), [second[0]!.key], 'so its object is freed');

  const loaded = (await loadCheckpoint(store, 'dml_0'))!.shards[V]!;
  const back = restoreShard(V, loaded);
  assert.is(back.deleteBase, 300, "the stored archive's trimmed head goes again");
  assert.is(deleteEnd(back), 400);
  assert.equal(back.deletes.map((d) => d.pk), s.deletes.map((d) => d.pk));
  assert.is(back.deleteFloorTso, s.deleteFloorTso);
  assert.not.ok(back.deleteIndex.has(299));
  assert.ok(back.deleteIndex.has(300));
});

test.run();
