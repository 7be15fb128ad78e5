import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError } from '../../messages/errors.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * Loading and releasing partitions: reads cover the loaded partitions only,
 * growing rows and sealed segments alike; naming an unloaded one is refused;
 * releasing the last one releases the collection.
 */
const DIM = 4;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const rows = (from: number, n: number) => vectors(n, DIM, from).map((vec, i) => ({ id: from + i, vec }));
const code = async (f: () => Promise<unknown>) => { try { await f(); return 'ok'; } catch (e) { return (e as NuthatchError).code; } };

test('reads cover the loaded partitions, sealed and growing; an unloaded one named is refused', async () => {
  const s = await tempStandalone({ streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } });
  try {
    await s.client.createCollection({ collectionName: 'pl', schema, metricType: 'L2', shardsNum: 2, load: true });
    await s.client.createPartition('pl', 'p1');
    await s.client.createPartition('pl', 'p2');
    await s.client.insert('pl', rows(0, 10));
    await s.client.insert('pl', rows(100, 10), 'p1');
    await s.client.insert('pl', rows(200, 10), 'p2');
    await s.client.flush('pl');
    await until(async () => (await s.client.getLoadState('pl')).loadProgress === 100, 'sealed segments loaded', 30_000);
    await s.client.insert('pl', rows(110, 5), 'p1'); // growing
    await s.client.insert('pl', rows(210, 5), 'p2'); // growing
    const ids = async () => (await s.client.query('pl', { filter: 'id >= 0', consistencyLevel: 'Strong' })).map((r) => r.id as number).sort((a, b) => a - b);
    assert.is((await ids()).length, 40);

    await s.client.releaseCollection('pl');
    await s.client.loadPartitions('pl', ['p1']);
    await until(async () => (await s.client.getLoadState('pl', ['p1'])).loadState === 'LoadStateLoaded', 'p1 loaded', 30_000);
    assert.equal((await s.client.getLoadState('pl', ['p2'])).loadState, 'LoadStateNotLoad');
    assert.equal(await ids(), [...rows(100, 15)].map((r) => r.id), 'p1 only, its sealed and growing rows');
    const [hits] = await s.client.search('pl', { data: [rows(200, 1)[0]!.vec], limit: 100, consistencyLevel: 'Strong' });
    assert.ok(hits!.every((h) => (h.id as number) >= 100 && (h.id as number) < 200), 'a search reads p1 only');
    assert.is(await code(() => s.client.query('pl', { filter: 'id >= 0', partitionNames: ['p2'], consistencyLevel: 'Strong' })), 'PartitionNotLoaded');
    await s.client.query('pl', { filter: 'id >= 0', partitionNames: ['p2'], consistencyLevel: 'Strong' }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /partition 'p2' of collection pl is not loaded/, 'named as the user named it'));

    await s.client.loadPartitions('pl', ['p2']);
    await until(async () => (await s.client.getLoadState('pl', ['p1', 'p2'])).loadState === 'LoadStateLoaded', 'p1 and p2 loaded', 30_000);
    assert.is((await ids()).length, 30);
    await s.client.releasePartitions('pl', ['p1']);
    assert.equal(await ids(), rows(200, 15).map((r) => r.id));
    await s.client.releasePartitions('pl', ['p2']);
    assert.equal((await s.client.getLoadState('pl')).loadState, 'LoadStateNotLoad', 'the last partition released releases the collection');
    assert.is(await code(() => s.client.query('pl', { filter: 'id >= 0', consistencyLevel: 'Strong' })), 'CollectionNotLoaded');
    assert.is(await code(() => s.client.loadPartitions('pl', ['nope'])), 'PartitionNotFound');

    await s.client.loadCollection('pl');
    await until(async () => (await s.client.getLoadState('pl')).loadProgress === 100, 'all loaded again', 30_000);
    assert.is((await ids()).length, 40, 'loading the collection loads every partition');
  } finally { await s.cleanup(); }
});

test.run();
