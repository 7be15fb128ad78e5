import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compactionHorizon, holdTtl, pruneHolds, type SnapshotHold } from '../../actors/coordinator/core/snapshotHolds.js';
import { tsoOf } from '../../messages/types.js';
import { SnapshotLease } from '../../runtime/client/snapshotLease.js';
import { BatchIterator } from '../../runtime/client/batchIterator.js';

/** Snapshot holds: the compaction horizon of a collection, and a reader's lease on its hold. */
test('the horizon is the grace, or the oldest live hold of the collection below it', () => {
  const holds = new Map<number, SnapshotHold>([
    [1, { collectionId: 7, tso: tsoOf(1000), expiresAtMs: 50_000 }],
    [2, { collectionId: 7, tso: tsoOf(500), expiresAtMs: 5_000 }], // lapsed at 10 000
    [3, { collectionId: 8, tso: tsoOf(100), expiresAtMs: 50_000 }], // another collection
  ]);
  assert.is(compactionHorizon(holds, 7, 10_000, 2_000), tsoOf(1000));
  assert.is(compactionHorizon(holds, 7, 2_500, 2_000), tsoOf(500), 'both live: the older');
  assert.is(compactionHorizon(holds, 9, 10_000, 2_000), tsoOf(8_000), 'no hold: the grace');
  assert.is(compactionHorizon(holds, 7, 10_000, 9_500), tsoOf(500), 'a grace older than every live hold wins');
  assert.equal(pruneHolds(holds, 10_000), [2]);
  assert.equal([...holds.keys()], [1, 3]);
  assert.is(holdTtl(undefined), 60_000);
  assert.throws(() => holdTtl(999), /1000\.\.600000/);
  assert.throws(() => holdTtl(1.5e3 + 0.5), /1000\.\.600000/);
});

test('a lease takes its hold at the first read, renews after a third of its life, and gives it back once', async () => {
  const calls: string[] = [];
  let now = 0;
  const realNow = Date.now;
  Date.now = () => now;
  try {
    const lease = new SnapshotLease({
      hold: async (id) => { calls.push(`hold ${id ?? 'new'}`); return { holdId: 42, ttlMs: 3000 }; },
      release: async (id) => { calls.push(`release ${id}`); },
    });
    await lease.renew();
    now = 999; await lease.renew();
    now = 1000; await lease.renew();
    lease.end(); lease.end();
    await lease.renew();
    assert.equal(calls, ['hold new', 'hold 42', 'release 42']);
  } finally { Date.now = realNow; }
});

test('an iterator runs its finishers once, when closed or run out', async () => {
  let items = [1, 2, 3];
  const ran: string[] = [];
  const it = new BatchIterator<number>({ fetch: async (n) => items.slice(0, n), advance: (b) => { items = items.slice(b.length); } }, 2, -1);
  it.onFinish(() => ran.push('a'));
  assert.equal(await it.next(), [1, 2]);
  assert.equal(ran, []);
  assert.equal(await it.next(), [3]);
  assert.equal(ran, ['a'], 'ran out');
  it.close();
  it.onFinish(() => ran.push('late'));
  assert.equal(ran, ['a', 'late'], 'a finisher added after the end runs at once, the first never again');
});

test.run();
