/**
 * Specifies Milvus 3.0's StructArray operators over an Array of Structs field:
 * `element_filter(f, pred)` and `MATCH_ANY` (some element holds), `MATCH_ALL`
 * (every one), `MATCH_LEAST`/`MATCH_MOST`/`MATCH_EXACT(f, pred, k)`, where pred
 * reads the elements' sub-fields as `$[sub]`: how they parse, print, check
 * against the schema and select rows, compiled as the reference interpreter says.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkFilter, filterRows, formatFilter, parseFilter, prepareFilter, type Columns } from '../../messages/filter/index.js';
import { ValidationError } from '../../messages/errors.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { interpret } from './referenceInterpreter.js';

const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'v', dataType: 'FloatVector', dim: 2 },
    { name: 'n', dataType: 'Int64' },
    { name: 'chunks', dataType: 'Array', elementType: 'Struct', maxCapacity: 8, structFields: [
      { name: 'text', dataType: 'VarChar', maxLength: 64 }, { name: 'page', dataType: 'Int32' }, { name: 'score', dataType: 'Double' },
      { name: 'emb', dataType: 'FloatVector', dim: 2 },
    ] },
  ],
};
const el = (text: string, page: number, score = 0.5) => ({ text, page, score, emb: new Float32Array([0, 1]) });
const rows = [
  { id: 0, n: 1, chunks: [el('Red apple', 1), el('Green pear', 2)] },
  { id: 1, n: 2, chunks: [el('Red car', 3, 0.9), el('Red bus', 4, 0.8), el('Red van', 5, 0.1)] },
  { id: 2, n: 3, chunks: [] },
  { id: 3, n: 4, chunks: [el('blue sky', 1, 0.2)] },
  { id: 4, n: 5, chunks: [el('Red', 9), el('red', 9)] },
];
const columns: Columns = { id: rows.map((r) => r.id), n: rows.map((r) => r.n), chunks: rows.map((r) => r.chunks) };
const select = (text: string) => filterRows(prepareFilter(text, schema)!, columns, rows.length);
const refused = (text: string, message: RegExp) => {
  try { prepareFilter(text, schema); } catch (e) { assert.instance(e, ValidationError); assert.match((e as Error).message, message); return; }
  assert.unreachable(`accepted: ${text}`);
};

test('element_filter and MATCH_ANY: some element holds the condition', () => {
  assert.equal(select('element_filter(chunks, $[text] like "Red%")'), [0, 1, 4]);
  assert.equal(select('MATCH_ANY(chunks, $[text] like "Red%")'), [0, 1, 4]);
  assert.equal(select('match_any(chunks, $[page] > 2 && $[score] >= 0.8)'), [1], 'one element must hold both: row 4 has page 9 but score 0.5');
  assert.equal(select('element_filter(chunks, $[text] == "blue sky")'), [3]);
  assert.equal(select('not element_filter(chunks, $[text] like "Red%")'), [2, 3], 'an empty list holds no element');
});

test('MATCH_ALL, MATCH_LEAST, MATCH_MOST and MATCH_EXACT count the matching elements', () => {
  assert.equal(select('MATCH_ALL(chunks, $[text] like "Red%")'), [1, 2], 'every element (vacuously so for none)');
  assert.equal(select('MATCH_LEAST(chunks, $[text] like "Red%", 2)'), [1]);
  assert.equal(select('MATCH_MOST(chunks, $[text] like "Red%", 1)'), [0, 2, 3, 4]);
  assert.equal(select('MATCH_EXACT(chunks, $[page] == 9, 2)'), [4]);
  assert.equal(select('MATCH_EXACT(chunks, $[page] == 9, 0)'), [0, 1, 2, 3]);
  assert.equal(select('MATCH_LEAST(chunks, $[page] + 1 > $[page] * 2, 1)'), [], 'arithmetic over sub-fields of one element');
});

test('with entity fields, in any order and under not / or', () => {
  assert.equal(select('n > 1 && element_filter(chunks, $[text] like "Red%")'), [1, 4]);
  assert.equal(select('element_filter(chunks, $[text] like "Red%") && n > 1'), [1, 4], 'Milvus wants it last; nuthatch takes either order');
  assert.equal(select('n == 4 || MATCH_ALL(chunks, $[score] < 0.6)'), [0, 2, 3, 4]);
  assert.equal(select('not (n < 3 and MATCH_ANY(chunks, $[page] == 1))'), [1, 2, 3, 4]);
});

test('the compiled filter agrees with the reference interpreter on every function and row', () => {
  const texts = ['element_filter(chunks, $[page] in [1, 9])', 'MATCH_ALL(chunks, not ($[text] like "%a%"))', 'MATCH_LEAST(chunks, $[score] > 0.3 or $[page] == 3, 2)',
    'MATCH_MOST(chunks, $["text"] like "%r%", 0)', 'not MATCH_EXACT(chunks, $[page] >= 2, 1)'];
  for (const text of texts) {
    const expr = checkFilter(parseFilter(text), schema).expr;
    const want = rows.map((r, i) => (interpret(expr, r) === true ? i : -1)).filter((i) => i >= 0);
    assert.equal(select(text), want, text);
  }
});

test('over many rows (each copied into the scratch columns the condition is bound to once) it agrees with the reference interpreter', () => {
  let seed = 7;
  const rnd = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32; };
  const words = ['Red apple', 'red', 'Green pear', 'blue sky', 'Red van'];
  const many = Array.from({ length: 300 }, (_, id) => ({ id, n: id % 7, chunks: Array.from({ length: Math.floor(rnd() * 6) }, () => el(words[Math.floor(rnd() * words.length)]!, Math.floor(rnd() * 10), rnd())) }));
  const cols: Columns = { id: many.map((r) => r.id), n: many.map((r) => r.n), chunks: many.map((r) => r.chunks) };
  const texts = ['element_filter(chunks, $[text] like "Red%")', 'MATCH_ALL(chunks, $[page] < 5)', 'MATCH_LEAST(chunks, $[score] > 0.3 and $[page] != 3, 2)',
    'n > 2 and MATCH_MOST(chunks, $[text] == "red", 1)', 'not MATCH_EXACT(chunks, $[page] >= 2, 2)'];
  for (const text of texts) {
    const expr = checkFilter(parseFilter(text), schema).expr;
    const want = many.map((r, i) => (interpret(expr, r) === true ? i : -1)).filter((i) => i >= 0);
    assert.ok(want.length > 0 && want.length < many.length, `a filter that selects some rows: ${text}`);
    assert.equal(filterRows(prepareFilter(text, schema)!, cols, many.length), want, text);
  }
});

test('printed back, an element condition parses to the same tree', () => {
  for (const text of ['element_filter(chunks, $[text] like "Red%")', 'MATCH_LEAST(chunks, ($[page] > 1) and ($[score] < 0.5), 2)', 'not MATCH_ALL(chunks, $[page] in [1, 2])']) {
    const once = formatFilter(checkFilter(parseFilter(text), schema).expr);
    assert.is(formatFilter(checkFilter(parseFilter(once), schema).expr), once, text);
    assert.equal(select(once), select(text));
  }
});

test('bad element conditions are refused with what and where', () => {
  refused('element_filter(n, $[page] > 1)', /needs an Array of Structs field/);
  refused('element_filter(chunks, $[nope] > 1)', /unknown field '\$\[nope\]'/);
  refused('element_filter(chunks, n > 1)', /reads the Struct's sub-fields as \$\[name\]; 'n' is not one/);
  refused('$[page] > 1', /only inside element_filter or MATCH_\*/);
  refused('element_filter(chunks, $[emb] > 1)', /vector field '\$\[emb\]' cannot be used in a filter/);
  refused('element_filter(chunks, $[page])', /condition/);
  refused('element_filter(chunks, $[text] > 1)', /cannot compare/);
  refused('MATCH_LEAST(chunks, $[page] > 1)', /expected ','/);
  refused('MATCH_LEAST(chunks, $[page] > 1, -1)', /non-negative integer/);
  refused('MATCH_LEAST(chunks, $[page] > 1, 1.5)', /non-negative integer/);
  refused('MATCH_ALL(chunks, element_filter(chunks, $[page] > 1))', /cannot be nested/);
  refused('chunks[0] == 1', /Array of Structs field 'chunks' cannot be used in a filter/);
  // A tree off the wire is checked too.
  assert.throws(() => checkFilter({ kind: 'elementMatch', fn: 'match_least', arg: { kind: 'field', name: 'chunks', path: [], pos: 0 }, pred: { kind: 'literal', type: 'bool', value: true, pos: 0 }, pos: 0 }, schema), /takes a non-negative integer count/);
  assert.throws(() => checkFilter({ kind: 'elementMatch', fn: 'match_some', arg: { kind: 'field', name: 'chunks', path: [], pos: 0 }, pred: { kind: 'literal', type: 'bool', value: true, pos: 0 }, pos: 0 }, schema), /unknown element function/);
});

test.run();
