/** Specifies RANDOM_SAMPLE(f): where it may stand, its factor, and that it keeps ~f of the matches, evenly. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkFilter, compileFilter, filterRows, formatFilter, parseFilter, withSampleSeed, type Expr } from '../../messages/filter/index.js';
import { ValidationError } from '../../messages/errors.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { schema } from './fixtures.js';
import { checkBoostFunction } from '../../messages/boostRanker.js';

const refused = (text: string, want: RegExp) => {
  const err = (() => { try { checkFilter(parseFilter(text), schema); } catch (e) { return e; } return null; })();
  assert.ok(err instanceof ValidationError, `${text} should be refused`);
  assert.is((err as ValidationError).code, 'InvalidArgument', text);
  assert.match((err as Error).message, want, text);
  assert.type((err as ValidationError).info.position, 'number', text);
};

test('RANDOM_SAMPLE parses in any case and prints back', () => {
  for (const text of ['RANDOM_SAMPLE(0.25)', 'random_sample(0.25)', 'Random_Sample( 0.25 )']) {
    const e = parseFilter(text);
    assert.equal({ kind: e.kind, factor: (e as { factor: number }).factor }, { kind: 'sample', factor: 0.25 }, text);
    assert.is(formatFilter(e), 'RANDOM_SAMPLE(0.25)');
  }
  const e = parseFilter('age > 1 and RANDOM_SAMPLE(0.5)');
  assert.equal(checkFilter(parseFilter(formatFilter(e)), schema).expr.kind, 'and');
});

test('the factor is a number in (0, 1), bounds excluded', () => {
  for (const f of ['0', '1', '1.0', '0.0', '-0.1', '1.5', '"0.5"', 'true', '2']) refused(`RANDOM_SAMPLE(${f})`, /RANDOM_SAMPLE takes a sampling factor in \(0, 1\)/);
  refused('RANDOM_SAMPLE()', /sampling factor/);
  for (const f of [1e-9, 0.001, 0.5, 0.999999]) assert.is(checkFilter(parseFilter(`RANDOM_SAMPLE(${f})`), schema).expr.kind, 'sample');
  // A tree off the wire is checked too.
  for (const factor of [0, 1, -1, Number.NaN, '0.5']) {
    assert.throws(() => checkFilter({ kind: 'sample', factor, pos: 0 }, schema), (e: unknown) => e instanceof ValidationError);
  }
  assert.throws(() => checkFilter({ kind: 'sample', factor: 0.5, seed: -1, pos: 0 }, schema), /seed/);
});

test('RANDOM_SAMPLE stands alone or under the top-level and, once', () => {
  for (const ok of ['RANDOM_SAMPLE(0.1)', 'age > 1 and RANDOM_SAMPLE(0.1)', 'RANDOM_SAMPLE(0.1) && age > 1 and name like "a%"', '(age > 1 or ok) and RANDOM_SAMPLE(0.1)', '(RANDOM_SAMPLE(0.1))']) {
    assert.ok(checkFilter(parseFilter(ok), schema), ok);
  }
  const where = /may stand only alone or joined by 'and'/;
  refused('age > 1 or RANDOM_SAMPLE(0.1)', where);
  refused('not RANDOM_SAMPLE(0.1)', where);
  refused('!(age > 1 and RANDOM_SAMPLE(0.1))', where);
  refused('age > 1 and (ok and RANDOM_SAMPLE(0.1))', where);
  refused('age > 1 and (ok or RANDOM_SAMPLE(0.1))', where);
  refused('RANDOM_SAMPLE(0.1) and RANDOM_SAMPLE(0.2)', /at most one RANDOM_SAMPLE/);
  refused('RANDOM_SAMPLE(0.1) == true', /cannot be an operand/);
});

test('the sample runs after the other conditions: it is the last operand of the checked and', () => {
  const e = checkFilter(parseFilter('RANDOM_SAMPLE(0.1) and age > 1 and ok'), schema).expr;
  assert.is(e.kind, 'and');
  assert.equal((e as { args: Expr[] }).args.map((a) => a.kind), ['compare', 'field', 'sample']);
  assert.ok(checkFilter(parseFilter('RANDOM_SAMPLE(0.1)'), schema).fields.includes('id'), 'it reads the primary key');
});

test('a boost ranker\'s filter takes no RANDOM_SAMPLE (it weights rows; random_score is its randomness)', () => {
  const boost = (filter: string) => checkBoostFunction({ type: 'Rerank', params: { reranker: 'boost', weight: 2, filter } }, schema, 'ranker');
  assert.ok(boost('age > 1'));
  assert.throws(() => boost('age > 1 and RANDOM_SAMPLE(0.5)'), /RANDOM_SAMPLE filters the rows a read returns/);
});

// ---- evaluation ---------------------------------------------------------

const N = 100_000;
const intSchema: CollectionSchema = { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'k', dataType: 'Int64' }, { name: 'v', dataType: 'FloatVector', dim: 2 }] };
const strSchema: CollectionSchema = { fields: [{ name: 'id', dataType: 'VarChar', maxLength: 32, isPrimary: true }, { name: 'k', dataType: 'Int64' }, { name: 'v', dataType: 'FloatVector', dim: 2 }] };

/** Keys 0..N-1 (or their strings), k = key mod 3. */
const intIds = Array.from({ length: N }, (_, i) => i);
const strIds = intIds.map((i) => `doc-${i}`);
const ks = intIds.map((i) => i % 3);

/** The rows of a seeded filter. */
function sampled(text: string, s: CollectionSchema, ids: unknown[], seed: number): number[] {
  const f = compileFilter(withSampleSeed(parseFilter(text), seed), s);
  return filterRows(f, { id: ids, k: ks }, ids.length);
}

/** |x - n f| within 5 standard deviations of Binomial(n, f): a false alarm about once in 3.5 million. */
function assertBinomial(x: number, n: number, f: number, what: string): void {
  const sd = Math.sqrt(n * f * (1 - f));
  assert.ok(Math.abs(x - n * f) <= 5 * sd, `${what}: ${x} kept of ${n}, expected ${n * f} +- ${(5 * sd).toFixed(1)}`);
}

for (const [label, s, ids] of [['integer keys', intSchema, intIds], ['string keys', strSchema, strIds]] as const) {
  test(`${label}: about f of the matches, only matches, the same for one seed, another for another`, () => {
    for (const [f, seed] of [[0.001, 1], [0.05, 2], [0.3, 3], [0.5, 4], [0.9, 5]] as const) {
      const rows = sampled(`k == 1 and RANDOM_SAMPLE(${f})`, s, [...ids], seed);
      const matches = ids.length / 3;
      assertBinomial(rows.length, matches, f, `f=${f}`);
      assert.ok(rows.every((r) => ks[r] === 1), 'every sampled row matches the rest of the filter');
      assert.equal(sampled(`k == 1 and RANDOM_SAMPLE(${f})`, s, [...ids], seed), rows, 'one seed, one sample');
    }
    const a = new Set(sampled('RANDOM_SAMPLE(0.5)', s, [...ids], 7)), b = sampled('RANDOM_SAMPLE(0.5)', s, [...ids], 8);
    // Two independent halves share about a quarter of the rows.
    assertBinomial(b.filter((r) => a.has(r)).length, N, 0.25, 'overlap of two seeds');
  });

  test(`${label}: no bias across segments or key ranges`, () => {
    const f = 0.2, seed = 11, parts = 10, whole = new Set(sampled(`RANDOM_SAMPLE(${f})`, s, [...ids], seed));
    // Key ranges: ten consecutive blocks of keys.
    for (let p = 0; p < parts; p++) {
      const lo = (p * N) / parts, hi = ((p + 1) * N) / parts;
      let kept = 0;
      for (let r = lo; r < hi; r++) if (whole.has(r)) kept++;
      assertBinomial(kept, hi - lo, f, `key block ${p}`);
    }
    // Segments: the rows dealt into ten segments of unequal sizes, each sampled by itself with the same seed.
    const seg = (r: number) => (r * 7919) % 13 % parts;
    for (let p = 0; p < parts; p++) {
      const rows = intIds.filter((r) => seg(r) === p);
      const keptHere = sampled(`RANDOM_SAMPLE(${f})`, s, rows.map((r) => ids[r]), seed).map((i) => rows[i]!);
      assertBinomial(keptHere.length, rows.length, f, `segment ${p}`);
      // Where a row lives does not change whether it is kept.
      assert.ok(keptHere.every((r) => whole.has(r)) && rows.filter((r) => whole.has(r)).length === keptHere.length, `segment ${p} agrees with the whole`);
    }
  });
}

test.run();
