/**
 * Segment pruning by the clustering key (actors/shared/cluster/clusterPrune.ts):
 * which segments many filter shapes skip, that OR, NOT and unknown forms never
 * skip, and, over random segments and filters, that a skipped segment never
 * holds a row the filter (the real evaluator) matches.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkFilter, compileFilter, filterRows, parseFilter, type Expr } from '../../messages/filter/index.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { mayMatch } from '../../actors/shared/cluster/clusterPrune.js';
import { rangeOf, type KeyRange } from '../../actors/shared/cluster/keyRange.js';

const schema: CollectionSchema = { fields: [
  { name: 'id', dataType: 'Int64', isPrimary: true },
  { name: 'k', dataType: 'Int64', isClusteringKey: true, nullable: true },
  { name: 'f', dataType: 'Double' },
  { name: 's', dataType: 'VarChar', maxLength: 16 },
  { name: 'other', dataType: 'Int64' },
  { name: 'meta', dataType: 'JSON' },
  { name: 'vec', dataType: 'FloatVector', dim: 2 },
] };
const ast = (text: string): Expr => checkFilter(parseFilter(text), schema).expr;
const may = (text: string, key: string, range: KeyRange) => mayMatch(ast(text), key, range);

test('numeric ranges: ==, in, <, <=, >, >=, either side, ANDed with other terms', () => {
  const r = { min: 100, max: 199 };
  const cases: Array<[string, boolean]> = [
    ['k == 150', true], ['k == 99', false], ['k == 200', false], ['k == 100', true], ['k == 199', true],
    ['k in [1, 2, 300]', false], ['k in [1, 150]', true], ['k in []', false],
    ['k < 100', false], ['k < 101', true], ['k <= 100', true], ['k <= 99', false],
    ['k > 199', false], ['k > 198', true], ['k >= 199', true], ['k >= 200', false],
    ['100 > k', false], ['200 <= k', false], ['150 == k', true],
    ['k >= 0 and k < 100', false], ['k >= 150 and k < 160', true], ['10 <= k < 100', false], ['200 <= k <= 300', false],
    ['other == 1 and k == 5', false], ['other == 1 and k == 150', true], ['(k > 300 and other == 1) and f > 0', false],
    ['k < 99.5', false], ['k > 199.5', false], ['k <= 100.5', true],
  ];
  for (const [text, want] of cases) assert.is(may(text, 'k', r), want, text);
});

test('conservative: OR, NOT, !=, not in, arithmetic, other fields, JSON paths and no filter never prune', () => {
  const r = { min: 100, max: 199 };
  for (const text of ['k == 5 or k == 6', 'not (k == 150)', 'not (k > 500)', 'k != 150', 'k not in [100]', 'k + 1 == 5', 'k * 2 < 0',
    'other == 5', 'f < 0', 'meta["k"] == 5', 'k is null', 'k is not null', 'k == other', '(k == 5 or other == 1) and f > 0']) {
    assert.ok(may(text, 'k', r), text);
  }
  assert.ok(mayMatch(null, 'k', r), 'no filter');
  assert.ok(mayMatch(ast('k == 5'), 'k', undefined), 'no range known');
  assert.ok(mayMatch(ast('k == 5'), 'other', r), 'another key');
});

test('VarChar ranges compare as the evaluator compares strings', () => {
  const r = { min: 'apple', max: 'melon' };
  const cases: Array<[string, boolean]> = [
    ['s == "banana"', true], ['s == "zebra"', false], ['s == "Apple"', false], ['s in ["a", "zz"]', false], ['s in ["a", "kiwi"]', true],
    ['s < "apple"', false], ['s <= "apple"', true], ['s > "melon"', false], ['s >= "melon"', true], ['s > "m"', true],
    ['s >= "n" and s < "p"', false], ['s like "z%"', true], ['s == "b" or s == "zz"', true],
  ];
  for (const [text, want] of cases) assert.is(may(text, 's', r), want, text);
});

test('rangeOf skips nulls and NaN; a column of nulls has no range', () => {
  assert.equal(rangeOf([3, null, -2, NaN, 7]), { min: -2, max: 7 });
  assert.equal(rangeOf(['b', null, 'a', 'c']), { min: 'a', max: 'c' });
  assert.is(rangeOf([null, undefined]), undefined);
  assert.equal(rangeOf([5, 1, 9], 2), { min: 1, max: 5 }, 'only the first count values');
});

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

test('a pruned segment never holds a row the filter matches (random segments and filters)', () => {
  const rand = rng(7);
  const int = (n: number) => Math.floor(rand() * n);
  const word = () => String.fromCharCode(97 + int(6)) + (rand() < 0.5 ? String.fromCharCode(97 + int(6)) : '');
  const numTerm = (): string => {
    const v = int(60) - 10, w = int(60) - 10;
    const shapes = [`k == ${v}`, `k < ${v}`, `k <= ${v}`, `k > ${v}`, `k >= ${v}`, `${v} < k`, `${v} >= k`, `k in [${v}, ${w}]`, `k != ${v}`, `k not in [${v}]`,
      `${Math.min(v, w)} <= k < ${Math.max(v, w)}`, `k > ${v}.5`, `other > ${v}`];
    return shapes[int(shapes.length)]!;
  };
  const strTerm = (): string => {
    const v = word(), w = word();
    const shapes = [`s == "${v}"`, `s < "${v}"`, `s <= "${v}"`, `s > "${v}"`, `s >= "${v}"`, `s in ["${v}", "${w}"]`, `s like "${v}%"`, `"${v}" > s`];
    return shapes[int(shapes.length)]!;
  };
  const expr = (term: () => string, depth: number): string => {
    const c = int(depth > 0 ? 6 : 3);
    if (c <= 2) return term();
    if (c === 3) return `(${expr(term, depth - 1)} and ${expr(term, depth - 1)})`;
    if (c === 4) return `(${expr(term, depth - 1)} or ${expr(term, depth - 1)})`;
    return `not (${expr(term, depth - 1)})`;
  };
  let pruned = 0, kept = 0;
  for (let round = 0; round < 400; round++) {
    const n = 1 + int(12);
    const base = int(50) - 10, spread = 1 + int(15);
    const cols = {
      id: Array.from({ length: n }, (_, i) => i), other: Array.from({ length: n }, () => int(50)), f: Array.from({ length: n }, () => rand()),
      k: Array.from({ length: n }, () => (rand() < 0.1 ? null : base + int(spread))),
      s: Array.from({ length: n }, () => word()), meta: Array.from({ length: n }, () => ({})),
    };
    for (const [key, term] of [['k', numTerm], ['s', strTerm]] as const) {
      const range = rangeOf(cols[key]);
      const text = expr(term, 3);
      const tree = ast(text);
      const matched = filterRows(compileFilter(tree, schema), cols, n);
      if (mayMatch(tree, key, range)) kept++;
      else { pruned++; assert.equal(matched, [], `${text} over ${key} in ${JSON.stringify(range)} matched rows of a pruned segment`); }
    }
  }
  assert.ok(pruned > 50 && kept > 50, `both outcomes exercised (pruned ${pruned}, kept ${kept})`);
});

test.run();
