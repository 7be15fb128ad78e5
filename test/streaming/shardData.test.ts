import { walMessages } from '../support/walMessages.js';
import { test } from 'uvu';
import { hidden } from '../../actors/shared/segment/deleteIndex.js';
import * as assert from 'uvu/assert';
import { tsoOf, type AnyMessage } from '../../messages/types.js';
import { evolveShard, newShard, type ShardData } from '../../actors/streaming-node/core/shardData.js';
import { queryGrowing, type GrowingRead } from '../../actors/streaming-node/core/growingSearch.js';
import { persistShard, restoreShard } from '../../actors/streaming-node/shell/checkpoint.js';

/**
 * The delegator's fold of durable messages: transactions become visible as one
 * unit at their commit TSO, and disappear on rollback, expiry or an exclusive DDL;
 * deletes hide only rows written before them (MVCC).
 */
const V = 'dml_0_7v0';
const wal = walMessages(V);
const msg = wal.msg;
const rows = (ids: number[]) => ({ count: ids.length, pks: ids, vectors: new Float32Array(ids.length * 2), fields: {} });
const insert = (ms: number, ids: number[], txn?: number) => msg('Insert', ms, { collectionId: 7, partitionId: 8, segmentId: 9, rows: rows(ids) }, txn);
const del = (ms: number, ids: number[], txn?: number) => msg('Delete', ms, { collectionId: 7, partitionId: -1, pks: ids }, txn);

function shard(...ms: AnyMessage[]): ShardData {
  wal.reset();
  const s = newShard(V, 7);
  for (const m of [msg('CreateSegment', 1, { collectionId: 7, partitionId: 8, segmentId: 9 }), ...ms]) evolveShard(s, m);
  return s;
}
const read = (ms: number): GrowingRead => ({ pkName: 'id', vectorName: 'v', dim: 2, filter: null, partitionIds: null, readTso: tsoOf(ms), outputFields: [] });
const visible = (s: ShardData, ms: number) => queryGrowing(s, read(ms), false).rows.map((r) => r.pk).sort();

test('given a committed transaction, its body is visible at the commit TSO and not before', () => {
  const s = shard(msg('BeginTxn', 10, { keepaliveMs: 10_000 }, 1), insert(11, [1, 2], 1), msg('CommitTxn', 20, {}, 1));
  assert.equal(visible(s, 15), []);
  assert.equal(visible(s, 20), [1, 2]);
});

test('given a rolled-back transaction, nothing of it is ever visible', () => {
  const s = shard(msg('BeginTxn', 10, { keepaliveMs: 10_000 }, 1), insert(11, [1], 1), msg('RollbackTxn', 12, {}, 1), insert(13, [5]));
  assert.equal(visible(s, 100), [5]);
  assert.is(s.txns.size, 0);
});

test('an expired transaction is dropped by the next message after its keep-alive', () => {
  const s = shard(msg('BeginTxn', 10, { keepaliveMs: 1000 }, 1), insert(11, [1], 1));
  assert.is(s.txns.size, 1);
  evolveShard(s, insert(5000, [2]));
  assert.is(s.txns.size, 0);
  evolveShard(s, msg('CommitTxn', 5001, {}, 1));
  assert.equal(visible(s, 6000), [2]);
});

test('an exclusive DDL drops the open transactions of its vchannel', () => {
  const s = shard(msg('BeginTxn', 10, { keepaliveMs: 10_000 }, 1), insert(11, [1], 1), msg('CreatePartition', 12, { collectionId: 7, partition: { id: 99, name: 'p' } }));
  assert.is(s.txns.size, 0);
});

test('a delete hides rows written before it, not rows written after it', () => {
  const s = shard(insert(10, [1, 2]), del(20, [1]), insert(30, [1]));
  assert.equal(visible(s, 15), [1, 2]);
  assert.equal(visible(s, 25), [2]);
  assert.equal(visible(s, 35), [1, 2]);
  assert.ok(hidden(s.deleteIndex.get(1), 0, tsoOf(10), tsoOf(20)));
  assert.not.ok(hidden(s.deleteIndex.get(1), 0, tsoOf(30), tsoOf(40)));
});

test('upsert = delete + insert in one transaction: the old row is hidden and the new one shown at commit', () => {
  const s = shard(insert(10, [1]), msg('BeginTxn', 20, { keepaliveMs: 10_000 }, 2), del(21, [1], 2), insert(22, [1], 2), msg('CommitTxn', 30, {}, 2));
  const at = (ms: number) => queryGrowing(s, read(ms), false).rows.length;
  assert.is(at(25), 1);
  assert.is(at(30), 1);
  assert.is(s.segments.get(9)!.chunks.at(-1)!.tso, tsoOf(30));
});

test('a dropped partition: its segments are sealed and never read; each leaves at its Flush; its hand-offs are forgotten', () => {
  const other = (ms: number, ids: number[]) => msg('Insert', ms, { collectionId: 7, partitionId: 5, segmentId: 10, rows: rows(ids) });
  const s = shard(insert(10, [1, 2]), msg('CreateSegment', 11, { collectionId: 7, partitionId: 5, segmentId: 10 }), other(12, [3]));
  s.handedOff.set(4, { partitionId: 8, version: 2 });
  s.handedOff.set(6, { partitionId: 5, version: 2 });
  const fx = evolveShard(s, msg('DropPartition', 20, { collectionId: 7, partitionId: 8 }));
  assert.equal(fx.sealed, [9]);
  assert.is(s.segments.get(9)!.partitionDropped, true);
  assert.equal(visible(s, 100), [3], 'the dropped partition\'s rows are not read, before their flush either');
  assert.equal([...s.handedOff.keys()], [6], 'segment 4 was handed off from the dropped partition');
  const flushed = evolveShard(s, msg('Flush', 21, { collectionId: 7, segmentId: 9 }));
  assert.equal(flushed.flushed, [9], 'still reported flushed, for the lifecycle');
  assert.equal([...s.segments.keys()], [10]);
});

test('a checkpoint keeps each hand-off\'s partition and version; one written before them restores them as unknown and seen', () => {
  const s = shard(insert(10, [1]));
  s.handedOff.set(4, { partitionId: 8, version: 3 });
  s.handedOff.set(6, { partitionId: 5, version: -1 });
  const stored = persistShard(s);
  assert.equal([...restoreShard(V, stored).handedOff], [[4, { partitionId: 8, version: 3 }], [6, { partitionId: 5, version: -1 }]]);
  const { handedOffPartitions: _p, handedOffVersions: _v, ...legacy } = stored;
  assert.equal([...restoreShard(V, legacy).handedOff], [[4, { partitionId: -1, version: 0 }], [6, { partitionId: -1, version: 0 }]]);
});

test('a restored snapshot\'s deletes join the log with their own TSOs: they hide the rows they hid, not those inserted after', () => {
  // A restored collection's shard: rows carried over (here as inserts at 5 and 30), the snapshot's delete at 20 of both keys.
  const s = shard(insert(5, [1]), insert(30, [2]), msg('RestoreDeletes', 40, { collectionId: 7, entries: [{ pk: 1, tso: tsoOf(20) }, { pk: 2, tso: tsoOf(20) }] }));
  assert.equal(s.deletes.map((d) => [d.pk, d.tso]), [[1, tsoOf(20)], [2, tsoOf(20)]]);
  assert.equal(visible(s, 100), [2], 'row 1 (inserted at 5) is hidden; row 2 (inserted at 30, after the delete) is not');
});

test.run();
