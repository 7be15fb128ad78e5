/**
 * Which parts of a filter scalar indexes answer. Property: on random filters
 * over random rows, with random sets of indexed fields, the index's
 * candidates hold every matching row, and the residual keeps exactly the
 * matching ones among them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkFilter, compileFilter, formatFilter, parseFilter, type Expr } from '../../messages/filter/index.js';
import { planFilter } from '../../actors/shared/scalarIndex/indexPlan.js';
import { shapeOf } from '../../actors/shared/scalarIndex/scalarIndexTypes.js';
import { buildSortedIndex, type SortedIndex } from '../../actors/shared/scalarIndex/sortedIndex.js';
import { termRows } from '../../actors/shared/scalarIndex/termRows.js';
import { COLUMN_NAMES, columns, rng, schema, table, toColumns } from '../filter/fixtures.js';
import { genCond, genRow } from '../filter/randomExpr.js';

const INDEXABLE = ['id', 'age', 'k', 'score', 'name', 'ok', 'tags', 'nums'];

function indexesOf(cols: Record<string, ArrayLike<unknown> | undefined>, count: number, fields: readonly string[]): Map<string, SortedIndex> {
  return new Map(fields.map((name) => [name, buildSortedIndex(cols[name], count, shapeOf(schema.fields.find((f) => f.name === name)!)!)]));
}

const checked = (text: string): Expr => checkFilter(parseFilter(text), schema).expr;

/** The plan of `text` with every indexable field indexed: candidate rows of the fixture table and the residual's text. */
function plan(text: string, fields: readonly string[] = INDEXABLE): { rows: number[]; residual: string | null } | null {
  const indexes = indexesOf(columns, table.length, fields);
  const p = planFilter(checked(text), (f) => indexes.get(f));
  return p && { rows: Array.from(termRows(p.term, indexes, table.length).toRows()), residual: p.residual && formatFilter(p.residual) };
}

/** A residual as the plan prints it. */
const printed = (text: string) => formatFilter(checked(text));

test('terms on an indexed field are answered exactly: no residual', () => {
  assert.equal(plan('age == 18'), { rows: [3], residual: null });
  assert.equal(plan('18 <= age'), { rows: [0, 3, 4, 5], residual: null });
  assert.equal(plan('7 < age < 30'), { rows: [3, 5], residual: null }, 'a chain is two bounds');
  assert.equal(plan('age != 18'), { rows: [0, 2, 4, 5], residual: null }, 'null rows are not in a != answer');
  assert.equal(plan('not (age >= 21)'), { rows: [2, 3], residual: null });
  assert.equal(plan('name in ["bob", "nobody", ""]'), { rows: [2, 4], residual: null });
  assert.equal(plan('name not in ["bob"]'), { rows: [0, 3, 4, 5], residual: null });
  assert.equal(plan('name like "al%"'), { rows: [0, 3], residual: null }, 'a prefix is a range');
  assert.equal(plan('name like "bob"'), { rows: [2], residual: null });
  assert.equal(plan('ok'), { rows: [0, 3, 5], residual: null });
  assert.equal(plan('not ok'), { rows: [2, 4], residual: null });
  assert.equal(plan('score is not null'), { rows: [0, 2, 3, 4, 5], residual: null });
  assert.equal(plan('array_contains(tags, "red")'), { rows: [0, 2, 4], residual: null });
  assert.equal(plan('array_contains_all(tags, ["red", "blue"])'), { rows: [0, 4], residual: null });
  assert.equal(plan('array_contains_any(nums, [5, 7])'), { rows: [2, 4], residual: null });
  assert.equal(plan('id in [11, 14] or k > 5'), { rows: [1, 4, 5], residual: null }, 'or of answered terms');
});

test('ranges of one field in a conjunction are one lookup, the tighter bound of each side kept', () => {
  const indexes = indexesOf(columns, table.length, INDEXABLE);
  const term = (text: string) => planFilter(checked(text), (f) => indexes.get(f))!.term;
  assert.equal(term('7 < age < 30'), { kind: 'lookup', field: 'age', lookup: { op: 'range', lower: { key: 7, inclusive: false }, upper: { key: 30, inclusive: false } } });
  assert.equal(term('age >= 7 and k > 1 and age > 7 and age <= 65 and age < 100'), { kind: 'and', terms: [
    { kind: 'lookup', field: 'age', lookup: { op: 'range', lower: { key: 7, inclusive: false }, upper: { key: 65, inclusive: true } } },
    { kind: 'lookup', field: 'k', lookup: { op: 'range', lower: { key: 1, inclusive: false } } },
  ] });
  assert.equal(plan('age >= 7 and age > 7 and age <= 65 and age < 100'), { rows: [0, 3, 4, 5], residual: null });
  assert.equal(plan('age > 30 and age < 18'), { rows: [], residual: null }, 'crossed bounds select nothing');
});

test('and keeps the terms the index answers out of the residual; others stay in it', () => {
  assert.equal(plan('age > 10 and name like "%e"'), { rows: [0, 3, 4, 5], residual: printed('name like "%e"') });
  assert.equal(plan('age > 10 and j["a"] == 1 and k < 5'), { rows: [0, 3], residual: printed('j["a"] == 1') });
  assert.equal(plan('not (age <= 10 or name like "%e")'), { rows: [0, 3, 4, 5], residual: printed('not (name like "%e")') });
  // A term only partly answered stays whole in the residual; its candidates still narrow the set.
  assert.equal(plan('k > 1 and (age == 7 or (age == 30 and j["a"] == 1))'), { rows: [2], residual: printed('age == 7 or (age == 30 and j["a"] == 1)') });
});

test('is null: the rows a whole-value index holds no value for, exactly; is not null: every entry', () => {
  const nulls = table.flatMap((r, i) => (r.age === null || r.age === undefined ? [i] : []));
  assert.ok(nulls.length > 0 && nulls.length < table.length, 'the fixture has rows with and without an age');
  assert.equal(plan('age is null'), { rows: nulls, residual: null });
  assert.equal(plan('not (age is not null)'), { rows: nulls, residual: null });
  assert.equal(plan('age is not null')!.rows, table.flatMap((_, i) => (nulls.includes(i) ? [] : [i])));
  assert.is(plan('tags is null'), null, 'an Array index holds elements: a row with an empty list has none and is not null');
});

test('nothing to answer: an unindexed field, an or with an unanswered side, like, negated contains', () => {
  assert.is(plan('age > 10', ['k']), null);
  assert.is(plan('age > 10 or j["a"] == 1'), null);
  assert.is(plan('name like "a_c"'), null);
  assert.is(plan('name like "%a"'), null);
  assert.is(plan('name not like "a%"'), null);
  assert.is(plan('not array_contains(tags, "red")'), null);
  assert.is(plan('array_contains_all(tags, [])'), null, 'an empty list holds all of none: the element index cannot see it');
  assert.is(plan('tags[0] == "red"'), null, 'an element by position is not what an Array index holds');
  assert.is(plan('age + 1 == 8'), null);
});

const SEED = Number(process.env.FILTER_SEED ?? 20250707);
const EXPRESSIONS = 2000, ROWS = 96;

test(`candidates hold every matching row and the residual picks exactly them (seed ${SEED})`, () => {
  const r = rng(SEED);
  const rows = Array.from({ length: ROWS }, (_, i) => genRow(r, i));
  const cols = toColumns(rows, COLUMN_NAMES);
  const all = indexesOf(cols, ROWS, INDEXABLE);
  let planned = 0, exact = 0, narrowed = 0, matched = 0;
  for (let n = 0; n < EXPRESSIONS; n++) {
    const f = compileFilter(genCond(r, 1 + Math.floor(r() * 4)), schema);
    const fields = INDEXABLE.filter(() => r() < 0.7);
    const indexes = new Map(fields.map((x) => [x, all.get(x)!]));
    const p = planFilter(f.expr, (x) => indexes.get(x));
    if (!p) continue;
    planned++;
    if (!p.residual) exact++;
    const candidates = termRows(p.term, indexes, ROWS);
    const match = f.bind(cols);
    const residual = p.residual ? compileFilter(p.residual, schema).bind(cols) : () => true;
    if (candidates.size() < ROWS) narrowed++;
    for (let i = 0; i < ROWS; i++) {
      const want = match(i);
      if (want) matched++;
      if (want && !candidates.has(i)) assert.unreachable(`${formatFilter(f.expr)}: row ${i} matches but is no candidate (indexed ${fields.join(', ')})`);
      if ((candidates.has(i) && residual(i)) !== want) assert.unreachable(`${formatFilter(f.expr)}: residual ${p.residual ? formatFilter(p.residual) : '(none)'} disagrees on row ${i}`);
    }
  }
  // The generator must give plans of every sort, or the agreement says little.
  assert.ok(planned > EXPRESSIONS * 0.15 && exact > planned * 0.2 && exact < planned * 0.9 && narrowed > planned * 0.5 && matched > 0, `planned ${planned}, exact ${exact}, narrowed ${narrowed}, matched ${matched}`);
});

test.run();
