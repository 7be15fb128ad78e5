/**
 * MinHash through the REST gateway: a collection created with a MinHash
 * schema function (params as Milvus's SDKs send them, text included), a
 * MINHASH_LSH index made by indexes/create (booleans and numbers), rows
 * inserted as text, a search by text with mh_search_with_jaccard: the same
 * hits as the client's search; an upsert's signature made from its new
 * text; the function and its params described; a
 * band count that does not divide the signature refused, writing nothing.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempStandalone } from '../standalone/harness.js';
import { V2Client } from './support/v2Client.js';

const texts = [
  'the quick brown fox jumps over the lazy dog near the river bank',
  'the quick brown fox jumps over the lazy cat near the river bank',
  'a completely different sentence about vector databases and search',
  'another unrelated line on write ahead logs and segment compaction',
];

test('REST: MinHash function, MINHASH_LSH index, text search with mh_search_with_jaccard', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    const http = new V2Client(s.http!.url);
    await http.ok('/collections/create', {
      collectionName: 'dedup', metricType: 'MHJACCARD',
      schema: {
        autoId: false, enableDynamicField: false,
        fields: [
          { fieldName: 'id', dataType: 'Int64', isPrimary: true },
          { fieldName: 'text', dataType: 'VarChar', elementTypeParams: { max_length: 1000, enable_analyzer: true } },
          { fieldName: 'sig', dataType: 'BinaryVector', elementTypeParams: { dim: 512 } },
        ],
        functions: [{ name: 'mh', type: 'MinHash', inputFieldNames: ['text'], outputFieldNames: ['sig'], params: { num_hashes: '16', shingle_size: 2, seed: 42 } }],
      },
    });
    const d = await http.ok('/collections/describe', { collectionName: 'dedup' });
    assert.equal(d.functions, [{ name: 'mh', type: 'MINHASH', description: '', inputFieldNames: ['text'], outputFieldNames: ['sig'], params: [{ key: 'num_hashes', value: '16' }, { key: 'shingle_size', value: '2' }, { key: 'seed', value: '42' }] }]);
    await http.fails('/indexes/create', { collectionName: 'dedup', indexParams: [{ fieldName: 'sig', indexName: 'bad', metricType: 'MHJACCARD', params: { index_type: 'MINHASH_LSH', mh_lsh_band: 5 } }] }, /mh_lsh_band/);
    assert.equal(await http.ok('/indexes/list', { collectionName: 'dedup' }), []);
    await http.ok('/indexes/create', { collectionName: 'dedup', indexParams: [{ fieldName: 'sig', indexName: 'sig_lsh', metricType: 'MHJACCARD', params: { index_type: 'MINHASH_LSH', mh_lsh_band: 8, mh_element_bit_width: 32, with_raw_data: true } }] });
    const [ix] = await http.ok('/indexes/describe', { collectionName: 'dedup', indexName: 'sig_lsh' });
    assert.is(ix.indexType, 'MINHASH_LSH');
    assert.is(ix.params.mh_lsh_band, 8);
    await http.ok('/collections/load', { collectionName: 'dedup' });
    await http.waitLoaded('dedup');
    await http.ok('/entities/insert', { collectionName: 'dedup', data: texts.map((text, id) => ({ id, text })) });
    await http.fails('/entities/insert', { collectionName: 'dedup', data: [{ id: 9, text: 'x', sig: [1, 2] }] }, /output of a MINHASH function/);
    const body = { collectionName: 'dedup', data: [texts[0]], annsField: 'sig', limit: 3, consistencyLevel: 'Strong', searchParams: { metricType: 'MHJACCARD', params: { mh_search_with_jaccard: true } } };
    const hits = await http.ok('/entities/search', body);
    const [mine] = await s.client.search('dedup', { data: [texts[0]!], annsField: 'sig', limit: 3, consistencyLevel: 'Strong', searchParams: { params: { mh_search_with_jaccard: true } } });
    assert.equal(hits.map((h: { id: number; distance: number }) => [h.id, h.distance]), mine!.map((h) => [h.id, h.distance]));
    assert.equal(hits.slice(0, 2).map((h: { id: number }) => h.id), [0, 1], 'the text itself, then its near-duplicate');
    assert.is(hits[0].distance, 1);
    assert.ok(hits[1].distance > 0.3 && hits[1].distance < 1, `near-duplicate similarity ${hits[1].distance}`);
    await http.fails('/entities/search', { ...body, searchParams: { params: { mh_search_with_jaccard: 'yes' } } }, /mh_search_with_jaccard/);
    // An upsert computes the signature again from the new text.
    await http.ok('/entities/upsert', { collectionName: 'dedup', data: [{ id: 3, text: texts[0] }] });
    const again = await http.ok('/entities/search', body);
    assert.equal(again.slice(0, 2).map((h: { id: number; distance: number }) => [h.id, h.distance]), [[0, 1], [3, 1]]);
  } finally { await s.cleanup(); }
});

test.run();
