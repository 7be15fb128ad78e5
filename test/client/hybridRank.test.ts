import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError } from '../../messages/errors.js';
import { checkReranker, fuse, fuseGroups, scoreOf } from '../../runtime/client/hybridRank.js';

/** The rerankers of a hybrid search, against Milvus's documented examples and formulas. */
const hits = (...xs: Array<[number, number]>) => xs.map(([pk, distance]) => ({ pk, distance }));

test('weighted: the example of Milvus\'s Weighted Ranker page (scores already in [0, 1], IP, no normalisation)', () => {
  const image = { metric: 'IP' as const, hits: hits([101, 0.92], [203, 0.88], [150, 0.85], [198, 0.83], [175, 0.8]) };
  const text = { metric: 'IP' as const, hits: hits([198, 0.91], [101, 0.87], [110, 0.85], [175, 0.82], [250, 0.78]) };
  const out = fuse([image, text], checkReranker({ strategy: 'weighted', weights: [0.6, 0.4] }, 2), 5);
  assert.equal(out.map((h) => h.pk), [101, 198, 175, 203, 150]);
  assert.equal(out.map((h) => Math.round(h.score * 1000) / 1000), [0.9, 0.862, 0.808, 0.528, 0.51]);
});

test('rrf: Σ 1/(k + rank); a hit in both lists beats one ranked first in one', () => {
  const a = { metric: 'L2' as const, hits: hits([1, 0.1], [2, 0.2], [3, 0.3]) };
  const b = { metric: 'COSINE' as const, hits: hits([2, 0.9], [4, 0.8], [1, 0.7]) };
  const out = fuse([a, b], checkReranker({ strategy: 'rrf', k: 60 }, 2), 10);
  assert.equal(out.map((h) => h.pk), [2, 1, 4, 3]);
  assert.ok(Math.abs(out[0]!.score - (1 / 62 + 1 / 61)) < 1e-12);
  assert.equal(fuse([a, b], checkReranker(undefined, 2), 2, 1).map((h) => h.pk), [1, 4], 'offset and limit after fusing; rrf k=60 by default');
});

test('grouped: fused hits join their value\'s group, groups ranked by their best hit, each keeping its best size; offset and limit count groups', () => {
  // pk % 10 is the group.
  const a = { metric: 'L2' as const, hits: hits([11, 0.1], [21, 0.2], [12, 0.3], [31, 0.4], [13, 0.5]) };
  const b = { metric: 'L2' as const, hits: hits([21, 0.1], [12, 0.2], [22, 0.3], [11, 0.4], [33, 0.5]) };
  const rrf = checkReranker(undefined, 2);
  const order = fuse([a, b], rrf, 100).map((h) => h.pk);
  assert.equal(order, [21, 11, 12, 22, 31, 13, 33]);
  const groupOf = (h: { pk: unknown }) => (h.pk as number) % 10;
  assert.equal(fuseGroups([a, b], rrf, groupOf, 10, 0, 2).map((h) => h.pk), [21, 11, 12, 22, 13, 33], 'group 1: 21, 11 (31 over size); group 2: 12, 22; group 3: 13, 33');
  assert.equal(fuseGroups([a, b], rrf, groupOf, 2, 0, 1).map((h) => h.pk), [21, 12]);
  assert.equal(fuseGroups([a, b], rrf, groupOf, 1, 1, 3).map((h) => h.pk), [12, 22], 'offset skips a group');
  assert.equal(fuseGroups([a, b], rrf, () => null, 5, 0, 2).map((h) => h.pk), [21, 11], 'null values are one group');
});

test('normalised scores: larger is closer for every metric, within [0, 1]', () => {
  assert.ok(scoreOf('L2', 0, true) === 1 && scoreOf('L2', 1, true) < scoreOf('L2', 0.5, true) && scoreOf('L2', 1e9, true) >= 0);
  assert.ok(scoreOf('IP', 2, true) > scoreOf('IP', -2, true) && scoreOf('IP', 0, true) === 0.5);
  assert.is(scoreOf('COSINE', 1, true), 1);
  assert.is(scoreOf('COSINE', -1, true), 0);
  assert.is(scoreOf('L2', 3, false), -3, 'raw L2 is negated so larger is closer');
  const l2 = { metric: 'L2' as const, hits: hits([1, 0.5], [2, 4]) };
  assert.equal(fuse([l2], { strategy: 'weighted', weights: [1], normScore: true }, 2).map((h) => h.pk), [1, 2]);
});

test('bad rerankers are refused with a typed error', () => {
  for (const [r, n, says] of [
    [{ strategy: 'weighted', weights: [0.5] }, 2, /one weight per search/],
    [{ strategy: 'weighted', weights: [0.5, 1.5] }, 2, /\[0, 1\]/],
    [{ strategy: 'weighted', weights: [0.5, Number.NaN] }, 2, /\[0, 1\]/],
    [{ strategy: 'rrf', k: 0 }, 2, /rrf k/],
    [{ strategy: 'rrf', k: 16384 }, 2, /rrf k/],
    [{ strategy: 'max' }, 2, /unknown rerank strategy/],
  ] as const) {
    try { checkReranker(r as never, n); assert.unreachable(JSON.stringify(r)); } catch (e) {
      assert.instance(e, NuthatchError);
      assert.match((e as Error).message, says);
    }
  }
});

test.run();
