/**
 * DISKANN through the REST gateway: indexes/create with the type inside
 * params and Milvus's build knobs as strings, described back as numbers; a
 * max_degree out of range refused, creating nothing; entities/search with
 * search_list gives the client's answer, and a search_list below the limit
 * is refused.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mulberry32 } from '../../bench/support/dataset.js';
import { tempStandalone, untilIndexedAndLoaded } from '../standalone/harness.js';
import { V2Client } from './support/v2Client.js';

const DIM = 8, N = 400;
const rand = mulberry32(23);
const rows = Array.from({ length: N }, (_, id) => ({ id, vec: Array.from({ length: DIM }, () => rand() * 2 - 1) }));

test('REST: indexes/create DISKANN with max_degree and pq_code_budget_gb_ratio; entities/search with search_list', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    const http = new V2Client(s.http!.url);
    await http.ok('/collections/create', {
      collectionName: 'dk', metricType: 'IP',
      schema: { autoId: false, enableDynamicField: false, fields: [{ fieldName: 'id', dataType: 'Int64', isPrimary: true }, { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: DIM } }] },
    });
    await http.fails('/indexes/create', { collectionName: 'dk', indexParams: [{ fieldName: 'vec', indexName: 'bad', metricType: 'IP', params: { index_type: 'DISKANN', max_degree: 600 } }] }, /max_degree of DISKANN must be an integer in 1..512/);
    await http.fails('/indexes/create', { collectionName: 'dk', indexParams: [{ fieldName: 'vec', indexName: 'bad', metricType: 'IP', params: { index_type: 'DISKANN', pq_code_budget_gb_ratio: 0.5 } }] }, /pq_code_budget_gb_ratio/);
    assert.equal(await http.ok('/indexes/list', { collectionName: 'dk' }), []);
    await http.ok('/indexes/create', { collectionName: 'dk', indexParams: [{ fieldName: 'vec', indexName: 'vec_dk', metricType: 'IP', params: { index_type: 'DISKANN', max_degree: '32', pq_code_budget_gb_ratio: '0.25' } }] });
    const [ix] = await http.ok('/indexes/describe', { collectionName: 'dk', indexName: 'vec_dk' });
    assert.equal([ix.indexType, ix.params.max_degree, ix.params.search_list_size, ix.params.pq_code_budget_gb_ratio], ['DISKANN', 32, 100, 0.25]);
    await http.ok('/collections/load', { collectionName: 'dk' });
    await http.waitLoaded('dk');
    await http.ok('/entities/insert', { collectionName: 'dk', data: rows });
    await s.client.flush('dk');
    await untilIndexedAndLoaded(s, 'dk', N);
    const body = { collectionName: 'dk', data: [rows[5]!.vec], annsField: 'vec', limit: 5, consistencyLevel: 'Strong', searchParams: { params: { search_list: 40 } } };
    const hits = await http.ok('/entities/search', body);
    const [mine] = await s.client.search('dk', { data: [rows[5]!.vec], limit: 5, consistencyLevel: 'Strong', searchParams: { params: { search_list: 40 } } });
    assert.is(hits.length, 5);
    assert.equal(hits.map((h: { id: number; distance: number }) => [h.id, h.distance]), mine!.map((h) => [h.id, h.distance]));
    await http.fails('/entities/search', { ...body, searchParams: { params: { search_list: 3 } } }, /search_list \(3\) must be at least topk/);
  } finally { await s.cleanup(); }
});

test.run();
