import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { termFrequencies, fieldAnalyzer } from '../../messages/analyzer.js';
import type { CollectionSchema, FieldSchema } from '../../messages/schema.js';
import { ANALYZER_VERSION } from '../../messages/text/analyzerParams.js';
import { refused } from '../support/rejects.js';
import { V2Client } from '../http/support/v2Client.js';
import { tempStandalone } from './harness.js';

/**
 * multi_analyzer_params end to end: each row's BM25 terms come from the
 * analyzer its `lang` value picks (default for a null or unknown one), a BM25
 * search analyzes its text with the analyzer analyzerName names, text_match
 * and the highlighter follow each row's analyzer, runAnalyzer takes analyzer
 * names; sealed and growing rows alike, through the client and REST. And
 * analyzer revisions: a field of revision 1 (as fields stored before
 * revisions were recorded read) keeps Porter's stems, a new one gets Snowball's.
 */
const multi = { analyzers: { english: { type: 'english' }, ws: { tokenizer: 'whitespace', filter: ['lowercase'] }, default: { type: 'standard' } }, by_field: 'lang', alias: { en: 'english' } };
const schemaWith = (text: Partial<FieldSchema>): CollectionSchema => ({
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'text', dataType: 'VarChar', maxLength: 500, enableAnalyzer: true, ...text },
    { name: 'lang', dataType: 'VarChar', maxLength: 20, nullable: true },
    { name: 'sparse', dataType: 'SparseFloatVector' },
    { name: 'vec', dataType: 'FloatVector', dim: 2 },
  ],
  functions: [{ name: 'bm25', type: 'BM25', inputFieldNames: ['text'], outputFieldNames: ['sparse'] }],
});
const indexParams = [
  { indexName: 'v', fieldName: 'vec', indexType: 'FLAT', params: {} },
  { indexName: 'sp', fieldName: 'sparse', indexType: 'SPARSE_INVERTED_INDEX', metricType: 'BM25' as const, params: {} },
];
const docs = [
  { id: 1, text: 'The runners were running', lang: 'en', vec: [1, 0] },
  { id: 2, text: 'Running, jumping!', lang: 'ws', vec: [0, 1] },
  { id: 3, text: 'running late', lang: 'klingon', vec: [1, 1] },
  { id: 4, text: 'running early', vec: [1, 1] },
  { id: 5, text: 'run fast', lang: null, vec: [0, 0] },
];

test('multi-analyzer field: rows analyzed by their lang, queries by the analyzer they name, in BM25, text_match, highlights and runAnalyzer', async () => {
  const s = await tempStandalone({ port: 0 });
  const c = s.client;
  try {
    await c.createCollection({ collectionName: 'm', schema: schemaWith({ multiAnalyzerParams: multi }), metricType: 'L2', indexParams, load: true });
    await c.insert('m', docs.slice(0, 2)); await c.flush('m'); await c.insert('m', docs.slice(2));
    const bm25 = async (q: string, analyzerName?: string) => (await c.search('m', { data: [q], annsField: 'sparse', limit: 10, consistencyLevel: 'Strong', ...(analyzerName ? { searchParams: { analyzerName } } : {}) }))[0]!.map((h) => h.id).sort();
    assert.equal(await bm25('running', 'english'), [1, 5], 'english: "run", in the English row and as the word itself in row 5 (the others keep "running")');
    assert.equal(await bm25('running', 'en'), [1, 5], 'an alias names the analyzer');
    assert.equal(await bm25('running'), [3, 4], 'no analyzer_name: the default, as rows with an unknown (3) or null (4) lang were analyzed');
    assert.equal(await bm25('Running, jumping!', 'ws'), [2], 'whitespace: "running," as row 2 holds it');
    assert.equal(await bm25('Running, jumping!'), [3, 4], 'the default makes "running" of it: not row 2\'s term');
    await refused(c.search('m', { data: ['x'], annsField: 'sparse', limit: 1, searchParams: { analyzerName: 'klingon' } }), /analyzer_name 'klingon' names no analyzer/);

    const match = async (filter: string) => (await c.query('m', { filter, outputFields: ['id'], consistencyLevel: 'Strong' })).map((r) => r.id).sort();
    assert.equal(await match('text_match(text, "runs")'), [1], 'each row matches in its own analyzer: only english stems runs to run');
    assert.equal(await match('text_match(text, "jumping!")'), [2], 'whitespace keeps the "!" the others drop');
    assert.equal(await match('phrase_match(text, "runner run", 1)'), [1]);

    const [all] = await c.search('m', { data: ['running'], annsField: 'sparse', limit: 10, consistencyLevel: 'Strong', searchParams: { analyzerName: 'english' }, highlighter: { highlight_search_text: true, num_of_fragments: 0 } });
    assert.equal(all!.map((h) => [h.id, h.highlight, h.fields]).sort(), [[1, { text: ['The runners were <em>running</em>'] }, { id: 1 }], [5, { text: ['<em>run</em> fast'] }, { id: 5 }]], 'marked by each row\'s analyzer, the search text as the search analyzed it (run, in the default-analyzed row 5); lang read for it, not returned');

    assert.equal(await c.runAnalyzer(['Runners', 'Runners,'], { collectionName: 'm', fieldName: 'text', analyzerNames: ['en', 'ws'] }), [['runner'], ['runners,']]);
    assert.equal(await c.runAnalyzer('Runners', { collectionName: 'm', fieldName: 'text' }), [['runners']], 'the default analyzer');
    await refused(c.runAnalyzer(['a', 'b'], { collectionName: 'm', fieldName: 'text', analyzerNames: ['en'] }), /one per text/);

    await refused(c.createCollection({ collectionName: 'bad', schema: schemaWith({ multiAnalyzerParams: { ...multi, by_field: 'nope' } }), metricType: 'L2' }), /by_field 'nope' is no field/);
    await refused(c.createCollection({ collectionName: 'bad', schema: schemaWith({ multiAnalyzerParams: multi, analyzerParams: { type: 'english' } }), metricType: 'L2' }), /not both/);
    assert.equal(await c.hasCollection('bad'), false, 'nothing written');

    // REST: multi_analyzer_params in elementTypeParams (JSON text here), described back; analyzer_name in searchParams.
    const http = new V2Client(s.http!.url);
    const fields = [
      { fieldName: 'id', dataType: 'Int64', isPrimary: true },
      { fieldName: 'text', dataType: 'VarChar', elementTypeParams: { max_length: 200, enable_analyzer: true, multi_analyzer_params: JSON.stringify(multi) } },
      { fieldName: 'lang', dataType: 'VarChar', nullable: true, elementTypeParams: { max_length: 20 } },
      { fieldName: 'sparse', dataType: 'SparseFloatVector' },
      { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: 2 } },
    ];
    await http.ok('/collections/create', { collectionName: 'r', schema: { fields, functions: [{ name: 'bm25', type: 'BM25', inputFieldNames: ['text'], outputFieldNames: ['sparse'] }] }, indexParams: [{ fieldName: 'vec', metricType: 'L2', indexType: 'FLAT' }, { fieldName: 'sparse', metricType: 'BM25', indexType: 'SPARSE_INVERTED_INDEX' }] });
    await http.waitLoaded('r');
    const d = await http.ok('/collections/describe', { collectionName: 'r' });
    const p = d.fields.find((f: { name: string }) => f.name === 'text').params.find((x: { key: string }) => x.key === 'multi_analyzer_params');
    assert.equal(JSON.parse(p.value), multi);
    await http.ok('/entities/insert', { collectionName: 'r', data: docs });
    const found = async (analyzer?: string) => (await http.ok('/entities/search', { collectionName: 'r', data: ['running'], annsField: 'sparse', limit: 5, consistencyLevel: 'Strong', ...(analyzer ? { searchParams: { analyzer_name: analyzer } } : {}) })).map((h: { id: number }) => h.id).sort();
    assert.equal(await found('english'), [1, 5]);
    assert.equal(await found(), [3, 4]);
  } finally { await s.cleanup(); }
});

test('analyzer revisions: a new field records Snowball\'s (2); a field of revision 1 keeps the Porter stems its rows were hashed with', async () => {
  const s = await tempStandalone({ port: 0 });
  const c = s.client;
  try {
    const en = { analyzerParams: { type: 'english' } };
    await c.createCollection({ collectionName: 'new', schema: schemaWith(en), metricType: 'L2', indexParams, load: true });
    await c.createCollection({ collectionName: 'old', schema: schemaWith({ ...en, analyzerVersion: 1 }), metricType: 'L2', indexParams, load: true });
    const text = (await c.describeCollection('new')).schema.fields.find((f) => f.name === 'text')!;
    assert.is(text.analyzerVersion, ANALYZER_VERSION, 'recorded at creation');
    assert.is((await c.describeCollection('old')).schema.fields.find((f) => f.name === 'text')!.analyzerVersion, 1);
    const rows = [{ id: 1, text: 'a generous gift', vec: [1, 0] }, { id: 2, text: 'the next generation', vec: [0, 1] }];
    for (const name of ['new', 'old']) await c.insert(name, rows);
    const stored = async (name: string) => (await c.query(name, { filter: 'id == 1', outputFields: ['sparse'], consistencyLevel: 'Strong' }))[0]!.sparse;
    const asObject = (v: { indices: Uint32Array; values: Float32Array }) => Object.fromEntries([...v.indices].map((i, k) => [String(i), v.values[k]]));
    assert.equal(await stored('old'), asObject(termFrequencies('a generous gift', fieldAnalyzer(en))), 'revision 1: the hashes a field stored without a revision gives (Porter: gener, gift)');
    assert.equal(await stored('new'), asObject(termFrequencies('a generous gift', fieldAnalyzer({ ...en, analyzerVersion: 2 }))), 'revision 2: Snowball (generous, gift)');
    const bm25 = async (name: string) => (await c.search(name, { data: ['generation'], annsField: 'sparse', limit: 10, consistencyLevel: 'Strong' }))[0]!.map((h) => h.id).sort();
    assert.equal(await bm25('old'), [1, 2], 'Porter stems generous and generation alike (gener): the old field keeps finding both');
    assert.equal(await bm25('new'), [2], 'Snowball keeps them apart');
    assert.equal(await c.runAnalyzer('generous', { collectionName: 'old', fieldName: 'text' }), [['gener']]);
    assert.equal(await c.runAnalyzer('generous', { analyzerParams: { type: 'english' } }), [['generous']], 'params tried outside a collection: the current revision');
    await refused(c.createCollection({ collectionName: 'bad', schema: schemaWith({ ...en, analyzerVersion: 3 }), metricType: 'L2' }), /analyzerVersion of 'text' must be an integer in 1\.\.2/);
  } finally { await s.cleanup(); }
});

test.run();
