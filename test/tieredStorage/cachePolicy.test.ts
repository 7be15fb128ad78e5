import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CachePolicy, type CacheLimits } from '../../actors/query-node/core/cachePolicy.js';

/**
 * Tiered storage's cache policy (pure): least recently used units go first once
 * an admission passes the high watermark, down to the low one; pinned units (an
 * in-flight read holds them) never go; a cache over its watermark because of pins
 * shrinks when they go; idle units go after the TTL; with eviction off nothing goes.
 */
const limits = (o: Partial<CacheLimits> = {}): CacheLimits => ({ budget: 100, high: 0.8, low: 0.5, eviction: true, ttlMs: 0, ...o });

test('below the high watermark nothing is evicted', () => {
  const p = new CachePolicy<string>(limits());
  assert.equal(p.admit('a', 30, 1), []);
  assert.equal(p.admit('b', 30, 2), []);
  assert.equal(p.admit('c', 20, 3), []); // 80 = high x budget: not past it
  assert.is(p.bytes, 80);
});

test('past the high watermark the least recently used go, down to the low watermark', () => {
  const p = new CachePolicy<string>(limits());
  p.admit('a', 30, 1); p.admit('b', 30, 2); p.admit('c', 20, 3);
  p.touch('a', 4); // a is now the most recent: b then c are older
  assert.equal(p.admit('d', 20, 5), ['b', 'c'], 'evicts until 30 (a) + 20 (d) <= 50');
  assert.equal(p.keys(), ['a', 'd']);
  assert.is(p.bytes, 50);
});

test('a pinned unit is never evicted; the cache overcommits and shrinks when the pin goes', () => {
  const p = new CachePolicy<string>(limits());
  p.admit('a', 40, 1, true); p.admit('b', 40, 2, true);
  assert.equal(p.admit('c', 40, 3, true), [], 'every unit is held by a read');
  assert.is(p.bytes, 120, 'over the budget while the reads run');
  assert.ok(p.pinned('a'));
  assert.equal(p.unpin('a'), ['a'], 'once a read lets go, its unit goes to bring the cache back under the watermark');
  assert.is(p.bytes, 80);
  assert.equal(p.unpin('b'), [], 'at the high watermark: nothing more');
});

test('a unit pinned twice stays until both reads let go', () => {
  const p = new CachePolicy<string>(limits({ budget: 10 }));
  p.admit('a', 5, 1, true); p.pin('a');
  p.unpin('a');
  assert.ok(p.has('a'));
  assert.equal(p.admit('b', 5, 2), [], 'still pinned once');
  assert.ok(p.has('a'));
  assert.equal(p.unpin('a'), ['a']);
});

test('re-admitting a key replaces its bytes', () => {
  const p = new CachePolicy<string>(limits());
  p.admit('a', 30, 1); p.admit('a', 10, 2);
  assert.is(p.bytes, 10);
  assert.is(p.size, 1);
});

test('a removed unit no longer counts; removing one a read holds is allowed', () => {
  const p = new CachePolicy<string>(limits());
  p.admit('a', 30, 1, true);
  assert.ok(p.remove('a'));
  assert.is(p.bytes, 0);
  assert.equal(p.unpin('a'), []);
  assert.not.ok(p.remove('a'));
});

test('the sweep evicts units idle past the TTL (pinned ones stay) and then down to the low watermark', () => {
  const p = new CachePolicy<string>(limits({ ttlMs: 100 }));
  p.admit('a', 10, 0); p.admit('b', 10, 0, true); p.admit('c', 10, 50);
  assert.equal(p.expire(99), []);
  assert.equal(p.expire(100), ['a'], 'a idle 100 ms; b pinned; c idle 50 ms');
  p.touch('c', 120);
  assert.equal(p.expire(200), [], 'c was used at 120');
  assert.equal(p.expire(220), ['c']);
});

test('the sweep brings a cache left over the high watermark down to the low one', () => {
  const p = new CachePolicy<string>(limits());
  p.admit('a', 45, 1, true); p.admit('b', 45, 2, true);
  p.unpin('a'); // 90 > 80: a goes, 45 left
  assert.equal(p.admit('c', 40, 3), [], 'b is held: nothing can go, c is admitted over the watermark');
  assert.is(p.bytes, 85);
  assert.equal(p.expire(4), ['c'], 'the sweep evicts what it may: c, not the pinned b');
  assert.is(p.bytes, 45);
});

test('with eviction off the cache only grows', () => {
  const p = new CachePolicy<string>(limits({ eviction: false, ttlMs: 10 }));
  for (let i = 0; i < 10; i++) assert.equal(p.admit(`u${i}`, 50, i), []);
  assert.is(p.bytes, 500);
  assert.equal(p.expire(1000), []);
  assert.equal(p.unpin('u0'), []);
});

test('fits: what pins hold plus the new unit against the whole budget (unpinned units can go)', () => {
  const p = new CachePolicy<string>(limits());
  p.admit('a', 40, 0, true);
  p.admit('b', 30, 1);
  assert.ok(p.fits(60), '40 pinned + 60 = the budget');
  assert.not.ok(p.fits(61), 'one byte more cannot fit, whatever is evicted');
  p.unpin('a');
  assert.ok(p.fits(100), 'nothing pinned: the whole budget');
  assert.ok(new CachePolicy<string>(limits({ eviction: false })).fits(1e9), 'without eviction the cache only grows');
});

test.run();
