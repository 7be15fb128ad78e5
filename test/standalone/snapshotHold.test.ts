import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import { client } from '../../runtime/rpc/typedBus.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * A walk outlives the compaction grace: rows deleted after an iterator pinned
 * its snapshot are still its to return, even when a compaction runs in the
 * middle of the walk. The iterator holds its snapshot, so compaction leaves
 * those rows in the files until the walk ends; then they go.
 */
const DIM = 4, N = 1000;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };

test('a compaction in the middle of a walk removes none of the rows the walk still sees; after it, they go', async () => {
  const s = await tempStandalone({ coordinator: { compaction: { intervalMs: 0, graceMs: 0 } } });
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'held', schema, metricType: 'L2', shardsNum: 1, load: true });
    await c.insert('held', vectors(N, DIM, 1).map((vec, id) => ({ id, vec })));
    await c.flush('held');
    await until(async () => (await c.getLoadState('held')).loadProgress === 100, 'served', 60_000);
    const collectionId = (await c.describeCollection('held')).collectionId;
    const sealedRows = async () => (await client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT)('segments', { collectionId })).reduce((n, x) => n + x.rows, 0);
    const compact = async () => {
      const { compactionID } = await c.compact('held');
      await until(async () => (await c.getCompactionState(compactionID)).state === 'Completed', 'compacted', 60_000);
    };

    const it = await c.queryIterator('held', { batchSize: 100, consistencyLevel: 'Strong' });
    const seen = (await it.next()).map((r) => r.id as number);
    await new Promise((r) => setTimeout(r, 20)); // the deletes land after the snapshot
    await c.delete('held', { ids: Array.from({ length: 100 }, (_, i) => 500 + i) });
    await compact();
    assert.is(await sealedRows(), N, 'the walk\'s hold kept the deleted rows in the files');
    for await (const batch of it) seen.push(...batch.map((r) => r.id as number));
    assert.equal(seen, Array.from({ length: N }, (_, i) => i), 'every row of the snapshot, once, in key order');

    // The walk ended and gave its hold back: the next compaction removes the rows.
    await compact();
    assert.is(await sealedRows(), N - 100);
    assert.is((await c.query('held', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)'], N - 100);
  } finally { await s.cleanup(); }
});

test('a hold outlives the coordinator that took it: after a restart compaction still honours it until it is released', async () => {
  let s = await tempStandalone({ coordinator: { compaction: { intervalMs: 0, graceMs: 0 } } });
  const { dataDir } = s;
  try {
    await s.client.createCollection({ collectionName: 'kept', schema, metricType: 'L2', shardsNum: 1, load: true });
    await s.client.insert('kept', vectors(100, DIM, 3).map((vec, id) => ({ id, vec })));
    await s.client.flush('kept');
    await until(async () => (await s.client.getLoadState('kept')).loadProgress === 100, 'served', 60_000);
    const coord = () => client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT);
    const tso = (await coord()('tsoBatch', { count: 1 })).first;
    const { holdId } = await coord()('holdSnapshot', { collection: 'kept', tso, ttlMs: 600_000 });
    // A Strong read after it brings the shard past the held TSO, so the deletes below land after it (as an iterator's first page does).
    await s.client.query('kept', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' });
    await s.client.delete('kept', { ids: [1, 2, 3, 4, 5] });
    await s.stop();
    s = await tempStandalone({ dataDir, coordinator: { compaction: { intervalMs: 0, graceMs: 0 } } });
    await until(async () => (await s.client.getLoadState('kept')).loadProgress === 100, 'served again', 60_000);
    const collectionId = (await s.client.describeCollection('kept')).collectionId;
    const sealedRows = async () => (await coord()('segments', { collectionId })).reduce((n, x) => n + x.rows, 0);
    const compact = async () => {
      const { compactionID } = await s.client.compact('kept');
      await until(async () => (await s.client.getCompactionState(compactionID)).state === 'Completed', 'compacted', 60_000);
    };
    await compact();
    assert.is(await sealedRows(), 100, 'the new coordinator read the hold from the meta store');
    await coord()('releaseSnapshot', { holdId });
    await compact();
    assert.is(await sealedRows(), 95);
  } finally { await s.cleanup(); }
});

test('a hold is refused for an unknown collection and outside its time to live range', async () => {
  const s = await tempStandalone();
  try {
    const coord = client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT);
    await s.client.createCollection({ collectionName: 'h2', schema, metricType: 'L2' });
    const fails = async (req: CoordinatorProtocol['holdSnapshot']['req'], says: RegExp) => {
      try { await coord('holdSnapshot', req); assert.unreachable('held'); } catch (e) { assert.match((e as Error).message, says); }
    };
    await fails({ collection: 'nope', tso: 5n << 18n }, /does not exist/);
    await fails({ collection: 'h2', tso: 5n << 18n, ttlMs: 10 }, /1000\.\.600000 ms/);
    await fails({ collection: 'h2', tso: 0n }, /above 0/);
    const h = await coord('holdSnapshot', { collection: 'h2', tso: 5n << 18n });
    assert.is(h.ttlMs, 60_000);
    const again = await coord('holdSnapshot', { collection: 'h2', tso: 5n << 18n, holdId: h.holdId, ttlMs: 2000 });
    assert.equal({ ...again }, { holdId: h.holdId, ttlMs: 2000 }, 'a renewal keeps the id');
    assert.is(await coord('releaseSnapshot', { holdId: h.holdId }), null);
  } finally { await s.cleanup(); }
});

test.run();
