import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { searchSealed, type SealedRead, type SearchSegment } from '../../actors/query-node/core/sealedSearch.js';
import { AsyncSearches, searchesAsync } from '../../actors/query-node/shell/asyncIndexSearch.js';
import type { SealedSegment } from '../../actors/shared/segment/segmentFile.js';
import type { DeleteIndex } from '../../actors/shared/segment/deleteIndex.js';
import { gaussianMixture } from '../../bench/support/dataset.js';
import { diskannFactory } from '../../runtime/vectorIndex/diskann/diskannFactory.js';
import type { DiskannIndex } from '../../runtime/vectorIndex/diskann/diskannIndex.js';
type SearchShape = Parameters<typeof searchSealed>[3];

/**
 * A query node searches DISKANN through searchAsync (actors/query-node/shell/asyncIndexSearch.ts):
 * the pure core runs as passes, the index calls it made run together between them. Every answer
 * equals the synchronous path's (search), over two segments, unfiltered, with deletes, with a
 * range and grouped (whose k widens with what earlier calls found); the reads are tallied.
 */
const DIM = 16, N = 1500;
const ds = gaussianMixture({ n: 2 * N, dim: DIM, clusters: 20, queries: 12, seed: 5 });
const segOf = (i: number): SealedSegment => ({
  segmentId: i + 1, collectionId: 1, partitionId: 0, vchannel: 'v', count: N, dim: DIM,
  pks: Array.from({ length: N }, (_, r) => i * N + r), tsos: new Array<bigint>(N).fill(1n), vectors: ds.vectors.subarray(i * N * DIM, (i + 1) * N * DIM),
  // Most rows one colour: a grouped search must widen its k to find the others.
  fields: { color: Array.from({ length: N }, (_, r) => (r % 40 === 0 ? ['green', 'blue', 'cyan'][(r / 40) % 3]! : 'red')) },
});
const segs = [segOf(0), segOf(1)];
const readOf = (deletes: DeleteIndex = new Map()): SealedRead => ({ pkName: 'id', vectorName: 'v', filter: null, partitionIds: null, readTso: 10n, outputFields: ['color'], deletes });

let dir = '';
let indexes: DiskannIndex[] = [];

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nuthatch-diskann-async-'));
  const f = diskannFactory(dir, { cpus: 2 });
  // Loaded from their files, as a query node holds them: records read from a local file.
  indexes = await Promise.all(segs.map(async (s) => f.load(await (await f.build(s.vectors, DIM, 'L2', { maxDegree: 24, searchCacheBudgetGbRatio: 0.02 })).serialize(), DIM, 'L2') as Promise<DiskannIndex>));
});
test.after(async () => { for (const x of indexes) x.close(); await rm(dir, { recursive: true, force: true }); });

function both(read: SealedRead, shape: SearchShape, opts = { searchList: 24 }) {
  const queries = ds.queries.slice(0, 6);
  const syncSegs: SearchSegment[] = segs.map((seg, i) => ({ seg, index: (q, k, accept) => indexes[i]!.search(q, k, accept ? { ...opts, accept } : opts) }));
  const expected = searchSealed(syncSegs, read, queries, shape);
  const a = new AsyncSearches();
  return { expected, got: a.run(() => searchSealed(segs.map((seg, i) => ({ seg, index: a.searchOf(indexes[i]!, opts) })), read, queries, shape)), a };
}

test('a DISKANN index searches asynchronously; a keyed or row-mapped wrapper does not', () => {
  assert.ok(searchesAsync(indexes[0]));
  assert.not.ok(searchesAsync(undefined));
  assert.not.ok(searchesAsync({ metric: 'L2', dim: 1, count: 0, search: () => [], serialize: async () => new Uint8Array() }));
});

test('unfiltered and with deletes: the same hits as the synchronous search, in two passes, reads tallied', async () => {
  for (const deletes of [new Map(), new Map(Array.from({ length: N }, (_, i) => [i * 2, [5n]] as const))] as DeleteIndex[]) {
    const { expected, got, a } = both(readOf(deletes), { k: 10, metric: 'L2' });
    assert.equal(await got, expected);
    assert.ok(expected.every((hs) => hs.length === 10));
    assert.is(a.passes, 2, 'one pass to learn the calls, one to answer them');
    assert.ok(a.tally.fileReads > 0 && a.tally.cacheHits > 0, `reads tallied (${JSON.stringify(a.tally)})`);
  }
  const { expected } = both(readOf(new Map(Array.from({ length: N }, (_, i) => [i * 2, [5n]] as const))), { k: 10, metric: 'L2' });
  assert.ok(expected.flat().every((h) => (h.pk as number) % 2 === 1 || (h.pk as number) >= N), 'deleted rows never come back');
});

test('a range search and a grouped search (k widening between passes) answer as the synchronous one', async () => {
  const ranged = both(readOf(), { k: 20, metric: 'L2', range: { radius: 60, rangeFilter: 5 } });
  assert.equal(await ranged.got, ranged.expected);
  assert.ok(ranged.expected.some((hs) => hs.length > 0));
  const grouped = both(readOf(), { k: 4, metric: 'L2', group: { field: 'color', size: 2, strict: true } });
  assert.equal(await grouped.got, grouped.expected);
  assert.ok(grouped.expected.every((hs) => new Set(hs.map((h) => h.group)).size === 4), 'four groups found');
  assert.ok(grouped.a.passes > 2, `the widening took more passes (${grouped.a.passes})`);
});

test.run();
