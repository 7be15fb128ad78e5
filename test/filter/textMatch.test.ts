/** text_match (Milvus's TEXT_MATCH): rows whose analysed text holds any of the query's terms. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError } from '../../messages/errors.js';
import { compileFilter, formatFilter, parseFilter } from '../../messages/filter/index.js';
import type { CollectionSchema } from '../../messages/schema.js';

const schema: CollectionSchema = { fields: [
  { name: 'id', dataType: 'Int64', isPrimary: true },
  { name: 'text', dataType: 'VarChar', maxLength: 100, enableAnalyzer: true, nullable: true },
  { name: 'plain', dataType: 'VarChar', maxLength: 100 },
  { name: 'v', dataType: 'FloatVector', dim: 2 },
] };
const texts = ['The quick brown Fox', 'a lazy dog', null, 'Brown bears; brown foxes!', 'Füße und Straße'];
const columns = { id: texts.map((_, i) => i), text: texts, plain: texts.map(() => 'x') };
const matching = (filter: string, params?: Record<string, unknown>) => {
  const m = compileFilter(parseFilter(filter, params), schema).bind(columns);
  return texts.map((_, i) => i).filter((i) => m(i));
};

test('a row matches when its text holds any term of the query, whatever the case and punctuation', () => {
  assert.equal(matching('text_match(text, "fox")'), [0]);
  assert.equal(matching('text_match(text, "BROWN lazy")'), [0, 1, 3]);
  assert.equal(matching('text_match(text, "foxes")'), [3], 'terms are whole words: no stemming');
  assert.equal(matching('text_match(text, "straße")'), [4]);
  assert.equal(matching('TEXT_MATCH(text, "nothing here")'), []);
});

test('a null text matches neither text_match nor its negation; it combines like any condition', () => {
  assert.equal(matching('not text_match(text, "brown")'), [1, 4]);
  assert.equal(matching('text_match(text, "brown") and id > 0'), [3]);
  assert.equal(matching('text_match(text, {q})', { q: 'dog' }), [1], 'a template parameter gives the words');
});

test('it prints back as it reads, and only an analysed VarChar field takes it', () => {
  const tree = parseFilter('text_match(text, "a \\"b\\"")');
  assert.equal(parseFilter(formatFilter(tree)), tree);
  for (const [f, says] of [
    ['text_match(plain, "x")', /enable_analyzer/],
    ['text_match(id, "x")', /enable_analyzer/],
    ['text_match(text, 3)', /as a string/],
    ['text_match(text)', /expected ','/],
  ] as const) {
    try { compileFilter(parseFilter(f), schema); assert.unreachable(f); } catch (e) {
      assert.instance(e, NuthatchError);
      assert.match((e as Error).message, says);
    }
  }
});

test.run();
