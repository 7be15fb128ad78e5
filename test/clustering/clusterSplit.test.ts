/**
 * Clustering compaction's pure parts: where rows sorted by the key are cut
 * (clusterSplit.ts), and the rewrite of segments into contiguous key ranges
 * without deleted rows (segmentCluster.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { orderByKey, splitPoints } from '../../actors/data-node/core/clusterSplit.js';
import { clusterSegments } from '../../actors/data-node/core/segmentCluster.js';
import { compareKeys } from '../../actors/shared/cluster/keyRange.js';
import type { SealedSegment } from '../../actors/shared/segment/segmentFile.js';
import type { DeleteIndex } from '../../actors/shared/segment/deleteIndex.js';

const groupsOf = (keys: unknown[], cuts: number[]) => [0, ...cuts, keys.length].slice(0, -1).map((s, i) => keys.slice(s, [0, ...cuts, keys.length][i + 1]));

test('distinct keys: about n / target groups of equal size (quantiles)', () => {
  const keys = Array.from({ length: 1000 }, (_, i) => i);
  const cuts = splitPoints(keys, 100);
  assert.is(cuts.length, 9);
  for (const g of groupsOf(keys, cuts)) assert.is(g.length, 100);
  assert.equal(splitPoints(keys.slice(0, 250), 100).length + 1, 3, 'ceil(250 / 100) groups');
  assert.equal(splitPoints(keys.slice(0, 40), 100), [], 'fewer rows than the target: one group');
  assert.equal(splitPoints([], 10), []);
});

test('runs of equal keys (and nulls) never span two groups, so ranges are disjoint', () => {
  const keys = [null, null, null, 1, 1, 1, 1, 1, 1, 1, 2, 3, 3, 3, 4, 5, 5, 5, 5, 6];
  const cuts = splitPoints(keys, 4);
  const groups = groupsOf(keys, cuts);
  assert.ok(groups.length >= 3, `several groups: ${JSON.stringify(groups)}`);
  for (let i = 1; i < groups.length; i++) assert.ok(compareKeys(groups[i - 1]!.at(-1), groups[i]![0]) < 0, `group ${i} starts after the last key of group ${i - 1}`);
  assert.equal(splitPoints(Array(50).fill(7), 5), [], 'one key value: one group');
  assert.throws(() => splitPoints([1, 2], 0));
});

test('orderByKey: nulls first, strings by code unit, ties by primary key', () => {
  assert.equal(orderByKey(['b', null, 'B', 'a', 'b'], [5, 4, 3, 2, 1]), [1, 2, 3, 4, 0]);
});

const seg = (segmentId: number, rows: Array<[number, number | null]>): SealedSegment => ({
  segmentId, collectionId: 1, partitionId: 2, vchannel: 'v', count: rows.length, dim: 1,
  pks: rows.map(([pk]) => pk), tsos: rows.map(([pk]) => BigInt(100 + pk)), vectors: Float32Array.from(rows.map(([pk]) => pk / 10)),
  fields: { key: rows.map(([, k]) => k), tag: rows.map(([pk]) => `t${pk}`) },
});

test('clusterSegments: contiguous, disjoint ranges; every live row once with its vector, fields and TSO; deleted rows out', () => {
  const a = seg(10, Array.from({ length: 30 }, (_, i) => [i, (i * 7) % 50] as [number, number]));
  const b = seg(11, Array.from({ length: 30 }, (_, i) => [100 + i, i % 3 === 0 ? null : (i * 11) % 50] as [number, number | null]));
  const deletes: DeleteIndex = new Map([[3, [200n]], [105, [50n]]]); // 3 deleted after its insert; 105's delete is older than the row
  const r = clusterSegments([a, b], [20, 21, 22, 23, 24, 25, 26], 'key', 10, deletes, 1000n);
  assert.is(r.removed, 1);
  const out = r.segs.map((s) => s.seg);
  assert.equal(out.map((s) => s.segmentId), [20, 21, 22, 23, 24, 25].slice(0, out.length));
  assert.ok(out.length >= 5 && out.length <= 7, `about 59 / 10 segments, got ${out.length}`);
  const pks = out.flatMap((s) => s.pks).sort((x, y) => Number(x) - Number(y));
  assert.equal(pks, [...a.pks, ...b.pks].filter((p) => p !== 3).sort((x, y) => Number(x) - Number(y)), 'every row but the deleted one, once');
  for (const s of out) {
    s.pks.forEach((pk, i) => {
      const src = Number(pk) < 100 ? a : b, j = src.pks.indexOf(pk);
      assert.is(s.vectors[i], src.vectors[j]); assert.is(s.tsos[i], src.tsos[j]); assert.is(s.fields.tag![i], src.fields.tag![j]); assert.is(s.fields.key![i], src.fields.key![j]);
    });
  }
  const ranges = r.segs.map((s) => s.range).filter((x) => x !== undefined);
  for (let i = 1; i < ranges.length; i++) assert.ok(ranges[i - 1]!.max < ranges[i]!.min, `range ${i} after range ${i - 1}: ${JSON.stringify(ranges)}`);
  for (const { seg: s, range } of r.segs) {
    const ks = s.fields.key!.filter((k): k is number => typeof k === 'number');
    if (range) assert.equal([range.min, range.max], [Math.min(...ks), Math.max(...ks)]);
  }
  assert.throws(() => clusterSegments([a, b], [20], 'key', 10, new Map(), 1000n), /needs \d+ segment ids/);
  assert.equal(clusterSegments([seg(12, [[1, 5]])], [30], 'key', 10, new Map([[1, [200n]]]), 1000n).segs, [], 'every row deleted: no segment');
});

test.run();
