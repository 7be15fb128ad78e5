import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { refused } from '../support/rejects.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';
import type { SearchRequest } from '../../runtime/client/api.js';

/**
 * Primary-key search (Milvus 2.6's): `ids` stand in for query vectors; each
 * answer is the search with that row's vector, of the first or another vector
 * field, sealed or growing, with a filter, a range or grouping as usual.
 */
const DIM = 4;
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
    { name: 'v2', dataType: 'FloatVector' as const, dim: 3 },
    { name: 'kw', dataType: 'SparseFloatVector' as const },
    { name: 'cat', dataType: 'Int64' as const },
  ],
};
const a = vectors(200, DIM, 5), b = vectors(200, 3, 6);
const kw = (i: number) => ({ [String(i % 11)]: 1 + (i % 3), [String(50 + (i % 5))]: 0.5 });
const row = (i: number) => ({ id: i, vec: a[i]!, v2: b[i]!, kw: kw(i), cat: i % 4 });

test('ids stand in for query vectors: same hits as searching with the rows\' vectors', async () => {
  const s = await tempStandalone({ streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } });
  try {
    const indexParams = [
      { indexName: 'vec', fieldName: 'vec', indexType: 'FLAT', params: {} },
      { indexName: 'v2', fieldName: 'v2', indexType: 'FLAT', metricType: 'IP' as const, params: {} },
      { indexName: 'kw', fieldName: 'kw', indexType: 'SPARSE_INVERTED_INDEX', metricType: 'IP' as const, params: {} },
    ];
    await s.client.createCollection({ collectionName: 'pk', schema, metricType: 'L2', shardsNum: 2, indexParams, load: true });
    await s.client.insert('pk', Array.from({ length: 120 }, (_, i) => row(i)));
    await s.client.flush('pk');
    await until(async () => (await s.client.getLoadState('pk')).loadProgress === 100, 'sealed rows served', 30_000);
    await s.client.insert('pk', Array.from({ length: 80 }, (_, i) => row(120 + i))); // growing

    const same = async (what: string, byIds: object, byData: object) => {
      const x = await s.client.search('pk', { limit: 5, consistencyLevel: 'Strong', annsField: 'vec', ...byIds } as SearchRequest);
      const y = await s.client.search('pk', { limit: 5, consistencyLevel: 'Strong', annsField: 'vec', ...byData } as SearchRequest);
      assert.equal(x, y, what);
      return x;
    };
    const first = await same('the first vector field', { ids: [7, 150] }, { data: [a[7]!, a[150]!] });
    assert.equal(first.map((hits) => hits[0]!.id), [7, 150], 'each row is its own nearest');
    await same('another vector field', { ids: [3, 190], annsField: 'v2' }, { data: [b[3]!, b[190]!], annsField: 'v2' });
    await same('a sparse field', { ids: [10], annsField: 'kw' }, { data: [kw(10)], annsField: 'kw' });
    await same('with a filter', { ids: [20], filter: 'cat == 1' }, { data: [a[20]!], filter: 'cat == 1' });
    await same('grouped', { ids: [30], groupingField: 'cat', groupSize: 2 }, { data: [a[30]!], groupingField: 'cat', groupSize: 2 });
    await same('a range search', { ids: [40], searchParams: { params: { radius: 0.5 } } }, { data: [a[40]!], searchParams: { params: { radius: 0.5 } } });

    await refused(s.client.search('pk', { ids: [7, 9999], annsField: 'vec', limit: 3 }), /9999 names no row/);
    await refused(s.client.search('pk', { ids: [7], data: [a[7]!], annsField: 'vec', limit: 3 }), /data or ids, not both/);
    await refused(s.client.search('pk', { ids: [], annsField: 'vec', limit: 3 }), /non-empty/);
    await refused(s.client.search('pk', { ids: ['x'] as never, annsField: 'vec', limit: 3 }), /integers/);
    await s.client.delete('pk', { ids: [8] });
    await refused(s.client.search('pk', { ids: [8], annsField: 'vec', limit: 3, consistencyLevel: 'Strong' }), /names no row/);
  } finally { await s.cleanup(); }
});

test.run();
