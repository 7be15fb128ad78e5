import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { searchSealed, type SealedRead } from '../../actors/query-node/core/sealedSearch.js';
import type { SealedSegment } from '../../actors/shared/segment/segmentFile.js';
import { searchBruteForce } from '../../actors/shared/vector/bruteForce.js';
import { collectGroups, GroupCollector, mergeGroupedHits, type GroupBySpec } from '../../actors/shared/vector/groupBy.js';
import { gaussianMixture } from '../../bench/support/dataset.js';
import { hnswIndexFactory } from '../../runtime/vectorIndex/hnswIndex.js';

test('GroupCollector: the first groups seen are kept, each up to size, later groups refused once limit is reached', () => {
  const c = new GroupCollector<string>(2, 2);
  const offered = [['a1', 'x'], ['b1', 'y'], ['a2', 'x'], ['c1', 'z'], ['a3', 'x'], ['b2', 'y']] as const;
  const kept = offered.map(([h, v]) => c.offer(h, v));
  assert.equal(kept, [true, true, true, false, false, true]);
  assert.equal(c.hits(), ['a1', 'a2', 'b1', 'b2'], 'group by group, in the order of their best hit');
  assert.is(c.wantsMore(true), false);
});

test('GroupCollector: an offset skips whole groups; null is a group of its own; wantsMore tells strict from not', () => {
  const c = new GroupCollector<string>(2, 3, 1);
  c.offer('a1', 'x');
  c.offer('n1', null);
  c.offer('a2', 'x');
  c.offer('u1', undefined);
  c.offer('b1', 'y');
  assert.equal(c.hits(), ['n1', 'u1', 'b1']);
  assert.is(c.wantsMore(false), false, 'two groups found: enough unless strict');
  assert.is(c.wantsMore(true), true, 'neither group is full');
  assert.is(new GroupCollector<string>(1, 1).wantsMore(false), true);
});

test('mergeGroupedHits: copies of a key keep the closest; groups formed over the merged ranking', () => {
  const a = [{ pk: 1, distance: 0.1, group: 'x' }, { pk: 2, distance: 0.4, group: 'y' }];
  const b = [{ pk: 3, distance: 0.2, group: 'x' }, { pk: 1, distance: 0.05, group: 'x' }, { pk: 4, distance: 0.3, group: 'z' }];
  const merged = mergeGroupedHits([a, b], 2, 2, 'L2');
  assert.equal(merged.map((h) => [h.pk, h.distance]), [[1, 0.05], [3, 0.2], [4, 0.3]]);
  assert.equal(mergeGroupedHits([a, b], 2, 1, 'IP').map((h) => h.pk), [2, 4], 'IP: larger is better');
  assert.equal(mergeGroupedHits([a, b], 5, 1, 'L2', 1).map((h) => h.pk), [4, 2], 'the best group skipped by the offset');
});

test('collectGroups: an index walk widens until the groups are full (strict) or found (not strict)', () => {
  // Rows 0..99 ranked by row number. Group 0 takes most rows; groups 1 and 2 show up
  // once each at rows 20 and 21, and again only at rows 90 and up.
  const value = (row: number) => (row === 20 ? 1 : row === 21 ? 2 : row < 90 ? 0 : row % 2 ? 1 : 2);
  const asked: number[] = [];
  const search = (k: number) => { asked.push(k); return Array.from({ length: Math.min(k, 100) }, (_, row) => ({ row, distance: row })); };
  const strict: GroupBySpec = { field: 'g', size: 2, strict: true };
  const got = collectGroups(100, value, strict, 3, search, false);
  assert.equal(asked, [6, 24, 96]);
  assert.equal(got.map((h) => h.row), [0, 1, 20, 91, 21, 90]);
  asked.length = 0;
  const loose = collectGroups(100, value, { ...strict, strict: false }, 3, search, false);
  assert.equal(asked, [6, 24]);
  assert.equal(loose.map((h) => h.row), [0, 1, 20, 21], 'three groups found at k 24, two of them short');
  asked.length = 0;
  assert.is(collectGroups(100, value, strict, 4, search, false).length, 6, 'no fourth group: every row was ranked');
  assert.equal(asked, [8, 32, 100]);
  asked.length = 0;
  collectGroups(100, value, strict, 3, search, true);
  assert.equal(asked, [100], 'a scan ranks every row at once');
});

const DIM = 8, N = 2000;
const ds = gaussianMixture({ n: N, dim: DIM, clusters: 20, queries: 20, seed: 3 });
const colors = ['red', 'green', 'blue', 'cyan', 'gray'];
const seg: SealedSegment = {
  segmentId: 1, collectionId: 1, partitionId: 0, vchannel: 'v', count: N, dim: DIM,
  pks: Array.from({ length: N }, (_, i) => i), tsos: new Array<bigint>(N).fill(1n), vectors: ds.vectors,
  // Most rows share one color so plain top-k would return a single group.
  fields: { color: Array.from({ length: N }, (_, i) => (i % 20 === 0 ? colors[(i / 20) % 5]! : 'red')) },
};
const read: SealedRead = { pkName: 'id', vectorName: 'v', filter: null, partitionIds: null, readTso: 10n, outputFields: ['color'], deletes: new Map() };

/** The exact answer: every row ranked, grouped by color. */
function exactGroups(q: Float32Array, limit: number, size: number): number[] {
  const [all] = searchBruteForce({ vectors: ds.vectors, dim: DIM, count: N, metric: 'L2', queries: [q], k: N });
  const c = new GroupCollector<number>(limit, size);
  for (const h of all!) c.offer(h.row, seg.fields.color![h.row]);
  return c.hits();
}

test('a sealed segment grouped by a field: scan and strict index walk give the exact groups', async () => {
  const index = await hnswIndexFactory.build(ds.vectors, DIM, 'L2', { seed: 4, efConstruction: 200 });
  const viaIndex = (q: Float32Array, k: number, accept: ((row: number) => boolean) | undefined) => index.search(q, k, accept ? { ef: Math.max(k, 200), accept } : { ef: Math.max(k, 200) });
  const group: GroupBySpec = { field: 'color', size: 3, strict: true };
  let agree = 0;
  for (const q of ds.queries) {
    const want = exactGroups(q, 4, 3);
    const [scan] = searchSealed([{ seg, index: null }], read, [q], { k: 4, metric: 'L2', group });
    assert.equal(scan!.map((h) => h.pk), want);
    for (const h of scan!) assert.is(h.group, h.fields.color);
    assert.is(new Set(scan!.map((h) => h.group)).size, 4);
    const [walked] = searchSealed([{ seg, index: viaIndex }], read, [q], { k: 4, metric: 'L2', group });
    if (JSON.stringify(walked!.map((h) => h.pk)) === JSON.stringify(want)) agree++;
    assert.is(walked!.length, 12, 'four full groups of three');
  }
  assert.ok(agree >= ds.queries.length - 2, `the index walk matched the exact groups for ${agree} of ${ds.queries.length} queries`);
});

test.run();
