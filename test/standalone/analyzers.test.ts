import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { termFrequencies } from '../../messages/analyzer.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { refused } from '../support/rejects.js';
import { V2Client } from '../http/support/v2Client.js';
import { tempStandalone } from './harness.js';

/**
 * A field's analyzer_params reach every place its text is analyzed: the BM25
 * output of inserted rows, BM25 query texts, text_match and phrase_match
 * (growing and sealed), and the highlighter; a field without them keeps the
 * standard analyzer. Through the client and the REST gateway.
 */
const schemaWith = (analyzerParams?: Record<string, unknown>): CollectionSchema => ({
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'text', dataType: 'VarChar', maxLength: 500, enableAnalyzer: true, ...(analyzerParams ? { analyzerParams } : {}) },
    { name: 'sparse', dataType: 'SparseFloatVector' },
    { name: 'vec', dataType: 'FloatVector', dim: 2 },
  ],
  functions: [{ name: 'bm25', type: 'BM25', inputFieldNames: ['text'], outputFieldNames: ['sparse'] }],
});
const docs = [
  { id: 1, text: 'The dogs were running in the park', vec: [1, 0] },
  { id: 2, text: 'A runner runs every morning', vec: [0, 1] },
  { id: 3, text: 'Cats sleep all day', vec: [1, 1] },
];
const indexParams = [
  { indexName: 'v', fieldName: 'vec', indexType: 'FLAT', params: {} },
  { indexName: 'sp', fieldName: 'sparse', indexType: 'SPARSE_INVERTED_INDEX', metricType: 'BM25' as const, params: {} },
];

test('english analyzer: stems and stop words in BM25, text_match, phrase_match and highlights; the standard one unchanged', async () => {
  const s = await tempStandalone({ port: 0 });
  const c = s.client;
  try {
    await c.createCollection({ collectionName: 'en', schema: schemaWith({ type: 'english' }), metricType: 'L2', indexParams, load: true });
    await c.createCollection({ collectionName: 'plain', schema: schemaWith(), metricType: 'L2', indexParams, load: true });
    for (const name of ['en', 'plain']) { await c.insert(name, docs.slice(0, 2)); await c.flush(name); await c.insert(name, docs.slice(2)); }
    const bm25 = async (name: string, q: string) => (await c.search(name, { data: [q], annsField: 'sparse', limit: 10, consistencyLevel: 'Strong' }))[0]!.map((h) => h.id).sort();
    const match = async (name: string, filter: string) => (await c.query(name, { filter, outputFields: ['id'], consistencyLevel: 'Strong' })).map((r) => r.id).sort();
    assert.equal(await bm25('en', 'run'), [1, 2], 'run finds running and runs');
    assert.equal(await bm25('plain', 'run'), [], 'the standard analyzer does not stem');
    assert.equal(await bm25('en', 'the'), [], 'a stop word is no term');
    assert.equal(await match('en', 'text_match(text, "dog")'), [1]);
    assert.equal(await match('plain', 'text_match(text, "dog")'), []);
    assert.equal(await match('en', 'text_match(text, "sleeping cat")'), [3], 'a growing row, stemmed');
    assert.equal(await match('en', 'phrase_match(text, "dog run", 1)'), [1], 'stop words dropped: "were" is the one word between');
    const [hits] = await c.search('en', { data: ['running dogs'], annsField: 'sparse', limit: 1, consistencyLevel: 'Strong', highlighter: { highlight_search_text: true, num_of_fragments: 0 } });
    assert.equal(hits![0]!.highlight, { text: ['The <em>dogs</em> were <em>running</em> in the park'] });
    assert.equal(await c.runAnalyzer(['The Connections'], { analyzerParams: { type: 'english' } }), [['connect']]);
    assert.equal(await c.runAnalyzer('The Connections'), [['the', 'connections']]);
    assert.equal(await c.runAnalyzer('The Connections', { collectionName: 'en', fieldName: 'text', withDetail: true }), [[{ token: 'connect', start_offset: 4, end_offset: 15, position: 0 }]], 'the field\'s analyzer, with offsets');
    const [[hashed]] = await c.runAnalyzer('Connections', { collectionName: 'plain', fieldName: 'text', withHash: true }) as Array<Array<{ hash: number }>>;
    assert.equal(hashed!.hash, termFrequencies('connections').indices[0], 'the hash is the BM25 term index');
    await refused(c.runAnalyzer('x', { collectionName: 'en', fieldName: 'vec' }), /not a VarChar field with enable_analyzer/);
    await refused(c.createCollection({ collectionName: 'bad', schema: schemaWith({ type: 'klingon' }), metricType: 'L2' }), /no 'klingon' analyzer/);
    await refused(c.createCollection({ collectionName: 'bad2', schema: { ...schemaWith(), fields: schemaWith().fields.map((f) => (f.name === 'text' ? { ...f, enableAnalyzer: false, analyzerParams: { type: 'english' } } : f)), functions: [] }, metricType: 'L2' }), /need enable_analyzer/);

    // REST: analyzer_params in elementTypeParams (an object, or its JSON text), described back.
    const http = new V2Client(s.http!.url);
    const fields = [
      { fieldName: 'id', dataType: 'Int64', isPrimary: true },
      { fieldName: 'text', dataType: 'VarChar', elementTypeParams: { max_length: 200, enable_analyzer: true, analyzer_params: '{"tokenizer": "standard", "filter": ["lowercase", {"type": "stemmer", "language": "english"}]}' } },
      { fieldName: 'sparse', dataType: 'SparseFloatVector' },
      { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: 2 } },
    ];
    await http.ok('/collections/create', { collectionName: 'r', schema: { fields, functions: [{ name: 'bm25', type: 'BM25', inputFieldNames: ['text'], outputFieldNames: ['sparse'] }] }, indexParams: [{ fieldName: 'vec', metricType: 'L2', indexType: 'FLAT' }, { fieldName: 'sparse', metricType: 'BM25', indexType: 'SPARSE_INVERTED_INDEX' }] });
    await http.waitLoaded('r');
    const d = await http.ok('/collections/describe', { collectionName: 'r' });
    const p = d.fields.find((f: { name: string }) => f.name === 'text').params.find((x: { key: string }) => x.key === 'analyzer_params');
    assert.equal(JSON.parse(p.value).filter[1], { type: 'stemmer', language: 'english' });
    await http.ok('/entities/insert', { collectionName: 'r', data: docs });
    const found = await http.ok('/entities/search', { collectionName: 'r', data: ['runs'], annsField: 'sparse', limit: 5, consistencyLevel: 'Strong' });
    assert.equal(found.map((h: { id: number }) => h.id).sort(), [1, 2]);
    await http.fails('/collections/create', { collectionName: 'r2', schema: { fields: fields.map((f) => (f.fieldName === 'text' ? { ...f, elementTypeParams: { max_length: 200, enable_analyzer: true, analyzer_params: '{not json' } } : f)) } }, /analyzer_params/);
  } finally { await s.cleanup(); }
});

test.run();
