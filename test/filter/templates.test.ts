/** Filter templating (filter_params): a template and its values give the tree the text written out gives. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError } from '../../messages/errors.js';
import { parseFilter, PARAM_LIMITS } from '../../messages/filter/index.js';
import { strip } from './fixtures.js';

const same = (template: string, params: Record<string, unknown>, written: string) =>
  assert.equal(strip(parseFilter(template, params)), strip(parseFilter(written)), `${template} with ${Object.keys(params).join(", ")}`);

function refused(template: string, params: Record<string, unknown> | undefined, says: RegExp): void {
  try { parseFilter(template, params); } catch (e) {
    assert.instance(e, NuthatchError);
    assert.is((e as NuthatchError).code, 'InvalidArgument');
    assert.match((e as Error).message, says);
    return;
  }
  assert.unreachable(`${template} parsed`);
}

test('a parameter stands for a literal: number, string, boolean, on either side, negated', () => {
  same('age > {min}', { min: 21 }, 'age > 21');
  same('{min} < age', { min: 21 }, '21 < age');
  same('score <= {s}', { s: 0.5 }, 'score <= 0.5');
  same('name == {n} and ok == {b}', { n: 'a "quoted" \\ name', b: false }, 'name == "a \\"quoted\\" \\\\ name" and ok == false');
  same('age > -{min}', { min: 3 }, 'age > -3');
  same('{ lo } < age < { hi }', { lo: 1, hi: 9 }, '1 < age < 9');
  same('id == {big}', { big: 9007199254740991n }, 'id == 9007199254740991');
});

test('a parameter stands for a list in `in`, `not in` and the array functions', () => {
  same('id in {ids}', { ids: [1, 2, 3] }, 'id in [1, 2, 3]');
  same('name not in {names}', { names: ['a', 'b'] }, 'name not in ["a", "b"]');
  same('array_contains_any(tags, {t})', { t: ['x', 'y'] }, 'array_contains_any(tags, ["x", "y"])');
  same('array_contains(tags, {t})', { t: 'x' }, 'array_contains(tags, "x")');
  same('id in {ids}', { ids: [] }, 'id in []');
});

test('a parameter stands for a like pattern', () => {
  same('name like {p}', { p: 'ab%' }, 'name like "ab%"');
  same('name not like {p}', { p: '_x' }, 'name not like "_x"');
});

test('a long list costs no text: more values than the text limit could spell', () => {
  const ids = Array.from({ length: 50_000 }, (_, i) => 1_000_000 + i);
  const tree = parseFilter('id in {ids}', { ids }) as { kind: string; values: unknown[] };
  assert.is(tree.kind, 'in');
  assert.is(tree.values.length, 50_000);
});

test('a missing, mistyped or oversize parameter is refused, naming it', () => {
  refused('age > {min}', undefined, /\{min\} has no value/);
  refused('age > {min}', { max: 1 }, /\{min\} has no value/);
  refused('age > {min}', { min: [1] }, /\{min\} must be a number, string or boolean/);
  refused('age > {min}', { min: null }, /\{min\} must be a number, string or boolean here, got null/);
  refused('age > {min}', { min: Number.NaN }, /not a finite number/);
  refused('age > {min}', { min: 2 ** 60 }, /safe integer/);
  refused('id in {ids}', { ids: 3 }, /\{ids\} must be a list/);
  refused('id in {ids}', { ids: [1, { a: 1 }] }, /\{ids\} must be a number, string or boolean/);
  refused('id in {ids}', { ids: new Array(PARAM_LIMITS.maxListValues + 1).fill(1) }, /more than/);
  refused('name like {p}', { p: 3 }, /string pattern/);
  refused('array_contains(tags, {t})', { t: ['x'] }, /takes one value/);
  refused('age > {1x}', {}, /malformed template parameter/);
  refused('age > {min', { min: 1 }, /malformed template parameter/);
  refused('age > 1', [] as unknown as Record<string, unknown>, /filter params must be an object/);
});

test('a parameter is not a field: `{x} == {y}` compares two literals, and a field named in braces is refused', () => {
  same('{x} == {y}', { x: 1, y: 1 }, '1 == 1');
  refused('{age} > 1', { x: 1 }, /\{age\} has no value/);
});

test.run();
