/** Specifies checking a filter against a collection schema. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkFilter, parseFilter } from '../../messages/filter/index.js';
import { ValidationError } from '../../messages/errors.js';
import { refused, schema, strictSchema, strip } from './fixtures.js';
import type { CollectionSchema } from '../../messages/schema.js';

const check = (text: string, s: CollectionSchema = schema) => checkFilter(parseFilter(text), s);

test('unknown fields are named; dynamic collections read them from $meta', () => {
  assert.is(refused('colour == "red"', strictSchema), "unknown field 'colour' at 0");
  assert.is(refused('age > 1 and colour["x"] == 1', strictSchema), "unknown field 'colour' at 12");
  assert.is(refused('$meta["a"] == 1', strictSchema), "unknown field '$meta' at 0");
  const c = check('colour == "red" and $meta["n"] > 1 and colour["x"][0] == 1');
  assert.equal(strip(c.expr), {
    kind: 'and', args: [
      { kind: 'compare', op: '==', left: { kind: 'field', name: '$meta', path: ['colour'] }, right: { kind: 'literal', type: 'string', value: 'red' } },
      { kind: 'compare', op: '>', left: { kind: 'field', name: '$meta', path: ['n'] }, right: { kind: 'literal', type: 'int', value: 1 } },
      { kind: 'compare', op: '==', left: { kind: 'field', name: '$meta', path: ['colour', 'x', 0] }, right: { kind: 'literal', type: 'int', value: 1 } },
    ],
  });
  assert.equal(c.fields, ['$meta']);
});

test('the fields a filter reads are listed once each', () => {
  assert.equal(check('age > 1 and (name like "a%" or age < 0) and j["a"] == 1 and id in [1]').fields.sort(), ['age', 'id', 'j', 'name']);
});

test('type mismatches are refused with the field and its type', () => {
  assert.is(refused('name == 1'), "cannot compare VarChar field 'name' with a number at 5");
  assert.is(refused('"x" < age'), "cannot compare a string with Int32 field 'age' at 4");
  assert.is(refused('ok == 1'), "cannot compare Bool field 'ok' with a number at 3");
  assert.is(refused('age == name'), "cannot compare Int32 field 'age' with VarChar field 'name' at 4");
  assert.is(refused('ok < true'), "cannot order booleans with '<' (Bool field 'ok') at 3");
  assert.is(refused('age in [1, "2"]'), "cannot compare Int32 field 'age' with a string at 11");
  assert.is(refused('name in [1]'), "cannot compare VarChar field 'name' with a number at 9");
  assert.is(refused('age like "1%"'), "'like' needs a VarChar or JSON value, not Int32 field 'age' at 4");
  assert.is(refused('name + 1 > 2'), "arithmetic '+' needs numbers, not VarChar field 'name' at 5");
  assert.is(refused('-name < 0'), "cannot negate VarChar field 'name' at 0");
  assert.is(refused('age["x"] == 1'), 'Int32 field \'age\' has no keys; only JSON fields take ["key"] at 0');
  assert.is(refused('age % 0 == 1'), 'division by zero at 4');
});

test('vector fields are not filterable', () => {
  assert.is(refused('vec == 1'), "vector field 'vec' cannot be used in a filter at 0");
  assert.is(refused('vec is null'), "'is null' cannot test vector field 'vec': a vector field, nullable or not, takes no IS NULL or IS NOT NULL filter at 4");
});

test('a filter must be a condition, and conditions are not operands', () => {
  assert.is(refused('age'), "a filter must be a condition, not Int32 field 'age' at 0");
  assert.is(refused('age + 1'), 'a filter must be a condition, not an arithmetic result at 4');
  assert.is(refused('"yes"'), 'a filter must be a condition, not a string at 0');
  assert.is(refused('age and ok'), "expected a condition, not Int32 field 'age' at 0");
  assert.is(refused('not name'), "expected a condition, not VarChar field 'name' at 4");
  assert.is(refused('(age > 1) == true'), 'a comparison cannot be an operand here (it is a condition) at 5');
  assert.is(refused('(age > 1) + 1 > 0'), 'a comparison cannot be an operand here (it is a condition) at 5');
});

test('what is allowed: numeric mixes, JSON against anything, bools, literals', () => {
  for (const t of ['age > 1.5', 'score == 2', 'age < score', 'k / 2 == 1', 'j["a"] == "x"', 'j["a"] > 1', 'j == 1', 'j like "a%"',
    'ok', 'not ok', 'ok == false', 'j["flag"]', 'true', 'false or ok', 'anything', 'age is null', 'j["a"]["b"] is not null',
    'id in [1, 2]', 'name in []', 'age in [1, 2.5]', 'j["a"] in [1, "x", true]', '-age < 0', '-j["a"] > 0', '1 == 1']) check(t);
});

test('integer arithmetic is marked so that division truncates', () => {
  const arith = (t: string) => { const e = check(t).expr; return e.kind === 'compare' && e.left.kind === 'arith' ? e.left.integer : undefined; };
  assert.is(arith('age / 2 == 1'), true);
  assert.is(arith('k % 3 == 1'), true);
  assert.is(arith('age / 2.0 == 1'), false);
  assert.is(arith('score / 2 == 1'), false);
  assert.is(arith('j["a"] / 2 == 1'), false);
});

test('a tree received from elsewhere is validated, never trusted', () => {
  const bad: unknown[] = [
    null, 7, 'age > 1', [], {}, { kind: 'drop' },
    { kind: 'compare', op: '=~', left: { kind: 'field', name: 'age', path: [] }, right: { kind: 'literal', type: 'int', value: 1 } },
    { kind: 'compare', op: '==', left: { kind: 'field', name: 'age', path: [] }, right: { kind: 'literal', type: 'int', value: 1.5 } },
    { kind: 'compare', op: '==', left: { kind: 'field', name: 'age', path: [] }, right: { kind: 'literal', type: 'float', value: NaN } },
    { kind: 'compare', op: '==', left: { kind: 'field', name: 7, path: [] }, right: { kind: 'literal', type: 'int', value: 1 } },
    { kind: 'compare', op: '==', left: { kind: 'field', name: 'j', path: [-1] }, right: { kind: 'literal', type: 'int', value: 1 } },
    { kind: 'compare', op: '==', left: { kind: 'field', name: 'j', path: [{}] }, right: { kind: 'literal', type: 'int', value: 1 } },
    { kind: 'and', args: [] }, { kind: 'or', args: 'x' }, { kind: 'not' },
    { kind: 'in', arg: { kind: 'field', name: 'age', path: [] }, values: [null] },
    { kind: 'in', arg: { kind: 'field', name: 'age', path: [] } },
    { kind: 'like', arg: { kind: 'field', name: 'name', path: [] }, pattern: 5 },
    { kind: 'isNull', arg: { kind: 'literal', type: 'int', value: 1 } },
  ];
  for (const b of bad) assert.throws(() => checkFilter(b, schema), (e: unknown) => e instanceof ValidationError, JSON.stringify(b));
  let deep: unknown = { kind: 'field', name: 'ok', path: [] };
  for (let i = 0; i < 100_000; i++) deep = { kind: 'not', arg: deep };
  assert.throws(() => checkFilter(deep, schema), /nested deeper than 100/);
});

test('a parsed tree survives JSON transport and checks the same', () => {
  const e = parseFilter('1 < age <= 30 and name like "a%" or j["tags"][0] in ["x"] and not ok');
  assert.equal(checkFilter(JSON.parse(JSON.stringify(e)), schema), checkFilter(e, schema));
});

test.run();
