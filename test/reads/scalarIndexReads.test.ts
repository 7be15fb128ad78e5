/**
 * Sealed reads through scalar indexes give what the same reads give without
 * them: searches (over an ANN index, whose scan-or-walk decision is the same,
 * and by brute force), grouped searches, queries with and without a page, and
 * counts, with deletes and rows newer than the read. The index only changes
 * which rows are looked at.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { filterPlanner } from '../../actors/query-node/core/filterPlanner.js';
import { querySealed, searchSealed, segmentRows, type IndexSearch, type SealedRead } from '../../actors/query-node/core/sealedSearch.js';
import { shapeOf } from '../../actors/shared/scalarIndex/scalarIndexTypes.js';
import { buildSortedIndex, type SortedIndex } from '../../actors/shared/scalarIndex/sortedIndex.js';
import type { SealedSegment } from '../../actors/shared/segment/segmentFile.js';
import { compileFilter, parseFilter } from '../../messages/filter/index.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { gaussianMixture, mulberry32 } from '../../bench/support/dataset.js';
import { hnswIndexFactory } from '../../runtime/vectorIndex/hnswIndex.js';

const DIM = 8, N = 6000;
const ds = gaussianMixture({ n: N, dim: DIM, clusters: 12, queries: 6, seed: 3 });
const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: DIM },
    { name: 'tag', dataType: 'Int64' }, { name: 'score', dataType: 'Double', nullable: true },
    { name: 'name', dataType: 'VarChar', maxLength: 16 }, { name: 'ok', dataType: 'Bool' },
    { name: 'labels', dataType: 'Array', elementType: 'VarChar', maxCapacity: 3, maxLength: 8 },
  ],
};
const r = mulberry32(5);
const NAMES = ['ann', 'anna', 'bob', 'bea', 'cy', 'dee'];
const seg: SealedSegment = {
  segmentId: 1, collectionId: 1, partitionId: 0, vchannel: 'v', count: N, dim: DIM,
  pks: Array.from({ length: N }, (_, i) => (i * 7919) % N), tsos: Array.from({ length: N }, (_, i) => BigInt(1 + (i % 50))), vectors: ds.vectors,
  fields: {
    tag: Array.from({ length: N }, (_, i) => i % 500),
    score: Array.from({ length: N }, () => (r() < 0.2 ? null : Math.round(r() * 1000) / 10)),
    name: Array.from({ length: N }, (_, i) => NAMES[i % NAMES.length]! + String(i % 97)),
    ok: Array.from({ length: N }, () => r() < 0.3),
    labels: Array.from({ length: N }, (_, i) => ['red', 'blue', 'green', 'gold'].filter((_, j) => (i >> j) % 3 === 0)),
  },
};
const scalar = new Map<string, SortedIndex>(['id', 'tag', 'score', 'name', 'ok', 'labels'].map((f) => {
  const field = schema.fields.find((x) => x.name === f)!;
  return [f, buildSortedIndex(f === 'id' ? seg.pks : seg.fields[f], N, shapeOf(field)!)];
}));
const deletes = new Map(Array.from({ length: 300 }, (_, i) => [(i * 13) % N, [BigInt(20 + (i % 40))]] as [number, bigint[]]));

function reads(filter: string): { plain: SealedRead; indexed: SealedRead } {
  const f = compileFilter(parseFilter(filter), schema);
  const plain: SealedRead = { pkName: 'id', vectorName: 'v', filter: f, partitionIds: null, readTso: 45n, outputFields: ['tag', 'name'], deletes };
  return { plain, indexed: { ...plain, planFilter: filterPlanner(f, schema) } };
}

const FILTERS = [
  'tag == 17', 'tag in [3, 250, 499] and ok', 'tag < 40', 'tag >= 100 and tag < 400', 'score > 50.5 and score <= 60',
  'name like "ann%"', 'name in ["bob5", "cy4"] or tag == 9', 'array_contains(labels, "gold") and tag > 200',
  'tag != 4 and name like "%7"', 'not (tag > 3) and score is not null', 'array_contains_all(labels, ["red", "blue"])',
  '(tag < 10 or tag > 490) and (name like "b%" or ok)', 'id < 300', 'ok',
  // RANDOM_SAMPLE is left to the residual: the index narrows the rest.
  'tag < 40 and RANDOM_SAMPLE(0.5)', 'RANDOM_SAMPLE(0.3) and name like "ann%" and score > 10',
];

test('the plans narrow every filter of the list: the index is used', () => {
  for (const f of FILTERS) assert.ok(segmentRows({ seg, scalar }, reads(f).indexed).candidates, f);
});

test('searches: the same hits with and without scalar indexes, over HNSW and by brute force, grouped too', async () => {
  const hnsw = await hnswIndexFactory.build(ds.vectors, DIM, 'L2', { seed: 9 });
  const walk: IndexSearch = (q, k, accept) => hnsw.search(q, k, accept ? { ef: 64, accept } : { ef: 64 });
  const queries = ds.queries.map((q) => q);
  for (const f of FILTERS) {
    const { plain, indexed } = reads(f);
    for (const index of [walk, null]) {
      const want = searchSealed([{ seg, index }], plain, queries, { k: 10, metric: 'L2' });
      assert.equal(searchSealed([{ seg, index, scalar }], indexed, queries, { k: 10, metric: 'L2' }), want, `${f} ${index ? 'hnsw' : 'scan'}`);
      assert.ok(want.some((hs) => hs.length > 0), `${f} finds something`);
      const group = { field: 'tag', size: 2, strict: true };
      assert.equal(searchSealed([{ seg, index, scalar }], indexed, queries, { k: 5, metric: 'L2', group }), searchSealed([{ seg, index }], plain, queries, { k: 5, metric: 'L2', group }), `${f} grouped`);
    }
  }
});

test('queries and counts: the same rows, pages and numbers', () => {
  for (const f of FILTERS) {
    const { plain, indexed } = reads(f);
    const count = querySealed([{ seg }], plain, true).count;
    assert.is(querySealed([{ seg, scalar }], indexed, true).count, count, f);
    assert.equal(querySealed([{ seg, scalar }], indexed, false), querySealed([{ seg }], plain, false), f);
    for (const page of [{ limit: 7 }, { after: 1234, limit: 20 }, { after: 10, limit: 0 }]) {
      assert.equal(querySealed([{ seg, scalar }], indexed, false, page), querySealed([{ seg }], plain, false, page), `${f} ${JSON.stringify(page)}`);
    }
    for (const order of [[{ field: 'score', desc: true }], [{ field: 'name', desc: false }, { field: 'tag', desc: true }]]) {
      for (const limit of [15, 0]) {
        assert.equal(querySealed([{ seg, scalar }], indexed, false, { limit }, order), querySealed([{ seg }], plain, false, { limit }, order), `${f} ordered ${JSON.stringify(order)} limit ${limit}`);
      }
    }
  }
});

test.run();
