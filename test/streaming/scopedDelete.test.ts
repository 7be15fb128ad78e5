import { walMessages } from '../support/walMessages.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tsoOf, type AnyMessage } from '../../messages/types.js';
import { evolveShard, newShard, trimDeletes, type ShardData } from '../../actors/streaming-node/core/shardData.js';
import { queryGrowing } from '../../actors/streaming-node/core/growingSearch.js';
import { persistShard, restoreShard } from '../../actors/streaming-node/shell/checkpoint.js';
import { decodeValue, encodeValue } from '../../messages/valueCodec.js';
import { hidden, indexOf, trimIndex } from '../../actors/shared/segment/deleteIndex.js';
import { compactSegment } from '../../actors/data-node/core/segmentCompaction.js';
import { acceptRow, type SealedRead } from '../../actors/query-node/core/sealedSearch.js';
import type { SealedSegment } from '../../actors/shared/segment/segmentFile.js';

/**
 * A delete that names a partition reaches only that partition's rows, in every
 * place deletes apply: the growing fold, a sealed read, compaction, and what a
 * checkpoint and a trim keep. A key may live in two partitions (keys are not
 * unique across partitions), so a scoped delete must leave the other copy.
 */
const V = 'dml_0_7v0';
const wal = walMessages(V);
const msg = wal.msg;
const rows = (ids: number[]) => ({ count: ids.length, pks: ids, vectors: new Float32Array(ids.length * 2), fields: {} });
const insert = (ms: number, partitionId: number, segmentId: number, ids: number[]) => msg('Insert', ms, { collectionId: 7, partitionId, segmentId, rows: rows(ids) });
const del = (ms: number, partitionId: number, ids: number[]) => msg('Delete', ms, { collectionId: 7, partitionId, pks: ids });

/** Partitions 1 and 2 each hold keys 1..3 in their own growing segment. */
function twoPartitions(...ms: AnyMessage[]): ShardData {
  wal.reset();
  const s = newShard(V, 7);
  for (const m of [
    msg('CreateSegment', 1, { collectionId: 7, partitionId: 1, segmentId: 11 }),
    msg('CreateSegment', 1, { collectionId: 7, partitionId: 2, segmentId: 12 }),
    insert(10, 1, 11, [1, 2, 3]), insert(10, 2, 12, [1, 2, 3]), ...ms,
  ]) evolveShard(s, m);
  return s;
}
const visible = (s: ShardData, ms: number, partition: number) => queryGrowing(s, {
  pkName: 'id', vectorName: 'v', dim: 2, filter: null, partitionIds: new Set([partition]), readTso: tsoOf(ms), outputFields: [],
}, false).rows.map((r) => r.pk).sort();

test('a delete naming a partition hides its key there and nowhere else; -1 hides it everywhere', () => {
  const s = twoPartitions(del(20, 1, [1]), del(30, -1, [2]));
  assert.equal(visible(s, 25, 1), [2, 3]);
  assert.equal(visible(s, 25, 2), [1, 2, 3], 'partition 2 keeps key 1');
  assert.equal(visible(s, 35, 1), [3]);
  assert.equal(visible(s, 35, 2), [1, 3]);
  assert.equal(s.deletes.map((d) => d.partitionId), [1, undefined], 'the log keeps the scope; an unscoped entry carries none');
});

test('a scoped delete survives a checkpoint round trip with its scope', () => {
  const s = twoPartitions(del(20, 1, [1]));
  const back = restoreShard(V, decodeValue(encodeValue(persistShard(s))) as unknown as Parameters<typeof restoreShard>[1]);
  assert.equal(back.deletes.map((d) => ({ ...d })), [{ pk: 1, tso: tsoOf(20), partitionId: 1 }]);
  assert.ok(hidden(back.deleteIndex.get(1), 1, tsoOf(10), tsoOf(20)));
  assert.not.ok(hidden(back.deleteIndex.get(1), 2, tsoOf(10), tsoOf(20)));
});

test('trimming drops scoped marks at or below the floor like any other', () => {
  const s = twoPartitions(del(20, 1, [1]), del(30, 2, [1]), del(40, -1, [1]));
  trimDeletes(s, tsoOf(30));
  assert.equal(s.deleteIndex.get(1), [tsoOf(40)]);
  const index = indexOf([{ pk: 'a', tso: 5n, partitionId: 3 }, { pk: 'a', tso: 9n }]);
  trimIndex(index, 5n);
  assert.equal(index.get('a'), [9n]);
  trimIndex(index, 9n);
  assert.not.ok(index.has('a'));
});

const sealed = (partitionId: number): SealedSegment => ({
  segmentId: 20 + partitionId, collectionId: 7, partitionId, vchannel: V, count: 3, dim: 2,
  pks: [1, 2, 3], tsos: [10n, 10n, 10n], vectors: new Float32Array(6), fields: {},
});

test('a sealed read applies a scoped delete only to segments of its partition', () => {
  const deletes = indexOf([{ pk: 2, tso: 20n, partitionId: 1 }]);
  const read: SealedRead = { pkName: 'id', vectorName: 'v', filter: null, partitionIds: null, readTso: 30n, outputFields: [], deletes };
  const keep = (seg: SealedSegment) => { const f = acceptRow(seg, read); return [0, 1, 2].filter((r) => f === undefined || (f !== null && f(r))).map((r) => seg.pks[r]); };
  assert.equal(keep(sealed(1)), [1, 3]);
  assert.equal(keep(sealed(2)), [1, 2, 3]);
});

test('compaction removes a scoped delete\'s rows only from segments of its partition', () => {
  const deletes = indexOf([{ pk: 2, tso: 20n, partitionId: 1 }, { pk: 3, tso: 20n }]);
  const one = compactSegment(sealed(1), deletes, 30n);
  const two = compactSegment(sealed(2), deletes, 30n);
  assert.equal(one.seg.pks, [1]);
  assert.equal(two.seg.pks, [1, 2]);
  assert.is(two.removed, 1);
});

test.run();
