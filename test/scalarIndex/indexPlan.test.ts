/**
 * Which parts of a filter scalar indexes answer. Property: on random filters
 * over random rows, with random sets of indexed fields, the index's
 * candidates hold every matching row, and the residual keeps exactly the
 * matching ones among them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkFilter, compileFilter, formatFilter, parseFilter, type Expr } from '../../messages/filter/index.js';
import { planFilter, type IndexTerm } from '../../actors/shared/scalarIndex/indexPlan.js';
import { shapeOf } from '../../actors/shared/scalarIndex/scalarIndexTypes.js';
import { buildSortedIndex, type SortedIndex } from '../../actors/shared/scalarIndex/sortedIndex.js';
import { termRows } from '../../actors/shared/scalarIndex/termRows.js';
import { castColumn, jsonShapeOf, type JsonCastType } from '../../actors/shared/scalarIndex/jsonIndex.js';
import { buildNgramIndex } from '../../actors/shared/scalarIndex/ngramIndex.js';
import { pathKeyOf } from '../../actors/shared/scalarIndex/jsonPath.js';
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

/**
 * JSON path indexes the random filters may meet, each path with the casts it
 * may have: the generator's rows hold values of every kind (and lists,
 * objects, nulls, missing keys) at each of them.
 */
const JSON_INDEXES: ReadonlyArray<readonly [column: string, path: (string | number)[], casts: readonly (JsonCastType | 'STRING_TO_DOUBLE')[]]> = [
  ['j', ['a'], ['DOUBLE', 'VARCHAR', 'BOOL', 'STRING_TO_DOUBLE']],
  ['j', ['b', 'c'], ['BOOL', 'DOUBLE']],
  ['j', ['tags'], ['ARRAY_VARCHAR', 'ARRAY_DOUBLE', 'ARRAY_BOOL']],
  ['j', ['tags', 0], ['VARCHAR']],
  ['j', [0], ['DOUBLE']],
  ['j', [], ['DOUBLE', 'VARCHAR', 'ARRAY_DOUBLE']],
  ['$meta', ['color'], ['VARCHAR', 'ARRAY_VARCHAR', 'DOUBLE', 'ARRAY_DOUBLE']],
  ['$meta', ['n'], ['DOUBLE', 'STRING_TO_DOUBLE', 'VARCHAR']],
];

/** Every JSON path index of JSON_INDEXES over `cols`: per key, one index per cast. */
function jsonIndexesOf(cols: Record<string, ArrayLike<unknown> | undefined>, count: number): Map<string, SortedIndex[]> {
  return new Map(JSON_INDEXES.map(([column, path, casts]) => [pathKeyOf(column, path), casts.map((c) => {
    const shape = c === 'STRING_TO_DOUBLE' ? jsonShapeOf('DOUBLE', c) : jsonShapeOf(c);
    return buildSortedIndex(castColumn(cols[column], count, { path, shape }), count, shape);
  })]));
}

test(`candidates hold every matching row and the residual picks exactly them, JSON path indexes too (seed ${SEED})`, () => {
  const r = rng(SEED);
  const rows = Array.from({ length: ROWS }, (_, i) => genRow(r, i));
  const cols = toColumns(rows, COLUMN_NAMES);
  const all = indexesOf(cols, ROWS, INDEXABLE), json = jsonIndexesOf(cols, ROWS), grams = ngramIndexesOf(cols, ROWS);
  let planned = 0, exact = 0, narrowed = 0, matched = 0, jsonPlanned = 0, jsonExact = 0, ngramPlanned = 0;
  for (let n = 0; n < EXPRESSIONS; n++) {
    const f = compileFilter(genCond(r, 1 + Math.floor(r() * 4)), schema);
    const fields = INDEXABLE.filter(() => r() < 0.7);
    const indexes = new Map(fields.map((x) => [x, all.get(x)!]));
    for (const [key, casts] of json) if (r() < 0.7) indexes.set(key, casts[Math.floor(r() * casts.length)]!);
    // An NGRAM index in place of a field's (or a path's) other index: one index per field.
    for (const [key, ranges] of grams) if (r() < 0.4) indexes.set(key, ranges[Math.floor(r() * ranges.length)]!);
    const p = planFilter(f.expr, (x) => indexes.get(x));
    if (!p) continue;
    planned++;
    if (!p.residual) exact++;
    if (termFields(p.term).some((x) => indexes.get(x)!.grams)) ngramPlanned++;
    if (JSON.stringify(p.term).includes('[') || JSON.stringify(p.term).includes('"field":"j"')) { jsonPlanned++; if (!p.residual) jsonExact++; }
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
  assert.ok(jsonPlanned > EXPRESSIONS * 0.05 && jsonExact > jsonPlanned * 0.1 && jsonExact < jsonPlanned, `JSON path indexes: planned ${jsonPlanned}, exact ${jsonExact}`);
  assert.ok(ngramPlanned > 10, `NGRAM indexes: planned ${ngramPlanned}`);
});

const termFields = (t: IndexTerm): string[] => (t.kind === 'lookup' ? [t.field] : t.terms.flatMap(termFields));

const GRAM_RANGES = [{ min: 1, max: 1 }, { min: 1, max: 3 }, { min: 2, max: 2 }, { min: 2, max: 4 }, { min: 3, max: 5 }];

/** NGRAM indexes of `name` and of j["a"] (cast VARCHAR), one per gram range. */
function ngramIndexesOf(cols: Record<string, ArrayLike<unknown> | undefined>, count: number): Map<string, SortedIndex[]> {
  const path = { path: ['a'], shape: jsonShapeOf('VARCHAR') };
  return new Map([
    ['name', GRAM_RANGES.map((g) => buildNgramIndex(cols.name, count, shapeOf(schema.fields.find((f) => f.name === 'name')!)!, g))],
    [pathKeyOf('j', ['a']), GRAM_RANGES.map((g) => buildNgramIndex(castColumn(cols.j, count, path), count, path.shape, g))],
  ]);
}

/** Texts and patterns over a small alphabet with wildcard characters, escapes, non-Latin letters, a surrogate pair and the lone high half of another (🦜's), so grams and runs meet often. */
const ALPHABET = ['a', 'b', 'c', 'A', '%', '_', '\\', 'é', '数', '🦜', ' ', '\uD83E'];
function genText(r: () => number): string {
  let t = '';
  for (let n = Math.floor(r() * 12); n > 0; n--) t += ALPHABET[Math.floor(r() * ALPHABET.length)]!;
  return t;
}
function genLikePattern(r: () => number): string {
  let p = '';
  for (let n = Math.floor(r() * 8); n > 0; n--) {
    const x = r();
    p += x < 0.2 ? '%' : x < 0.3 ? '_' : x < 0.38 ? `\\${pick(r, ['%', '_', 'a', '\\'])}` : pick(r, ALPHABET.filter((c) => c !== '%' && c !== '_' && c !== '\\'));
  }
  return p;
}
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

test(`NGRAM: random like patterns over random texts, planned, agree with the scan (seed ${SEED})`, () => {
  const r = rng(SEED + 2);
  const rows = Array.from({ length: ROWS }, (_, i) => ({ ...genRow(r, i), name: r() < 0.1 ? null : genText(r), j: r() < 0.2 ? { a: pick(r, [1, true, null, ['ab']]) } : { a: genText(r) } }));
  const cols = toColumns(rows, COLUMN_NAMES);
  const grams = ngramIndexesOf(cols, ROWS);
  let planned = 0, narrowed = 0, matched = 0;
  for (let n = 0; n < EXPRESSIONS; n++) {
    const like = (): string => `${pick(r, ['name', 'j["a"]'])} ${r() < 0.2 ? 'not like' : 'like'} ${JSON.stringify(genLikePattern(r))}`;
    const shape = r();
    const text = shape < 0.5 ? like() : shape < 0.7 ? `${like()} and ${like()}` : shape < 0.85 ? `${like()} or ${like()}` : `not (${like()}) and k > 0`;
    const f = compileFilter(checked(text), schema);
    const indexes = new Map<string, SortedIndex>();
    for (const [key, ranges] of grams) if (r() < 0.8) indexes.set(key, pick(r, ranges));
    const p = planFilter(f.expr, (x) => indexes.get(x));
    if (!p) continue;
    planned++;
    assert.ok(p.residual, `${text}: an NGRAM plan always keeps a residual`);
    const candidates = termRows(p.term, indexes, ROWS);
    if (candidates.size() < ROWS) narrowed++;
    const match = f.bind(cols), residual = compileFilter(p.residual!, schema).bind(cols);
    for (let i = 0; i < ROWS; i++) {
      const want = match(i);
      if (want) matched++;
      if (want && !candidates.has(i)) assert.unreachable(`${text}: row ${i} (${JSON.stringify(rows[i]!.name)}, ${JSON.stringify(rows[i]!.j)}) matches but is no candidate`);
      if ((candidates.has(i) && residual(i)) !== want) assert.unreachable(`${text}: residual disagrees on row ${i}`);
    }
  }
  assert.ok(planned > EXPRESSIONS * 0.25 && narrowed > planned * 0.5 && matched > 100, `planned ${planned}, narrowed ${narrowed}, matched ${matched}`);
});

const lit = (value: number | string | boolean): Expr => ({ kind: 'literal', type: typeof value === 'string' ? 'string' : typeof value === 'boolean' ? 'bool' : Number.isInteger(value) ? 'int' : 'float', value, pos: 0 });
const LITERALS = [1, -1, 0, 2.5, 3, '1', '3', 'a', 'ab', '', true, false];
const JSON_NODES = JSON_INDEXES.map(([name, path]) => ({ kind: 'field', name, path, pos: 0 }) as const);

/** A term on an indexed JSON path with a literal of any kind, every operator the filter has, under and/or/not. */
function genJsonCond(r: () => number, d: number): Expr {
  const x = r();
  if (d > 0 && x < 0.15) return { kind: 'not', arg: genJsonCond(r, d - 1), pos: 0 };
  if (d > 0 && x < 0.35) return { kind: r() < 0.5 ? 'and' : 'or', args: [genJsonCond(r, d - 1), genJsonCond(r, d - 1)], pos: 0 };
  const arg = JSON_NODES[Math.floor(r() * JSON_NODES.length)]!, one = () => lit(LITERALS[Math.floor(r() * LITERALS.length)]!);
  const some = () => Array.from({ length: Math.floor(r() * 3) }, one) as never[];
  if (x < 0.6) {
    const ops = ['==', '!=', '<', '<=', '>', '>='] as const, op = ops[Math.floor(r() * ops.length)]!;
    const v = one(), swap = r() < 0.3;
    // Booleans take only == and != (check.ts refuses ordering them).
    const o = v.kind === 'literal' && typeof v.value === 'boolean' && op !== '==' && op !== '!=' ? '==' : op;
    return { kind: 'compare', op: o, left: swap ? v : arg, right: swap ? arg : v, pos: 0 };
  }
  if (x < 0.72) return { kind: 'in', arg, values: some(), negated: r() < 0.4, pos: 0 };
  if (x < 0.8) return { kind: 'like', arg, pattern: ['a%', 'ab', '%', '1%', ''][Math.floor(r() * 5)]!, negated: r() < 0.3, pos: 0 };
  if (x < 0.9) {
    const op = (['contains', 'containsAll', 'containsAny'] as const)[Math.floor(r() * 3)]!;
    return { kind: 'contains', op, arg, values: op === 'contains' ? [one()] as never[] : some(), pos: 0 };
  }
  if (x < 0.95) return { kind: 'isNull', arg, negated: r() < 0.5, pos: 0 };
  return arg;
}

/** Rows with every kind of value at every indexed path: numbers, numeric and other strings, booleans, lists, objects, null, missing. */
function genJsonRow(r: () => number, id: number): Record<string, unknown> {
  const any = (): unknown => {
    const v = [1, -1, 0, 2.5, 3, '1', '3', ' 3 ', 'a', 'ab', '', true, false, null, { x: 1 }, ['a', 1, true], [1, 3], ['ab', ''], [true], []][Math.floor(r() * 20)];
    return r() < 0.15 ? undefined : v;
  };
  const put = (o: Record<string, unknown>, k: string, v: unknown) => { if (v !== undefined) o[k] = v; };
  const j: Record<string, unknown> = {};
  put(j, 'a', any()); put(j, 'tags', r() < 0.3 ? [any(), any()] : any());
  if (r() < 0.7) { const b: Record<string, unknown> = {}; put(b, 'c', any()); j.b = r() < 0.1 ? any() : b; }
  const meta: Record<string, unknown> = {};
  put(meta, 'color', any()); put(meta, 'n', any());
  return { ...genRow(r, id), j: r() < 0.1 ? null : r() < 0.2 ? any() ?? null : j, $meta: meta };
}

test(`JSON path indexes over mixed-kind values: the plan agrees with the scan (seed ${SEED})`, () => {
  const r = rng(SEED + 1);
  const rows = Array.from({ length: ROWS }, (_, i) => genJsonRow(r, i));
  const cols = toColumns(rows, COLUMN_NAMES);
  const json = jsonIndexesOf(cols, ROWS);
  let planned = 0, exact = 0, matched = 0, candidatesOnly = 0;
  for (let n = 0; n < EXPRESSIONS; n++) {
    const f = compileFilter(genJsonCond(r, 1 + Math.floor(r() * 3)), schema);
    const indexes = new Map<string, SortedIndex>();
    for (const [key, casts] of json) if (r() < 0.8) indexes.set(key, casts[Math.floor(r() * casts.length)]!);
    const p = planFilter(f.expr, (x) => indexes.get(x));
    if (!p) continue;
    planned++;
    if (!p.residual) exact++;
    if (p.residual && [...indexes.values()].some((ix) => ix.converted)) candidatesOnly++;
    const candidates = termRows(p.term, indexes, ROWS);
    const match = f.bind(cols);
    const residual = p.residual ? compileFilter(p.residual, schema).bind(cols) : () => true;
    for (let i = 0; i < ROWS; i++) {
      const want = match(i);
      if (want) matched++;
      if (want && !candidates.has(i)) assert.unreachable(`${formatFilter(f.expr)}: row ${i} (${JSON.stringify(rows[i]!.j)}, ${JSON.stringify(rows[i]!.$meta)}) matches but is no candidate`);
      if ((candidates.has(i) && residual(i)) !== want) assert.unreachable(`${formatFilter(f.expr)}: residual ${p.residual ? formatFilter(p.residual) : '(none)'} disagrees on row ${i} (${JSON.stringify(rows[i]!.j)}, ${JSON.stringify(rows[i]!.$meta)})`);
    }
  }
  assert.ok(planned > EXPRESSIONS * 0.1 && exact > planned * 0.3 && exact < planned * 0.9 && candidatesOnly > 0 && matched > 0, `planned ${planned}, exact ${exact}, candidates only ${candidatesOnly}, matched ${matched}`);
});

test.run();
