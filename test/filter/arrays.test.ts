/**
 * Specifies the array expressions of the filter language: array_contains,
 * array_contains_all, array_contains_any (and Milvus's json_contains spellings),
 * array_length and element access `tags[0]`, over Array fields and JSON lists;
 * how they parse, print, check against the schema and select rows.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkFilter, filterRows, formatFilter, parseFilter, prepareFilter } from '../../messages/filter/index.js';
import { ValidationError } from '../../messages/errors.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { columns, refused, schema, strip, table, toColumns } from './fixtures.js';

const select = (text: string) => filterRows(prepareFilter(text, schema)!, columns, table.length);

function truthTable(name: string, cases: [string, number[]][]): void {
  test(name, () => { for (const [text, rows] of cases) assert.equal(select(text), rows, text); });
}

// tags: ['red','blue'], null, ['red'], [], ['green','red','blue'], ['blue']
// nums: [1,2,3], [], [5], [2,2], [-1,7,3,4], [3]
truthTable('array_contains: one value; a null array matches neither way', [
  ['array_contains(tags, "red")', [0, 2, 4]], ['ARRAY_CONTAINS(tags, "blue")', [0, 4, 5]], ['not array_contains(tags, "red")', [3, 5]],
  ['array_contains(nums, 3)', [0, 4, 5]], ['array_contains(nums, 3.0)', [0, 4, 5]], ['array_contains(nums, -1)', [4]],
  ['array_contains(tags, "")', []],
]);

truthTable('array_contains_all and array_contains_any', [
  ['array_contains_all(tags, ["red", "blue"])', [0, 4]], ['array_contains_all(tags, [])', [0, 2, 3, 4, 5]],
  ['Array_Contains_All(nums, [2])', [0, 3]], ['not array_contains_all(tags, ["red", "blue"])', [2, 3, 5]],
  ['array_contains_any(tags, ["green", "blue"])', [0, 4, 5]], ['array_contains_any(nums, [])', []],
  ['not array_contains_any(nums, [2, 5])', [1, 4, 5]], ['array_contains_any(nums, [7, 5,])', [2, 4]],
]);

truthTable('array_length is an integer in comparisons and arithmetic', [
  ['array_length(nums) >= 2', [0, 3, 4]], ['array_length(tags) == 0', [3]], ['array_length(tags) > 0', [0, 2, 4, 5]],
  ['not (array_length(tags) > 0)', [3]], ['array_length(nums) + 1 == 2', [2, 5]], ['ARRAY_LENGTH(nums) < array_length(tags)', []],
  ['array_length(nums) / 2 == 1', [0, 3]],
]);

truthTable('elements: typed as the element type; past the end is unknown, never an error', [
  ['tags[0] == "red"', [0, 2]], ['tags[1] == "red"', [4]], ['tags[5] == "x"', []], ['tags[5] != "x"', []], ['not (tags[5] == "x")', []],
  ['nums[1] > 3', [4]], ['nums[0] in [1, 5]', [0, 2]], ['nums[0] not in [1, 5]', [3, 4, 5]], ['tags[0] like "g%"', [4]],
  ['nums[0] * 2 == 10', [2]], ['nums[0] < nums[1]', [0, 4]], ['-nums[0] == 1', [4]], ['tags[0] > "c"', [0, 2, 4]],
]);

truthTable('is null: a null array, a missing element', [
  ['tags is null', [1]], ['tags is not null', [0, 2, 3, 4, 5]], ['tags[0] is null', [1, 3]], ['nums[0] is not null', [0, 2, 3, 4, 5]],
]);

truthTable('on JSON values (and dynamic fields) the same functions read lists', [
  ['array_contains(j["tags"], "x")', [0]], ['json_contains(j["tags"], "y")', [0]], ['array_contains(j, 1)', [4]], ['not array_contains(j, 1)', []],
  ['JSON_CONTAINS_ANY(j, [2, 9])', [4]], ['array_contains_all(j, [1, 2])', [4]], ['array_length(j) == 2', [4]], ['array_length(j["tags"]) == 2', [0]],
  ['array_contains(color, "red")', []], ['array_length(j["a"]) >= 0', []],
]);

test('element types Bool, Float and Int64: values compare exactly', () => {
  const s: CollectionSchema = {
    fields: [
      { name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: 2 },
      { name: 'flags', dataType: 'Array', elementType: 'Bool', maxCapacity: 2 },
      { name: 'ws', dataType: 'Array', elementType: 'Float', maxCapacity: 2 },
      { name: 'bigs', dataType: 'Array', elementType: 'Int64', maxCapacity: 2 },
    ],
  };
  const rows = [
    { id: 1, flags: [true, false], ws: [0.5, 1.25], bigs: [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER] },
    { id: 2, flags: [false], ws: [2], bigs: [1] },
  ];
  const cols = toColumns(rows, ['id', 'flags', 'ws', 'bigs']);
  const pick = (text: string) => filterRows(prepareFilter(text, s)!, cols, rows.length).map((i) => rows[i]!.id);
  assert.equal(pick('array_contains(flags, true)'), [1]);
  assert.equal(pick('flags[0] == false'), [2]);
  assert.equal(pick('flags[0]'), [1]);
  assert.equal(pick('ws[1] > 1'), [1]);
  assert.equal(pick('array_contains(ws, 2)'), [2]);
  assert.equal(pick('array_contains_any(ws, [0.5, 7])'), [1]);
  assert.equal(pick(`array_contains(bigs, ${Number.MAX_SAFE_INTEGER})`), [1]);
  assert.equal(pick(`bigs[1] == -${Number.MAX_SAFE_INTEGER}`), [1]);
  assert.is(refused('flags[0] < true', s), "cannot order booleans with '<' (element flags[0] (Bool)) at 9");
  assert.is(refused('array_contains(flags, 1)', s), "cannot compare Bool elements of Array field 'flags' with a number at 22");
});

test('the checker refuses what does not fit the schema, naming the field and its element type', () => {
  const cases: [string, string][] = [
    ['array_contains(name, "x")', "array_contains needs an Array or JSON field, not VarChar field 'name' at 0"],
    ['array_contains(nums, "x")', "cannot compare Int32 elements of Array field 'nums' with a string at 21"],
    ['array_contains_any(tags, ["a", 1])', "cannot compare VarChar elements of Array field 'tags' with a number at 31"],
    ['array_length(age) > 1', "array_length needs an Array or JSON field, not Int32 field 'age' at 0"],
    ['array_contains(vec, 1)', "vector field 'vec' cannot be used in a filter at 15"],
    ['tags[0] == 1', 'cannot compare element tags[0] (VarChar) with a number at 8'],
    ['nums[1] > "a"', 'cannot compare element nums[1] (Int32) with a string at 8'],
    ['nums[0] like "1%"', "'like' needs a VarChar or JSON value, not element nums[0] (Int32) at 8"],
    ['tags == "red"', "Array field 'tags' is a list: compare an element (tags[0]) or use array_contains, array_length at 0"],
    ['nums in [1]', "Array field 'nums' is a list: compare an element (nums[0]) or use array_contains, array_length at 0"],
    ['array_length(nums) + nums > 1', "Array field 'nums' is a list: compare an element (nums[0]) or use array_contains, array_length at 21"],
    ['tags["k"] == "x"', 'Array field \'tags\' takes one element index, such as tags[0] at 0'],
    ['tags[0][1] == "x"', 'Array field \'tags\' takes one element index, such as tags[0] at 0'],
    ['tags', "a filter must be a condition, not Array field 'tags' at 0"],
    ['array_length(tags)', 'a filter must be a condition, not an array length at 0'],
    ['array_contains(tags, "a") > 1', "an 'array_contains' test cannot be an operand here (it is a condition) at 0"],
  ];
  for (const [text, message] of cases) assert.is(refused(text), message, text);
});

test('parsing: function names in any case, json_ spellings, a field may share a function name', () => {
  assert.equal(strip(parseFilter('ARRAY_CONTAINS(tags, "a")')), strip(parseFilter('json_contains(tags, "a")')));
  assert.equal(strip(parseFilter('array_contains_any(nums, [1, -2])')), {
    kind: 'contains', op: 'containsAny', arg: { kind: 'field', name: 'nums', path: [] },
    values: [{ kind: 'literal', type: 'int', value: 1 }, { kind: 'literal', type: 'int', value: -2 }],
  });
  assert.equal(strip(parseFilter('array_length(j["a"]) > 1')), {
    kind: 'compare', op: '>', left: { kind: 'length', arg: { kind: 'field', name: 'j', path: ['a'] } }, right: { kind: 'literal', type: 'int', value: 1 },
  });
  // Only a name followed by '(' is a function: a dynamic field may be called array_length.
  assert.equal(strip(checkFilter(parseFilter('array_length == 1'), schema).expr), {
    kind: 'compare', op: '==', left: { kind: 'field', name: '$meta', path: ['array_length'] }, right: { kind: 'literal', type: 'int', value: 1 },
  });
});

test('printing then parsing gives the same tree', () => {
  for (const text of ['ARRAY_CONTAINS_ALL(tags, ["a", "b"])', 'not json_contains(j["x"][0], true)', 'array_length(nums) * 2 >= nums[3] + 1',
    'array_contains_any(nums, [])', 'tags[2] like "a\\\\%" or array_contains(tags, "q\\"")']) {
    const tree = parseFilter(text);
    assert.equal(strip(parseFilter(formatFilter(tree))), strip(tree), text);
  }
  assert.is(formatFilter(parseFilter('JSON_CONTAINS_ANY(j, [1, "a"])')), 'array_contains_any(j, [1, "a"])');
  assert.is(formatFilter(parseFilter('ARRAY_LENGTH(tags) > 1')), 'array_length(tags) > 1');
});

test('syntax errors say what and where', () => {
  const cases: [string, string][] = [
    ['foo(tags)', "unknown function 'foo' (array_contains, array_contains_all, array_contains_any, array_length, text_match, phrase_match, RANDOM_SAMPLE, element_filter, MATCH_ANY and the other MATCH_ operators, ST_CONTAINS and the other ST_ operators) at 0"],
    ['array_contains(tags, ["a"])', 'array_contains takes one value; for a list use array_contains_all or array_contains_any at 21'],
    ['array_contains_all(tags, "a")', "expected '[' but found string \"a\" at 25"],
    ['array_length(1) > 0', "array_length needs a field as its first argument, found token '1' at 13"],
    ['array_length(tags', "expected ')' but found end of input at 17"],
    ['array_contains(tags)', "expected ',' but found token ')' at 19"],
    ['array_contains(tags, age)', "unexpected token 'age' (array_contains takes a literal value) at 21"],
    ['array_contains_any(tags, [age])', "unexpected token 'age' (array_contains_any takes a list of literals) at 26"],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseFilter(text), (e: unknown) => e instanceof ValidationError && e.message === message, `${text} -> ${message}`);
  }
});

test('a tree received from elsewhere is validated: contains and length nodes too', () => {
  const tags = { kind: 'field', name: 'tags', path: [] };
  const lit = { kind: 'literal', type: 'string', value: 'a' };
  const bad: unknown[] = [
    { kind: 'contains', op: 'has', arg: tags, values: [lit] },
    { kind: 'contains', op: 'contains', arg: tags, values: [lit, lit] },
    { kind: 'contains', op: 'containsAll', arg: tags, values: 'a' },
    { kind: 'contains', op: 'containsAny', arg: tags, values: [null] },
    { kind: 'contains', op: 'contains', arg: lit, values: [lit] },
    { kind: 'length', arg: { kind: 'literal', type: 'int', value: 1 } },
  ];
  for (const b of bad) assert.throws(() => checkFilter(b, schema), (e: unknown) => e instanceof ValidationError, JSON.stringify(b));
  const good = parseFilter('array_contains_all(tags, ["a"]) and array_length(nums) > 0');
  assert.equal(checkFilter(JSON.parse(JSON.stringify(good)), schema), checkFilter(good, schema));
});

test.run();
