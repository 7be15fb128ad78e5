/**
 * The lexical highlighter through the client and the REST gateway: a BM25
 * full text search with highlight_search_text marks the query's terms in the
 * text field of each hit, a highlight_query marks its own terms, the text
 * field comes back only when asked for, and hits, scores and order are those
 * of the same search without a highlighter. Against a standalone.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CollectionSchema } from '../../messages/schema.js';
import { tempStandalone } from '../standalone/harness.js';
import { V2Client } from './support/v2Client.js';

const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'text', dataType: 'VarChar', maxLength: 1000, enableAnalyzer: true },
    { name: 'title', dataType: 'VarChar', maxLength: 100 },
    { name: 'sparse', dataType: 'SparseFloatVector' },
    { name: 'vec', dataType: 'FloatVector', dim: 2 },
  ],
  functions: [{ name: 'bm25', type: 'BM25', inputFieldNames: ['text'], outputFieldNames: ['sparse'] }],
};
const docs = [
  { id: 1, title: 'Search guide', text: 'Milvus supports full text search. Use BM25 for keyword relevance.', vec: [1, 0] },
  { id: 2, title: 'Filters', text: 'Filters can narrow results before the search ranks them.', vec: [0, 1] },
  { id: 3, title: 'Storage', text: 'Segments are flushed to object storage.', vec: [1, 1] },
];

test('client and REST: search terms and highlight_query terms tagged in fragments; hits unchanged', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'docs', schema, metricType: 'L2', indexParams: [{ indexName: 'v', fieldName: 'vec', indexType: 'FLAT', params: {} }, { indexName: 'sp', fieldName: 'sparse', indexType: 'SPARSE_INVERTED_INDEX', metricType: 'BM25', params: {} }], load: true });
    await c.insert('docs', docs);
    const base = { data: ['BM25 search'], annsField: 'sparse', limit: 3, consistencyLevel: 'Strong' as const, outputFields: ['title'] };
    const plain = await c.search('docs', base);
    const lit = await c.search('docs', { ...base, highlighter: { pre_tags: ['{'], post_tags: ['}'], highlight_search_text: true, num_of_fragments: 0, highlight_query: [{ type: 'TextMatch', field: 'title', text: 'guide' }] } });
    assert.equal(lit[0]!.map((h) => [h.id, h.distance]), plain[0]!.map((h) => [h.id, h.distance]), 'the same hits, scores and order');
    assert.equal(lit[0]!.map((h) => Object.keys(h.fields).sort()), plain[0]!.map((h) => Object.keys(h.fields).sort()), 'the text field read for highlighting is not shown');
    assert.ok(lit[0]!.every((h) => !('text' in h.fields)));
    const byId = new Map(lit[0]!.map((h) => [h.id, h.highlight]));
    assert.equal(byId.get(1), { text: ['Milvus supports full text {search}. Use {BM25} for keyword relevance.'], title: ['Search {guide}'] });
    assert.equal(byId.get(2), { text: ['Filters can narrow results before the {search} ranks them.'] });

    const http = new V2Client(s.http!.url);
    const hits = await http.ok('/entities/search', {
      collectionName: 'docs', data: ['keyword'], annsField: 'sparse', limit: 2, outputFields: ['text'], consistencyLevel: 'Strong',
      highlighter: { type: 'Lexical', highlight_search_text: true, fragment_size: 20, fragment_offset: 5 },
    });
    assert.equal(hits.map((h: { id: number; highlight: unknown; text: string }) => [h.id, h.highlight, h.text]), [[1, { text: [' for <em>keyword</em> relevan'] }, docs[0]!.text]]);
    const bad = await http.fails('/entities/search', { collectionName: 'docs', data: ['x'], annsField: 'sparse', highlighter: { highlight_search_text: true, fragment_size: 0 } }, /fragment_size/);
    assert.ok(bad);
  } finally { await s.cleanup(); }
});

test.run();
