import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../messages/errors.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { checkHighlighter, highlightHit, highlightText, matchSpans } from '../../runtime/client/highlighter.js';

/** The lexical highlighter (pure): which terms match, how they are tagged, how fragments are cut. */
const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'text', dataType: 'VarChar', maxLength: 1000, enableAnalyzer: true },
    { name: 'title', dataType: 'VarChar', maxLength: 100 },
    { name: 'n', dataType: 'Int64' },
    { name: 'sparse', dataType: 'SparseFloatVector' },
  ],
  functions: [{ name: 'bm25', type: 'BM25', inputFieldNames: ['text'], outputFieldNames: ['sparse'] }],
};
const TEXT = 'Milvus supports full text search. Use BM25 for keyword relevance. Filters can narrow results.';

test('terms match whole analyzer tokens, case-insensitively; tags wrap each match, rotating', () => {
  assert.equal(matchSpans('BM25, bm25 and xbm25 or BM25x', new Set(['bm25'])), [[0, 4], [6, 10]]);
  const h = checkHighlighter({ pre_tags: ['{', '['], post_tags: ['}', ']'], num_of_fragments: 0, highlight_search_text: true }, schema, 'text');
  assert.equal(highlightText(h, TEXT, new Set(['search', 'bm25', 'results'])), ['Milvus supports full text {search}. Use [BM25] for keyword relevance. Filters can narrow {results}.']);
  assert.equal(highlightText(h, TEXT, new Set(['nothing'])), [], 'no match: no fragment');
});

test('fragments start fragment_offset before a match, hold fragment_size characters, and stop at num_of_fragments', () => {
  const h = checkHighlighter({ pre_tags: ['<'], post_tags: ['>'], fragment_size: 20, fragment_offset: 4, num_of_fragments: 2, highlight_search_text: true }, schema, 'text');
  assert.equal(highlightText(h, TEXT, new Set(['full', 'text', 'keyword', 'narrow'])), ['rts <full> <text> search', 'for <keyword> relevanc']);
  const long = checkHighlighter({ fragment_size: 3, highlight_search_text: true }, schema, 'text');
  assert.equal(highlightText(long, TEXT, new Set(['supports'])), ['<em>supports</em>'], 'a match longer than the fragment is kept whole');
});

test('highlight_search_text marks the query text in the BM25 input field; highlight_query marks its own field', () => {
  const h = checkHighlighter({ num_of_fragments: 0, highlight_search_text: true, highlight_query: [{ type: 'TextMatch', field: 'title', text: 'Guide' }] }, schema, 'text');
  assert.equal(highlightHit(h, { text: TEXT, title: 'A guide to Milvus', n: 3 }, 'keyword search'), {
    text: ['Milvus supports full text <em>search</em>. Use BM25 for <em>keyword</em> relevance. Filters can narrow results.'],
    title: ['A <em>guide</em> to Milvus'],
  });
  const onlyQuery = checkHighlighter({ highlight_query: [{ type: 'TextMatch', field: 'text', text: 'narrow' }], num_of_fragments: 0 }, schema, undefined);
  assert.equal(highlightHit(onlyQuery, { text: TEXT }, 'search'), { text: ['Milvus supports full text search. Use BM25 for keyword relevance. Filters can <em>narrow</em> results.'] }, 'search text not marked unless asked');
});

test('bad highlighters are refused with a typed error', () => {
  const no = (h: unknown, re: RegExp, bm25: string | null = 'text') => assert.throws(() => checkHighlighter(h, schema, bm25 ?? undefined), (e: unknown) => e instanceof ValidationError && re.test((e as Error).message));
  no({ type: 'Semantic', highlight_search_text: true }, /must be Lexical/);
  no({ pre_tags: ['<'], post_tags: ['>', ']'], highlight_search_text: true }, /must pair up/);
  no({ fragment_size: 0, highlight_search_text: true }, /fragment_size must be an integer/);
  no({ highlight_search_text: true }, /needs a full text search/, null);
  no({ highlight_query: [{ type: 'TextMatch', field: 'n', text: 'x' }] }, /must be a VarChar field/);
  no({ highlight_query: [{ type: 'PhraseMatch', field: 'text', text: 'x' }] }, /must be TextMatch/);
  no({}, /no terms to mark/);
  no('yes', /must be an object/);
});

test.run();
