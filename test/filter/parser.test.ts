/** Specifies the syntax: every construct parses to the expected tree. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatFilter, parseFilter } from '../../messages/filter/index.js';
import { strip } from './fixtures.js';

const p = (text: string) => strip(parseFilter(text));
const int = (value: number) => ({ kind: 'literal', type: 'int', value });
const flt = (value: number) => ({ kind: 'literal', type: 'float', value });
const str = (value: string) => ({ kind: 'literal', type: 'string', value });
const bool = (value: boolean) => ({ kind: 'literal', type: 'bool', value });
const f = (name: string, ...path: (string | number)[]) => ({ kind: 'field', name, path });
const cmp = (op: string, left: unknown, right: unknown) => ({ kind: 'compare', op, left, right });

test('integer literals: decimal, negative, hex, octal, binary', () => {
  assert.equal(p('a == 42'), cmp('==', f('a'), int(42)));
  assert.equal(p('a == -42'), cmp('==', f('a'), int(-42)));
  assert.equal(p('a > - 3'), cmp('>', f('a'), int(-3)));
  assert.equal(p('a == 0x1F'), cmp('==', f('a'), int(31)));
  assert.equal(p('a == 0o17'), cmp('==', f('a'), int(15)));
  assert.equal(p('a == 0b101'), cmp('==', f('a'), int(5)));
  assert.equal(p('a == 9007199254740991'), cmp('==', f('a'), int(9007199254740991)));
});

test('float literals: fraction, leading dot, scientific notation', () => {
  assert.equal(p('a < 1.5'), cmp('<', f('a'), flt(1.5)));
  assert.equal(p('a < .25'), cmp('<', f('a'), flt(0.25)));
  assert.equal(p('a < 1e3'), cmp('<', f('a'), flt(1000)));
  assert.equal(p('a < -2.5E-2'), cmp('<', f('a'), flt(-0.025)));
  assert.equal(p('a < 3.'), cmp('<', f('a'), flt(3)));
});

test('string literals: both quotes and escapes', () => {
  assert.equal(p("s == 'it\\'s'"), cmp('==', f('s'), str("it's")));
  assert.equal(p('s == "say \\"hi\\""'), cmp('==', f('s'), str('say "hi"')));
  assert.equal(p('s == "a\\nb\\t\\\\"'), cmp('==', f('s'), str('a\nb\t\\')));
  assert.equal(p('s == "\\u00e5\\x41"'), cmp('==', f('s'), str('åA')));
  assert.equal(p("s == ''"), cmp('==', f('s'), str('')));
  // Unknown escapes are kept, so like patterns can escape their wildcards.
  assert.equal(p('s like "100\\%"'), { kind: 'like', arg: f('s'), pattern: '100\\%', negated: false });
});

test('booleans in any case', () => {
  for (const t of ['true', 'True', 'TRUE']) assert.equal(p(`b == ${t}`), cmp('==', f('b'), bool(true)));
  for (const t of ['false', 'False']) assert.equal(p(`b != ${t}`), cmp('!=', f('b'), bool(false)));
  assert.equal(p('true'), bool(true));
});

test('fields and JSON paths', () => {
  assert.equal(p('ok'), f('ok'));
  assert.equal(p('_x1 > 0'), cmp('>', f('_x1'), int(0)));
  assert.equal(p('j["a"]["b"] == 1'), cmp('==', f('j', 'a', 'b'), int(1)));
  assert.equal(p("j['tags'][0] == 'x'"), cmp('==', f('j', 'tags', 0), str('x')));
  assert.equal(p('$meta["color"] == "red"'), cmp('==', f('$meta', 'color'), str('red')));
});

test('every comparison operator', () => {
  for (const op of ['==', '!=', '<', '<=', '>', '>=']) assert.equal(p(`a ${op} 1`), cmp(op, f('a'), int(1)));
  assert.equal(p('1 < a'), cmp('<', int(1), f('a')));
  assert.equal(p('a == b'), cmp('==', f('a'), f('b')));
});

test('chained comparisons become an and of two', () => {
  assert.equal(p('1 < a <= 5'), { kind: 'and', args: [cmp('<', int(1), f('a')), cmp('<=', f('a'), int(5))] });
  assert.equal(p('5 >= a > 1'), { kind: 'and', args: [cmp('>=', int(5), f('a')), cmp('>', f('a'), int(1))] });
});

test('in and not in, with trailing comma and empty list', () => {
  assert.equal(p('a in [1, 2, -3]'), { kind: 'in', arg: f('a'), values: [int(1), int(2), int(-3)], negated: false });
  assert.equal(p('a not in ["x",]'), { kind: 'in', arg: f('a'), values: [str('x')], negated: true });
  assert.equal(p('a IN []'), { kind: 'in', arg: f('a'), values: [], negated: false });
  assert.equal(p('a NOT IN [1.5, true]'), { kind: 'in', arg: f('a'), values: [flt(1.5), bool(true)], negated: true });
});

test('like and not like', () => {
  assert.equal(p('s like "ab%"'), { kind: 'like', arg: f('s'), pattern: 'ab%', negated: false });
  assert.equal(p("s LIKE '%ab'"), { kind: 'like', arg: f('s'), pattern: '%ab', negated: false });
  assert.equal(p('s not like "%ab%"'), { kind: 'like', arg: f('s'), pattern: '%ab%', negated: true });
});

test('is null and is not null', () => {
  assert.equal(p('a is null'), { kind: 'isNull', arg: f('a'), negated: false });
  assert.equal(p('j["x"] IS NOT NULL'), { kind: 'isNull', arg: f('j', 'x'), negated: true });
});

test('logical operators in words and symbols; and/or chains are flat', () => {
  const a = f('a'), b = f('b'), c = f('c');
  assert.equal(p('a and b and c'), { kind: 'and', args: [a, b, c] });
  assert.equal(p('a && b AND c'), { kind: 'and', args: [a, b, c] });
  assert.equal(p('a or b || c'), { kind: 'or', args: [a, b, c] });
  assert.equal(p('not a'), { kind: 'not', arg: a });
  assert.equal(p('!a'), { kind: 'not', arg: a });
  assert.equal(p('NOT not a'), { kind: 'not', arg: { kind: 'not', arg: a } });
});

test('precedence: or < and < not < comparison < + - < * / % < unary', () => {
  const a = f('a'), b = f('b'), c = f('c');
  assert.equal(p('a or b and c'), { kind: 'or', args: [a, { kind: 'and', args: [b, c] }] });
  assert.equal(p('(a or b) and c'), { kind: 'and', args: [{ kind: 'or', args: [a, b] }, c] });
  assert.equal(p('not a > 1 and b'), { kind: 'and', args: [{ kind: 'not', arg: cmp('>', a, int(1)) }, b] });
  const ar = (op: string, left: unknown, right: unknown) => ({ kind: 'arith', op, left, right });
  assert.equal(p('a + b * 2 > 3'), cmp('>', ar('+', a, ar('*', b, int(2))), int(3)));
  assert.equal(p('a - b - c == 0'), cmp('==', ar('-', ar('-', a, b), c), int(0)));
  assert.equal(p('(a + 1) % 4 == 1'), cmp('==', ar('%', ar('+', a, int(1)), int(4)), int(1)));
  assert.equal(p('-a / 2 < 1'), cmp('<', ar('/', { kind: 'neg', arg: a }, int(2)), int(1)));
  assert.equal(p('a - -1 > 0'), cmp('>', ar('-', a, int(-1)), int(0)));
});

test('whitespace is free and keywords need no spaces around punctuation', () => {
  assert.equal(p('(a>1)and(b<2)'), { kind: 'and', args: [cmp('>', f('a'), int(1)), cmp('<', f('b'), int(2))] });
  assert.equal(p('\n\ta\r\n==\t1 '), cmp('==', f('a'), int(1)));
});

test('formatFilter prints text that parses back to the same tree', () => {
  for (const t of [
    'a > 1 and (b < 2 or not c)', '1 < a < 5', 'j["k"][0] in [1, -2, 3.5, "x", true]', 'name not like "a\\\\%b"',
    'a + b * -c / 2 % 3 >= -1.0', 's == "quote \\" and \\\\ and \\n"', 'x is not null or y is null', 'a == 2.0',
  ]) assert.equal(p(formatFilter(parseFilter(t))), p(t), t);
});

test.run();
