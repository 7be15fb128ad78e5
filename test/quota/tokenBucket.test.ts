import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fullBucket, take } from '../../actors/shared/quota/tokenBucket.js';

/** The token bucket, with the clock passed in: a second's burst, refill at the rate, big requests go into debt. */

test('a full bucket admits a second of requests, then refuses until it refills', () => {
  let b = fullBucket(10, 0);
  let admitted = 0;
  for (let i = 0; i < 15; i++) { const t = take(b, 10, 1, 0); if (t.admitted) { admitted++; b = t.bucket; } }
  assert.is(admitted, 10);
  const refused = take(b, 10, 1, 0);
  assert.not.ok(refused.admitted);
  assert.is(refused.waitMs, 100, 'one token comes back in a tenth of a second');
  assert.ok(take(b, 10, 1, 100).admitted, 'refilled after 100 ms at 10/s');
  assert.ok(take(b, 10, 5, 500).admitted);
  assert.not.ok(take(b, 10, 6, 500).admitted);
});

test('refill never exceeds the burst, and a clock stepping back mints nothing', () => {
  const b = take(fullBucket(4, 0), 4, 4, 0).bucket;
  assert.is(b.tokens, 0);
  assert.not.ok(take(b, 4, 1, -1000).admitted);
  const later = take(b, 4, 4, 60_000);
  assert.ok(later.admitted);
  assert.is(later.bucket.tokens, 0, 'a minute idle still holds only one second of tokens');
});

test('a request bigger than the burst passes a full bucket and leaves it in debt', () => {
  const t = take(fullBucket(2, 0), 2, 5, 0);
  assert.ok(t.admitted);
  assert.is(t.bucket.tokens, -3);
  assert.not.ok(take(t.bucket, 2, 0.5, 1000).admitted, 'still paying back after a second');
  assert.ok(take(t.bucket, 2, 5, 2500).admitted, 'full again after the debt and a second');
  assert.not.ok(take(fullBucket(2, 0), 2, 5, 0).bucket.tokens > 0);
});

test('rate 0 refuses everything, whatever the cost', () => {
  const t = take(fullBucket(0, 0), 0, 0.001, 10_000);
  assert.not.ok(t.admitted);
  assert.is(t.waitMs, Infinity);
});

test.run();
