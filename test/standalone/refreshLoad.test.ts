import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError } from '../../messages/errors.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * refresh_load (Milvus's load with refresh): a loaded collection loads again
 * with the options it was loaded with (its partitions, its field set), and
 * serves what was sealed since; a collection not loaded is refused.
 */
const DIM = 4;
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
    { name: 'color', dataType: 'VarChar' as const, maxLength: 16 },
    { name: 'price', dataType: 'Double' as const },
  ],
};
const rows = (from: number, n: number) => vectors(n, DIM, from).map((vec, i) => ({ id: from + i, vec, color: 'red', price: from + i }));
const code = async (f: () => Promise<unknown>) => { try { await f(); return 'ok'; } catch (e) { return (e as NuthatchError).code; } };
const opts = { streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } };

test('refresh keeps the loaded partitions and field set, serves rows sealed since; not loaded: refused', async () => {
  const s = await tempStandalone(opts);
  try {
    await s.client.createCollection({ collectionName: 'rl', schema, metricType: 'L2', shardsNum: 2, load: true });
    await s.client.createPartition('rl', 'p1');
    await s.client.createPartition('rl', 'p2');
    await s.client.insert('rl', rows(100, 10), 'p1');
    await s.client.insert('rl', rows(200, 10), 'p2');
    await s.client.flush('rl');
    await s.client.releaseCollection('rl');
    await s.client.loadPartitions('rl', ['p1'], { loadFields: ['id', 'vec', 'color'] });
    await until(async () => (await s.client.getLoadState('rl', ['p1'])).loadState === 'LoadStateLoaded', 'p1 loaded', 30_000);
    const ids = async () => (await s.client.query('rl', { filter: 'id >= 0', outputFields: ['id'], consistencyLevel: 'Strong' })).map((r) => r.id as number).sort((a, b) => a - b);

    await s.client.refreshLoad('rl');
    await until(async () => (await s.client.getLoadState('rl', ['p1'])).loadState === 'LoadStateLoaded', 'p1 loaded after refresh', 30_000);
    assert.is((await s.client.getLoadState('rl', ['p2'])).loadState, 'LoadStateNotLoad', 'a partition not loaded stays so');
    assert.equal((await s.client.getLoadState('rl')).loadFields, ['id', 'vec', 'color'], 'the field set stays');
    assert.is(await code(() => s.client.query('rl', { filter: 'price > 0', consistencyLevel: 'Strong' })), 'FieldNotLoaded');
    assert.equal(await ids(), rows(100, 10).map((r) => r.id));

    // Rows sealed after the load: served after a refresh, as before it.
    await s.client.insert('rl', rows(110, 5), 'p1');
    await s.client.flush('rl');
    await s.client.refreshLoad('rl');
    await until(async () => (await s.client.getLoadState('rl', ['p1'])).loadProgress === 100, 'the new segment served', 30_000);
    assert.equal(await ids(), rows(100, 15).map((r) => r.id));

    await s.client.releaseCollection('rl');
    assert.is(await code(() => s.client.refreshLoad('rl')), 'CollectionNotLoaded');
    assert.is((await s.client.getLoadState('rl')).loadState, 'LoadStateNotLoad', 'a refused refresh loads nothing');
    assert.is(await code(() => s.client.refreshLoad('nope')), 'CollectionNotFound');
  } finally { await s.cleanup(); }
});

test.run();
