import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lineageOf, retainRetiredMs, retiredIds, RETAIN_RETIRED_MS } from '../../actors/coordinator/core/mergeLineage.js';

/**
 * A merged segment keeps its direct parts and, for a while, the ancestors
 * they replaced; a segment merged again and again does not carry every
 * segment it ever absorbed.
 */
const H = 3_600_000, D = 24 * H;

test('a first merge keeps its parts and no ancestors', () => {
  const l = lineageOf([{ segmentId: 1 }, { segmentId: 2 }], 10 * D, RETAIN_RETIRED_MS);
  assert.equal(l, { mergedFrom: [1, 2], mergedAtMs: 10 * D });
  assert.equal(retiredIds(l), [1, 2]);
});

test('a merge of merged segments keeps their parts as ancestors while they retired recently', () => {
  const p = { segmentId: 10, mergedFrom: [1, 2], mergedAtMs: 10 * D };
  const q = { segmentId: 11, mergedFrom: [3], mergedAtMs: 8 * D, ancestors: [[0, 6 * D]] as Array<[number, number]> };
  const l = lineageOf([p, q], 10 * D + H, RETAIN_RETIRED_MS);
  assert.equal(l.mergedFrom, [10, 11]);
  // 0 retired 4 days before: forgotten; 3 retired 2 days and an hour before: kept.
  assert.equal(l.ancestors, [[1, 10 * D], [2, 10 * D], [3, 8 * D]]);
  assert.equal(retiredIds(l).sort((a, b) => a - b), [1, 2, 3, 10, 11]);
});

test('generations of merges stay bounded: only what retired within the window is remembered', () => {
  let seg: { segmentId: number; mergedFrom?: number[]; mergedAtMs?: number; ancestors?: Array<[number, number]> } = { segmentId: 0 };
  let next = 1;
  for (let day = 0; day < 60; day++) {
    const l = lineageOf([seg, { segmentId: next++ }], day * D, RETAIN_RETIRED_MS);
    seg = { segmentId: next++, ...l };
  }
  // Two parts retire per day; three days' worth (plus the parts just merged) are kept.
  assert.ok(retiredIds(seg).length <= 2 + 2 * 3, `remembered ${retiredIds(seg).length}`);
  assert.ok(retiredIds(seg).length >= 2 + 2 * 2);
});

test('a record from before mergedAtMs retires its listed ids as of the new merge', () => {
  const old = { segmentId: 9, mergedFrom: [1, 2, 3] };
  assert.equal(lineageOf([old], 5 * D, RETAIN_RETIRED_MS).ancestors, [[1, 5 * D], [2, 5 * D], [3, 5 * D]]);
});

test('the window outlasts the orphan sweep\'s tolerance twice over', () => {
  assert.is(retainRetiredMs(D), RETAIN_RETIRED_MS);
  assert.is(retainRetiredMs(7 * D), 14 * D + H);
});

test.run();
