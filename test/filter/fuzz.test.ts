/**
 * Property: whatever text or tree arrives, the filter module either accepts it
 * and evaluates it without throwing, or refuses it with a ValidationError
 * (InvalidArgument). Never a crash, a hang or another error.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileFilter, parseFilter, prepareFilter } from '../../messages/filter/index.js';
import { ValidationError } from '../../messages/errors.js';
import { columns, pick, rng, schema, strictSchema, table } from './fixtures.js';

const SEED = Number(process.env.FILTER_SEED ?? 99);
const TOKENS = [
  'age', 'name', 'score', 'ok', 'j', 'vec', 'id', 'colour', '$meta', '$x', 'and', 'AND', 'or', 'not', 'NOT', 'in', 'like', 'is', 'null',
  'true', 'False', '(', ')', '[', ']', ',', '==', '!=', '<', '<=', '>', '>=', '=', '&&', '||', '!', '&', '|', '+', '-', '*', '/', '%',
  '0', '1', '-2', '3.5', '1e3', '1e', '.5', '0x1f', '0x', '99999999999999999999', '"a%"', "'x'", '"', "'", '"\\', '"\\u00"', '["k"]', '[0]', '[-1]',
  ' ', '\n', '\t', '#', '@', '"%_\\\\"', 'é', '\u0000',
  'tags', 'nums', 'array_contains', 'ARRAY_CONTAINS_ALL', 'array_contains_any', 'json_contains', 'array_length', 'Array_Length', 'nope',
];
const CHARS = 'ab jn()[]"\'\\=!<>&|+-*/%.,01e9x$_ \u00e9\ud83d\u0000';

/** Accepts and evaluates `text`, or asserts the refusal is a ValidationError. */
function attempt(text: string): 'ok' | 'refused' {
  try {
    for (const s of [schema, strictSchema]) {
      const f = prepareFilter(text, s);
      if (f) { const p = f.bind(columns); for (let i = 0; i < table.length; i++) assert.type(p(i), 'boolean'); }
    }
    return 'ok';
  } catch (e) {
    if (!(e instanceof ValidationError) || e.code !== 'InvalidArgument') assert.unreachable(`${JSON.stringify(text)} threw ${String(e)}`);
    return 'refused';
  }
}

test(`random token sequences only ever give ValidationError (seed ${SEED})`, () => {
  const r = rng(SEED);
  const seen = { ok: 0, refused: 0 };
  for (let n = 0; n < 20000; n++) seen[attempt(Array.from({ length: 1 + Math.floor(r() * 12) }, () => pick(r, TOKENS)).join(pick(r, [' ', ''])))]++;
  assert.ok(seen.ok > 100 && seen.refused > 100, JSON.stringify(seen));
});

test(`random characters only ever give ValidationError (seed ${SEED})`, () => {
  const r = rng(SEED + 1);
  for (let n = 0; n < 20000; n++) attempt(Array.from({ length: Math.floor(r() * 24) }, () => pick(r, [...CHARS])).join(''));
});

test('mutated valid filters only ever give ValidationError', () => {
  const r = rng(SEED + 2);
  const base = ['1 < age <= 30 and name like "a%"', 'j["a"]["b"] in [1, "x", true] or not ok', 'color != "red" && (score * 2 + 1) % 3 == 1', 'age is not null || id not in [1, 2,]',
    'array_contains(tags, "red") or array_length(nums) >= 2', 'ARRAY_CONTAINS_ANY(nums, [1, 2]) and tags[0] like "r%"', 'array_contains_all(j["tags"], ["x"]) || nums[1] * 2 > 3'];
  for (let n = 0; n < 20000; n++) {
    const chars = [...pick(r, base)];
    for (let m = 0; m < 1 + Math.floor(r() * 3); m++) {
      const at = Math.floor(r() * (chars.length + 1)), what = r();
      if (what < 0.4) chars.splice(at, 1);
      else if (what < 0.8) chars.splice(at, 0, pick(r, [...CHARS]));
      else chars.splice(at, 0, pick(r, TOKENS));
    }
    attempt(chars.join(''));
  }
});

test('randomly damaged trees only ever give ValidationError', () => {
  const r = rng(SEED + 3);
  const junk: unknown[] = [null, undefined, 0, -1, 1.5, NaN, '', 'x', true, [], {}, [1], { kind: 'field' }, { kind: 'literal', type: 'int', value: 1 }];
  const damage = (x: unknown, depth: number): unknown => {
    if (r() < 0.08) return pick(r, junk);
    if (Array.isArray(x)) return x.map((v) => damage(v, depth + 1));
    if (x === null || typeof x !== 'object') return x;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) if (r() > 0.03) out[k] = damage(v, depth + 1);
    return out;
  };
  const trees = ['1 < age <= 30 and name like "a%"', 'j["a"] in [1, "x"] or not ok', 'age + 1 > score and j["x"] is null',
    'array_contains_any(tags, ["a", "b"]) and array_length(nums) > nums[0]', 'array_contains(j, 1) or tags[1] == "x"'].map((t) => parseFilter(t));
  let refused = 0;
  for (let n = 0; n < 5000; n++) {
    try {
      const p = compileFilter(damage(pick(r, trees), 0), schema).bind(columns);
      for (let i = 0; i < table.length; i++) assert.type(p(i), 'boolean');
    } catch (e) {
      if (!(e instanceof ValidationError)) assert.unreachable(`threw ${String(e)}`);
      refused++;
    }
  }
  assert.ok(refused > 500, `refused ${refused}`);
});

test.run();
