import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planTruncation, retentionPolicy, type RetentionMark } from '../../actors/streaming-node/core/walRetention.js';

/**
 * Given the sampled checkpoints so far, when a checkpoint with a replay point is
 * stored at a time, then these marks are kept and the log is cut there.
 */
const H = 3600_000;
const policy = { keepMs: 10 * H, sampleMs: H };

test('nothing is cut before a checkpoint is as old as the retention', () => {
  let marks: RetentionMark[] = [];
  for (let h = 0; h < 10; h++) {
    const plan = planTruncation(marks, 100 * h, h * H, policy);
    assert.is(plan.truncateBefore, null, `at ${h} h`);
    marks = plan.marks;
  }
  assert.is(marks.length, 10);
});

test('the cut is the replay point of the newest checkpoint at least keepMs old, and that mark stays', () => {
  const marks = [0, 1, 2, 3].map((h) => ({ position: 100 * h, atMs: h * H }));
  const plan = planTruncation(marks, 1000, 12.5 * H, policy);
  assert.is(plan.truncateBefore, 200); // the mark of 2 h is 10.5 h old; the mark of 3 h only 9.5 h
  assert.equal(plan.marks.map((m) => m.position), [200, 300, 1000]);
});

test('checkpoints closer than the sample interval are not marked', () => {
  const plan = planTruncation([{ position: 5, atMs: 0 }], 9, H / 2, policy);
  assert.equal(plan.marks, [{ position: 5, atMs: 0 }]);
  assert.equal(planTruncation(plan.marks, 9, H, policy).marks.length, 2);
});

test('the cut never passes the newest replay point (a segment still growing holds the log)', () => {
  const plan = planTruncation([{ position: 500, atMs: 0 }], 40, 20 * H, policy);
  assert.is(plan.truncateBefore, 40);
});

test('keeping nothing cuts at the checkpoint just stored', () => {
  const plan = planTruncation([], 77, 1_000, retentionPolicy(0));
  assert.is(plan.truncateBefore, 77);
  assert.is(planTruncation(plan.marks, 90, 1_001, retentionPolicy(0)).truncateBefore, 90);
});

test('keeping forever never cuts and keeps one mark', () => {
  let marks: RetentionMark[] = [];
  for (let h = 0; h < 100; h += 10) {
    const plan = planTruncation(marks, h, h * 24 * H, retentionPolicy(Infinity));
    assert.is(plan.truncateBefore, null);
    marks = plan.marks;
  }
  assert.is(marks.length, 1);
});

test('the default sampling bounds the marks: about keepMs / sampleMs + 1', () => {
  const p = retentionPolicy(26 * H);
  assert.is(p.sampleMs, 30 * 60_000);
  let marks: RetentionMark[] = [];
  for (let m = 0; m < 3 * 24 * 60; m += 1) marks = planTruncation(marks, m, m * 60_000, p).marks;
  assert.ok(marks.length <= 26 * 2 + 2, `${marks.length} marks`);
  assert.is(retentionPolicy(8_000).sampleMs, 1_000);
});

test.run();
