/** Decay rankers (runtime/client/decayRanker.ts): curves, normalised scores and the re-ranking, with no servers. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkDecayRanker, decayFuse, decayOf, decayRerank, normalisedScore, type DecayRanker } from '../../runtime/client/decayRanker.js';
import { ValidationError } from '../../messages/errors.js';
import type { CollectionSchema } from '../../messages/schema.js';

const schema: CollectionSchema = { fields: [
  { name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: 2 },
  { name: 'ts', dataType: 'Int64' }, { name: 'name', dataType: 'VarChar', maxLength: 8 },
] };
const ranker = (fn: string, extra: object = {}): DecayRanker => ({ type: 'Rerank', inputFieldNames: ['ts'], params: { reranker: 'decay', function: fn as 'gauss', origin: 100, scale: 10, offset: 2, decay: 0.5, ...extra } });
const close = (a: number, b: number) => Math.abs(a - b) < 1e-12;

for (const fn of ['gauss', 'exp', 'linear']) {
  test(`${fn}: 1 within offset of the origin, decay at offset + scale, falling beyond, on both sides`, () => {
    const d = checkDecayRanker(ranker(fn), schema);
    assert.equal([decayOf(d, 100), decayOf(d, 102), decayOf(d, 98)], [1, 1, 1]);
    assert.ok(close(decayOf(d, 112), 0.5) && close(decayOf(d, 88), 0.5), `${decayOf(d, 112)}`);
    assert.ok(decayOf(d, 105) > decayOf(d, 110) && decayOf(d, 110) > decayOf(d, 130));
    assert.ok(decayOf(d, 130) >= 0);
    assert.is(decayOf(d, null), 0, 'a missing value decays fully');
  });
}

test('linear reaches 0 at offset + scale / (1 - decay); exp never does', () => {
  const lin = checkDecayRanker(ranker('linear'), schema), exp = checkDecayRanker(ranker('exp'), schema);
  assert.is(decayOf(lin, 122), 0);
  assert.ok(decayOf(exp, 1e3) > 0);
});

test('L2 distances map into (0, 1], larger better; IP, COSINE and BM25 scores stay', () => {
  assert.is(normalisedScore('L2', 0), 1);
  assert.ok(normalisedScore('L2', 1) > normalisedScore('L2', 2) && normalisedScore('L2', 1e9) > 0);
  assert.is(normalisedScore('IP', 0.7), 0.7);
  assert.is(normalisedScore('BM25', 3.2), 3.2);
});

test('re-ranking multiplies and re-sorts: a slightly less similar but fresher hit moves up', () => {
  const d = checkDecayRanker(ranker('gauss'), schema);
  const hits = [{ id: 1, distance: 0.9, fields: { ts: 40 } }, { id: 2, distance: 0.8, fields: { ts: 100 } }, { id: 3, distance: 0.85, fields: { ts: 110 } }];
  const out = decayRerank(hits, d, 'IP');
  assert.equal(out.map((h) => h.id), [2, 3, 1]);
  assert.ok(close(out[0]!.distance, 0.8));
});

test('bad rankers are refused with what is wrong', () => {
  const bad: Array<[unknown, RegExp]> = [
    [{ ...ranker('gauss'), inputFieldNames: ['name'] }, /numeric/],
    [{ ...ranker('gauss'), inputFieldNames: ['ts', 'id'] }, /one input field/],
    [ranker('cubic'), /gauss, exp or linear/],
    [ranker('gauss', { scale: 0 }), /scale/],
    [ranker('gauss', { decay: 1 }), /decay/],
    [ranker('gauss', { offset: -1 }), /offset/],
    [ranker('gauss', { origin: 'x' }), /origin/],
    [{ ...ranker('gauss'), params: { ...ranker('gauss').params, reranker: 'model' } }, /decay/],
  ];
  for (const [r, says] of bad) assert.throws(() => checkDecayRanker(r, schema), (e: unknown) => e instanceof ValidationError && says.test((e as Error).message), JSON.stringify(r));
});

test('hybrid fusion: each row at its best normalised score over the searches, times its decay, then paged', () => {
  const d = checkDecayRanker(ranker('linear'), schema);
  const l2 = [{ id: 1, distance: 0, fields: { ts: 100 } }, { id: 2, distance: 1, fields: { ts: 100 } }];
  const ip = [{ id: 2, distance: 0.9, fields: { ts: 100 } }, { id: 3, distance: 0.95, fields: { ts: 112 } }];
  const out = decayFuse([{ metric: 'L2', hits: l2 }, { metric: 'IP', hits: ip }], d, 10, 0);
  assert.equal(out.map((h) => h.id), [1, 2, 3]);
  assert.ok(close(out[1]!.distance, 0.9), 'row 2: IP 0.9 beats its L2 0.5');
  assert.ok(close(out[2]!.distance, 0.95 * 0.5), 'row 3 decays to half at offset + scale');
  assert.equal(decayFuse([{ metric: 'L2', hits: l2 }, { metric: 'IP', hits: ip }], d, 1, 1).map((h) => h.id), [2]);
});

test.run();
