import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SegmentCache, type Overflow } from '../../actors/query-node/shell/segmentCache.js';
import { NuthatchError } from '../../messages/errors.js';

/**
 * The tiered cache's shell (no servers): reads of one cold unit wait for one fetch
 * and all hold it until they let go; a unit whose segment went away while it was
 * fetched serves its readers and is not cached; a failed fetch caches nothing.
 */
function setup(budget = 100, overflow?: Overflow) {
  const log = { hits: 0, misses: 0, evicted: [] as string[], bytes: 0 };
  const cache = new SegmentCache<string>({ budget, high: 0.8, low: 0.5, eviction: true, ttlMs: 0 }, () => 0, {
    hit: () => log.hits++, miss: () => log.misses++, evicted: (k) => log.evicted.push(k), bytes: (n) => { log.bytes = n; },
  }, overflow);
  return { cache, log };
}

/** A fetch that resolves when told, counting its calls. */
function gate(value: string, bytes: number) {
  let open!: () => void;
  const opened = new Promise<void>((r) => { open = r; });
  const f = { calls: 0, open: () => open(), fetch: async () => { f.calls++; await opened; return { value, bytes }; } };
  return f;
}

test('concurrent reads of a cold unit share one fetch and each holds it', async () => {
  const { cache, log } = setup();
  const g = gate('A', 40);
  const reads = [cache.take('a', g.fetch, () => true), cache.take('a', g.fetch, () => true), cache.take('a', g.fetch, () => true)];
  g.open();
  const taken = await Promise.all(reads);
  assert.is(g.calls, 1, 'one fetch');
  assert.equal(taken.map((t) => t.value), ['A', 'A', 'A']);
  assert.is(log.misses, 3);
  // Another unit past the watermark cannot evict 'a' while any of the three holds it.
  const b = await cache.take('b', async () => ({ value: 'B', bytes: 50 }), () => true);
  assert.ok(cache.has('a'));
  assert.is(cache.bytes, 90, 'over the watermark while reads hold both');
  taken[0]!.release(); taken[1]!.release();
  assert.ok(cache.has('a'), 'one read still holds it');
  taken[2]!.release();
  assert.not.ok(cache.has('a'), 'the last release lets the cache shrink: a was least recently used');
  assert.equal(log.evicted, ['a']);
  assert.is(log.bytes, 50);
  b.release();
  const again = await cache.take('b', g.fetch, () => true);
  assert.is(log.hits, 1);
  again.release();
});

test('a unit no longer wanted when its fetch lands serves its reader and is not cached', async () => {
  const { cache } = setup();
  const t = await cache.take('a', async () => ({ value: 'A', bytes: 10 }), () => false);
  assert.is(t.value, 'A');
  assert.not.ok(cache.has('a'));
  assert.is(cache.bytes, 0);
  t.release();
});

test('a unit not cached is let go (discarded) once the last read that waited for it releases it, once', async () => {
  const discarded: string[] = [];
  const cache = new SegmentCache<string>({ budget: 100, high: 0.8, low: 0.5, eviction: true, ttlMs: 0 }, () => 0, {
    hit: () => {}, miss: () => {}, evicted: () => {}, bytes: () => {}, discarded: (k, v) => discarded.push(`${k}=${v}`),
  });
  const g = gate('A', 10);
  const reads = [cache.take('a', g.fetch, () => false), cache.take('a', g.fetch, () => false)];
  g.open();
  const [x, y] = await Promise.all(reads);
  x!.release(); x!.release();
  assert.equal(discarded, [], 'one read still holds it (a second release of the same read counts once)');
  y!.release();
  assert.equal(discarded, ['a=A']);
  const kept = await cache.take('b', async () => ({ value: 'B', bytes: 10 }), () => true);
  kept.release();
  assert.equal(discarded, ['a=A'], 'a cached unit is never discarded (eviction lets it go)');
});

test('a failed fetch caches nothing and the next read fetches again', async () => {
  const { cache } = setup();
  let calls = 0;
  const failing = async () => { calls++; throw new Error('object store down'); };
  await cache.take('a', failing, () => true).then(() => assert.unreachable(), (e: Error) => assert.is(e.message, 'object store down'));
  assert.not.ok(cache.has('a'));
  const t = await cache.take('a', async () => { calls++; return { value: 'A', bytes: 1 }; }, () => true);
  assert.is(t.value, 'A');
  assert.is(calls, 2);
});

test('dropping a unit a read holds forgets its bytes; the read keeps its value', async () => {
  const { cache } = setup();
  const t = await cache.take('a', async () => ({ value: 'A', bytes: 30 }), () => true);
  assert.is(cache.drop('a'), 'A');
  assert.is(cache.bytes, 0);
  assert.is(t.value, 'A');
  t.release();
});

test('a read that held a unit dropped and fetched again does not unpin the new one', async () => {
  const { cache } = setup(10);
  const old = await cache.take('a', async () => ({ value: 'A1', bytes: 5 }), () => true);
  cache.drop('a'); // its segment was released, then loaded again
  const fresh = await cache.take('a', async () => ({ value: 'A2', bytes: 5 }), () => true);
  old.release();
  await cache.warm('b', async () => ({ value: 'B', bytes: 5 }), () => true); // 10 > 8: evicts what it may
  assert.ok(cache.has('a'), 'the new unit is still held by its read');
  fresh.release();
});

test('a unit that cannot fit waits for a read to let go, then is admitted', async () => {
  const { cache } = setup(100, { waitMs: 60_000 });
  const a = await cache.take('a', async () => ({ value: 'A', bytes: 70 }), () => true);
  let landed = false;
  const b = cache.take('b', async () => ({ value: 'B', bytes: 50 }), () => true).then((t) => { landed = true; return t; });
  await new Promise((r) => setImmediate(r));
  assert.not.ok(landed, '70 held + 50 > 100: it waits');
  assert.not.ok(cache.has('b'));
  a.release();
  const tb = await b;
  assert.is(tb.value, 'B');
  assert.ok(cache.has('b') && !cache.has('a'), 'a evicted to make room');
  assert.ok(cache.bytes <= 100);
});

test('a unit that finds no room within the timeout fails with CacheFull and is not cached', async () => {
  const { cache } = setup(100, { waitMs: 20 });
  const a = await cache.take('a', async () => ({ value: 'A', bytes: 70 }), () => true);
  const err = await cache.take('b', async () => ({ value: 'B', bytes: 50 }), () => true).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof NuthatchError && err.code === 'CacheFull', String(err));
  assert.not.ok(cache.has('b'));
  assert.is(await cache.warm('c', async () => ({ value: 'C', bytes: 50 }), () => true), undefined, 'warm-up leaves what cannot fit cold');
  a.release();
  assert.is((await cache.take('b', async () => ({ value: 'B', bytes: 50 }), () => true)).value, 'B', 'room now');
});

test('without the wait (allowOverBudgetReads) a unit that cannot fit is admitted over budget', async () => {
  const { cache } = setup(100);
  await cache.take('a', async () => ({ value: 'A', bytes: 70 }), () => true);
  await cache.take('b', async () => ({ value: 'B', bytes: 50 }), () => true);
  assert.is(cache.bytes, 120);
});

test.run();
