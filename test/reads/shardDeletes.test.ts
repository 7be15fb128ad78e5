import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyDeletePage, heldFileVerdict, newShardDeletes, readsFile } from '../../actors/query-node/core/shardDeletes.js';
import { rewriteAppliedTso } from '../../actors/shared/segment/deleteCover.js';
import type { DeleteEntry } from '../../messages/rpc/records.js';

/**
 * A query node's copy of a shard's delete log (query-node/core/shardDeletes.ts):
 * trimmed with the log but never past the files it holds; a copy that skipped
 * a trimmed head, or trimmed past a file loaded later, says which files it can
 * no longer read (their deleted rows would show); current files, whose covers
 * reach the log's floor, it always reads.
 */
const e = (pk: number, tso: number): DeleteEntry => ({ pk, tso: BigInt(tso) });
/** The log: deletes of keys 1..6 at TSOs 10..60. */
const LOG = [e(1, 10), e(2, 20), e(3, 30), e(4, 40), e(5, 50), e(6, 60)];
const page = (fromSeq: number, base: number, floorTso: number) => {
  const from = Math.max(fromSeq, base);
  return { entries: LOG.slice(from), from, floorTso: BigInt(floorTso) };
};

test('a copy read from the start keeps the deletes its files need when the log is trimmed past them', () => {
  const d = newShardDeletes();
  applyDeletePage(d, page(0, 0, 0), [5n]);
  assert.is(d.seq, 6);
  assert.is(d.index.size, 6);
  // The log trims up to 45 (every current record covers it), but this node still serves a file covered only to 25.
  applyDeletePage(d, { entries: [], from: 6, floorTso: 45n }, [25n]);
  assert.is(d.floorTso, 25n);
  assert.equal([...d.index.keys()], [3, 4, 5, 6], 'deletes above 25 stay for the old file');
  assert.ok(readsFile(d, 25n), 'the old file reads right');
  assert.ok(readsFile(d, 45n), 'so does the current one');
});

test('a copy that skipped a trimmed head cannot read a file older than the log floor, whatever it holds', () => {
  // A node (restarted, or new to the shard) reads the log after a trim at 45: entries 0..3 are gone.
  const d = newShardDeletes();
  applyDeletePage(d, page(0, 4, 45), [25n]);
  assert.is(d.seq, 6);
  assert.equal([...d.index.keys()], [5, 6]);
  assert.is(d.floorTso, 45n, 'it lacks every delete up to the floor, even though a file it holds needs them');
  assert.not.ok(readsFile(d, 25n), 'a file covered only to 25 would show keys 3 and 4');
  assert.ok(readsFile(d, 45n), 'a current file (cover at the floor) reads right');
  assert.ok(readsFile(d, 70n));
});

test('a copy trimmed with no old file held refuses an old file loaded afterwards', () => {
  const d = newShardDeletes();
  applyDeletePage(d, page(0, 0, 0), [50n]);
  applyDeletePage(d, { entries: [], from: 6, floorTso: 45n }, [50n]);
  assert.is(d.floorTso, 45n);
  assert.not.ok(readsFile(d, 25n), 'an old file loaded after the trim finds deletes 3 and 4 gone');
});

test('a copy behind the log catches up page by page; a page from its own place skips nothing', () => {
  const d = newShardDeletes();
  applyDeletePage(d, { entries: LOG.slice(0, 2), from: 0, floorTso: 0n }, [5n]);
  applyDeletePage(d, { entries: LOG.slice(2), from: 2, floorTso: 15n }, [5n]);
  assert.is(d.seq, 6);
  assert.is(d.floorTso, 5n, 'clamped by the file held, not raised by the log');
  assert.is(d.maxTso, 60n);
  assert.ok(readsFile(d, 5n));
});

test('a held file below the floor: read with its current record\'s cover if it is still the file, refused and replaced if superseded', () => {
  // A node that read the log after a trim at 45 holds files loaded from records as they were before it.
  const d = newShardDeletes();
  applyDeletePage(d, page(0, 4, 45), [25n]);
  // Compaction examined the file, kept it and raised its record's cover to 50: the copy held says 25.
  assert.is(heldFileVerdict(d, { dataKey: 'b.seg', cover: 25n }, { dataKey: 'b.seg', cover: 50n }), 'adopt');
  // Compaction rewrote the segment: the held file is superseded (its rows may be deleted by keys 3 and 4).
  assert.is(heldFileVerdict(d, { dataKey: 'a.seg', cover: 25n }, { dataKey: 'a-2.seg', cover: 50n }), 'reload');
  // Gone (dropped, merged away), or a current record that does not cover the floor either: nothing reads it right.
  assert.is(heldFileVerdict(d, { dataKey: 'a.seg', cover: 25n }, undefined), 'refuse');
  assert.is(heldFileVerdict(d, { dataKey: 'b.seg', cover: 25n }, { dataKey: 'b.seg', cover: 30n }), 'refuse');
});

test('a merge claims at least its parts\' least cover: a horizon held back below a trim does not make its file unreadable', () => {
  const parts = [{ rows: 10, rowsFromTso: 5n, deletesAppliedTso: 50n }, { rows: 4, rowsFromTso: 48n }, { rows: 0 }];
  assert.is(rewriteAppliedTso(parts, 30n), 48n);
  assert.is(rewriteAppliedTso(parts, 70n), 70n);
  assert.is(rewriteAppliedTso([], 30n), 30n);
});

test.run();
