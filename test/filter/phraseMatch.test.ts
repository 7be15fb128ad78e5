/** phrase_match (Milvus's PHRASE_MATCH): all of a phrase's terms, in order, within a slop. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError } from '../../messages/errors.js';
import { compileFilter, formatFilter, parseFilter } from '../../messages/filter/index.js';
import { phraseMatches } from '../../messages/filter/phrase.js';
import type { CollectionSchema } from '../../messages/schema.js';

const schema: CollectionSchema = { fields: [
  { name: 'id', dataType: 'Int64', isPrimary: true },
  { name: 'text', dataType: 'VarChar', maxLength: 100, enableAnalyzer: true, nullable: true },
  { name: 'plain', dataType: 'VarChar', maxLength: 100 },
  { name: 'v', dataType: 'FloatVector', dim: 2 },
] };
// Milvus's own examples: slop 0 the exact phrase, 1 one word between, 2 also the terms swapped.
const texts = ['Machine learning boosts efficiency', 'Learning machine models', 'Deep learning machine', 'machine deep learning', null, 'machine, LEARNING!'];
const columns = { id: texts.map((_, i) => i), text: texts, plain: texts.map(() => 'x') };
const matching = (filter: string, params?: Record<string, unknown>) => {
  const m = compileFilter(parseFilter(filter, params), schema).bind(columns);
  return texts.map((_, i) => i).filter((i) => m(i));
};

test('slop 0 is the exact phrase; 1 lets a word in between; 2 lets the terms swap', () => {
  assert.equal(matching('phrase_match(text, "machine learning")'), [0, 5]);
  assert.equal(matching('phrase_match(text, "machine learning", 0)'), [0, 5]);
  assert.equal(matching('phrase_match(text, "machine learning", 1)'), [0, 3, 5]);
  assert.equal(matching('PHRASE_MATCH(text, "machine learning", 2)'), [0, 1, 2, 3, 5]);
  assert.equal(matching('phrase_match(text, "learning efficiency")'), []);
  assert.equal(matching('phrase_match(text, "boosts")'), [0], 'one term: present or not');
});

test('a null text matches neither it nor its negation; slop and words take template parameters', () => {
  assert.equal(matching('not phrase_match(text, "machine learning")'), [1, 2, 3]);
  assert.equal(matching('phrase_match(text, {p}, {s})', { p: 'deep learning', s: 0 }), [2, 3]);
});

test('it prints back as it reads; bad slops and fields are refused', () => {
  const tree = parseFilter('phrase_match(text, "a b", 3)');
  assert.equal(parseFilter(formatFilter(tree)), tree);
  for (const [f, says] of [
    ['phrase_match(plain, "x")', /enable_analyzer/],
    ['phrase_match(text, "x", -1)', /slop/],
    ['phrase_match(text, "x", 1.5)', /slop/],
    ['phrase_match(text, "x", "1")', /slop/],
    ['phrase_match(text, 3)', /phrase as a string/],
  ] as const) {
    assert.throws(() => compileFilter(parseFilter(f), schema), (e: unknown) => e instanceof NuthatchError && says.test((e as Error).message), f);
  }
});

test('matches what trying every assignment of positions gives, over random texts', () => {
  let seed = 7;
  const r = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
  const words = ['a', 'b', 'c', 'd'];
  const brute = (tokens: string[], phrase: string[], slop: number): boolean => {
    const go = (i: number, used: number[]): boolean => {
      if (i === phrase.length) { const o = used.map((p, j) => p - j); return Math.max(...o) - Math.min(...o) <= slop; }
      return tokens.some((t, p) => t === phrase[i] && !used.includes(p) && go(i + 1, [...used, p]));
    };
    return phrase.length > 0 && go(0, []);
  };
  let hits = 0;
  for (let n = 0; n < 3000; n++) {
    const tokens = Array.from({ length: 1 + Math.floor(r() * 9) }, () => words[Math.floor(r() * 4)]!);
    const phrase = Array.from({ length: 1 + Math.floor(r() * 3) }, () => words[Math.floor(r() * 4)]!);
    const slop = Math.floor(r() * 4);
    const want = brute(tokens, phrase, slop);
    if (want) hits++;
    assert.is(phraseMatches(tokens, phrase, slop), want, `${tokens.join(' ')} ~ "${phrase.join(' ')}" slop ${slop}`);
  }
  assert.ok(hits > 300 && hits < 2700, `both answers occur (${hits} matches)`);
});

test.run();
