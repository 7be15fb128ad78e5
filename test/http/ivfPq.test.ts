/**
 * IVF_PQ and SCANN through the REST gateway: indexes/create with the params
 * as Milvus's RESTful API sends them (index_type inside params, numbers as
 * text, with_raw_data a boolean), described back normalised; a search with
 * nprobe and reorder_k beside params, as older clients send them, answering
 * as the client does; bad m and reorder_k refused, writing nothing.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gaussianMixture } from '../../bench/support/dataset.js';
import { tempStandalone, untilIndexedAndLoaded } from '../standalone/harness.js';
import { V2Client } from './support/v2Client.js';

const DIM = 8, N = 600;
const ds = gaussianMixture({ n: N, dim: DIM, clusters: 10, sigma: 1, queries: 3, seed: 3 });

test('REST: indexes/create makes IVF_PQ and SCANN indexes; search takes nprobe and reorder_k', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    const http = new V2Client(s.http!.url);
    const fields = [{ fieldName: 'id', dataType: 'Int64', isPrimary: true }, { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: DIM } }];
    for (const name of ['pq', 'sc']) await http.ok('/collections/create', { collectionName: name, metricType: 'L2', schema: { autoId: false, fields } });
    await http.fails('/indexes/create', { collectionName: 'pq', indexParams: [{ fieldName: 'vec', indexName: 'v', metricType: 'L2', params: { index_type: 'IVF_PQ', nlist: '8' } }] }, /index param m of IVF_PQ is required/);
    assert.equal(await http.ok('/indexes/list', { collectionName: 'pq' }), []);
    await http.ok('/indexes/create', { collectionName: 'pq', indexParams: [{ fieldName: 'vec', indexName: 'v', metricType: 'L2', params: { index_type: 'IVF_PQ', nlist: '8', m: '4', nbits: 6 } }] });
    await http.ok('/indexes/create', { collectionName: 'sc', indexParams: [{ fieldName: 'vec', indexName: 'v', metricType: 'L2', indexType: 'SCANN', params: { nlist: 8, with_raw_data: false } }] });
    const [pqIx] = await http.ok('/indexes/describe', { collectionName: 'pq', indexName: 'v' });
    const [scIx] = await http.ok('/indexes/describe', { collectionName: 'sc', indexName: 'v' });
    assert.equal([pqIx.indexType, pqIx.params.m, pqIx.params.nbits, pqIx.params.nlist], ['IVF_PQ', 4, 6, 8]);
    assert.equal([scIx.indexType, scIx.params.with_raw_data], ['SCANN', 'false']);

    const data = Array.from({ length: N }, (_, id) => ({ id, vec: Array.from(ds.vectors.subarray(id * DIM, (id + 1) * DIM)) }));
    for (const name of ['pq', 'sc']) {
      await http.ok('/entities/insert', { collectionName: name, data });
      await s.client.flush(name);
      await http.ok('/collections/load', { collectionName: name });
      await untilIndexedAndLoaded(s, name, N);
    }
    for (const name of ['pq', 'sc']) {
      const q = Array.from(ds.queries[0]!);
      const hits = await http.ok('/entities/search', { collectionName: name, data: [q], annsField: 'vec', limit: 5, consistencyLevel: 'Strong', searchParams: { nprobe: 8, reorder_k: 20, params: {} } });
      const [mine] = await s.client.search(name, { data: [q], limit: 5, consistencyLevel: 'Strong', searchParams: { params: { nprobe: 8, reorder_k: 20 } } });
      assert.equal(hits.map((h: { id: number; distance: number }) => [h.id, h.distance]), mine!.map((h) => [h.id, h.distance]), name);
      assert.is(hits.length, 5);
      await http.fails('/entities/search', { collectionName: name, data: [q], annsField: 'vec', limit: 5, searchParams: { params: { reorder_k: 2 } } }, /reorder_k \(2\) must be at least the search's topk/);
    }
  } finally { await s.cleanup(); }
});

test.run();
