/** Specifies syntax errors: each is a ValidationError that says what and where. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FILTER_LIMITS, parseFilter } from '../../messages/filter/index.js';
import { ValidationError } from '../../messages/errors.js';

function error(text: string): ValidationError {
  try { parseFilter(text); } catch (e) {
    assert.instance(e, ValidationError);
    assert.is((e as ValidationError).code, 'InvalidArgument');
    return e as ValidationError;
  }
  assert.unreachable(`expected ${JSON.stringify(text)} to be refused`);
  throw new Error("unreachable");
}

const cases: [string, string][] = [
  ['age > 1 and )', "unexpected token ')' (expected a field, a literal or '(') at 12"],
  ['(age > 1', "expected ')' but found end of input at 8"],
  ['age > 1)', "unexpected token ')' at 7"],
  ['age >', "unexpected end of input (expected a field, a literal or '(') at 5"],
  ['age = 1', "unexpected '=' (did you mean '=='?) at 4"],
  ['age == == 1', "unexpected token '==' (expected a field, a literal or '(') at 7"],
  ['age # 1', "unexpected character '#' at 4"],
  ['name == "abc', 'unterminated string at 8'],
  ['name == "\\u12"', "malformed escape '\\u12\"' at 9"],
  ['a == 12abc', "malformed number '12abc' at 5"],
  ['a == 1e', "malformed number '1e' at 5"],
  ['a == 0x', "malformed number '0x' at 5"],
  ['a == 1e999', "number '1e999' is out of range at 5"],
  ['a == 9007199254740993', "integer '9007199254740993' is outside the safe integer range at 5"],
  ['a in 1', "expected '[' but found token '1' at 5"],
  ['a in [b]', "unexpected token 'b' (an 'in' list holds only literals) at 6"],
  ['a in [1 2]', "expected ']' but found token '2' at 8"],
  ['a like b', "'like' needs a string pattern, found token 'b' at 7"],
  ['a is 1', "expected 'null' but found token '1' at 5"],
  ['a + 1 is null', "'is null' applies to a field at 6"],
  ['1 < a > 3', "cannot chain '<' with '>'; only '<'/'<=' or '>'/'>=' chain (use parentheses) at 6"],
  ['a == b == c', "cannot chain '==' with '=='; only '<'/'<=' or '>'/'>=' chain (use parentheses) at 7"],
  ['1 < a < 3 < 4', 'a comparison chain has at most two operators, found token \'<\' at 10'],
  ['j[1.5] == 1', 'a JSON path key must be a string or a non-negative integer, found token \'1.5\' at 2'],
  ['j[k] == 1', "a JSON path key must be a string or a non-negative integer, found token 'k' at 2"],
  ['a and and b', "unexpected keyword 'and' (expected a field, a literal or '(') at 6"],
  ['a & b', "unexpected character '&' at 2"],
];

test('malformed expressions name the problem and its offset', () => {
  for (const [text, message] of cases) {
    const e = error(text);
    assert.is(e.message, message, text);
    assert.is(typeof e.info.position, 'number', text);
  }
});

test('empty, non-string and over-long filters are refused', () => {
  assert.is(error('').message, 'filter is empty');
  assert.is(error('  \n ').message, 'filter is empty');
  assert.throws(() => parseFilter(42 as unknown as string), (e: unknown) => e instanceof ValidationError);
  const long = 'a == 1 or '.repeat(7000) + 'a == 1';
  assert.ok(long.length > FILTER_LIMITS.maxLength);
  assert.is(error(long).message, `filter is longer than ${FILTER_LIMITS.maxLength} characters`);
});

test('nesting deeper than the limit is refused without exhausting the stack', () => {
  const deep = [
    '('.repeat(5000) + 'a' + ')'.repeat(5000),
    'not '.repeat(10000) + 'a',
    '!'.repeat(30000) + 'a',
    '-'.repeat(30000) + 'a > 1',
    'a' + ' + a'.repeat(5000) + ' > 1',
    'j' + '["k"]'.repeat(5000) + ' == 1',
  ];
  for (const text of deep) assert.match(error(text).message, /nested deeper than 100|JSON path is longer than 100/, text.slice(0, 20));
});

test('long flat and/or chains are not nesting', () => {
  const text = Array.from({ length: 2000 }, (_, i) => `id == ${i}`).join(' or ');
  const e = parseFilter(text);
  assert.is(e.kind, 'or');
  assert.is(e.kind === 'or' && e.args.length, 2000);
});

test.run();
