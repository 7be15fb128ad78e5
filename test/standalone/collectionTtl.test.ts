import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { ValidationError } from '../../messages/errors.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * A collection's TTL (collection.ttl.seconds): rows older than it are not read
 * (growing in the delegator, sealed on the query node), a change applies from
 * its TSO on every shard, and compaction removes expired rows, discarding a
 * segment whose rows have all expired.
 */
const DIM = 4;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW' as const, params: { M: 8, efConstruction: 32 } }];
const rows = (from: number, n: number) => vectors(n, DIM, from).map((vec, i) => ({ id: from + i, vec }));
const noAutoSeal = { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 };

test('rows older than the TTL are not read, growing or sealed; unsetting it shows them again until compaction', async () => {
  const s = await tempStandalone({ streaming: { segment: noAutoSeal }, coordinator: { compaction: { intervalMs: 0 } } });
  try {
    await s.client.createCollection({ collectionName: 't', schema, metricType: 'L2', shardsNum: 2, indexParams, load: true });
    const ids = async () => (await s.client.query('t', { filter: 'id >= 0', consistencyLevel: 'Strong' })).map((r) => r.id as number).sort((a, b) => a - b);
    await s.client.insert('t', rows(0, 20));
    await s.client.flush('t');
    await until(async () => (await s.client.getLoadState('t')).loadProgress === 100, 'the old rows sealed and loaded', 30_000);
    await s.client.insert('t', rows(100, 10)); // old and still growing
    // Old rows are 4 s old when the 2 s TTL is set; the new ones have 2 s to be read before they expire too
    // (wide margins: a loaded CI machine takes its time between these steps).
    await new Promise((r) => setTimeout(r, 4000));
    await s.client.insert('t', rows(200, 5));
    assert.is((await ids()).length, 35);

    await s.client.alterCollectionProperties('t', { 'collection.ttl.seconds': 2 });
    assert.equal((await s.client.describeCollection('t')).properties, [{ key: 'collection.ttl.seconds', value: '2' }]);
    assert.equal(await ids(), rows(200, 5).map((r) => r.id), 'only the rows of the last two seconds');
    const [hits] = await s.client.search('t', { data: [rows(0, 1)[0]!.vec], limit: 50, consistencyLevel: 'Strong' });
    assert.equal(hits!.map((h) => h.id as number).sort((a, b) => a - b), [200, 201, 202, 203, 204]);
    assert.equal(await s.client.query('t', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }), [{ 'count(*)': 5 }]);

    await s.client.dropCollectionProperties('t', ['collection.ttl.seconds']);
    assert.equal((await s.client.describeCollection('t')).properties, []);
    assert.is((await ids()).length, 35, 'nothing was removed: with no TTL every row is read again');
  } finally { await s.cleanup(); }
});

test('compaction removes expired rows from segment files and discards a segment whose rows all expired, across a restart', async () => {
  const opts = { streaming: { segment: noAutoSeal, checkpointMs: 100 }, coordinator: { compaction: { intervalMs: 200, graceMs: 0, minRatio: 0.2 } } };
  let s = await tempStandalone(opts);
  const { dataDir } = s;
  const objects = new LocalObjectStore(join(dataDir, 'objects'));
  try {
    await s.client.createCollection({ collectionName: 'tc', schema, metricType: 'L2', indexParams, load: true, properties: { 'collection.ttl.seconds': '3' } });
    assert.equal((await s.client.describeCollection('tc')).properties, [{ key: 'collection.ttl.seconds', value: '3' }]);
    const id = (await s.client.describeCollection('tc')).collectionId;
    const dataFiles = async () => (await objects.list(`segments/${id}/`)).map((o) => o.key).filter((k) => k.endsWith('.seg'));
    await s.client.insert('tc', rows(0, 30));
    await s.client.flush('tc');
    await until(async () => (await dataFiles()).length === 1, 'the first segment flushed', 30_000);
    const first = (await dataFiles())[0]!;
    await new Promise((r) => setTimeout(r, 1500));
    await s.client.insert('tc', rows(100, 30));
    await s.client.flush('tc');
    await until(async () => (await dataFiles()).length === 2, 'the second segment flushed', 30_000);
    // The first segment's rows expire about 3 s after their insert; its file goes with them.
    await until(async () => !(await dataFiles()).includes(first), 'the expired segment discarded', 30_000);
    const left = await s.client.query('tc', { filter: 'id >= 0', consistencyLevel: 'Strong' });
    assert.ok(left.every((r) => (r.id as number) >= 100), 'no row of the first segment is read');

    await s.stop();
    s = await tempStandalone({ ...opts, dataDir });
    await until(async () => (await dataFiles()).length === 0, 'the second segment discarded too, after the restart', 30_000);
    assert.equal(await s.client.query('tc', { filter: 'id >= 0', consistencyLevel: 'Strong' }), []);
    await s.client.insert('tc', rows(500, 2));
    assert.equal((await s.client.query('tc', { filter: 'id >= 0', consistencyLevel: 'Strong' })).map((r) => r.id).sort(), [500, 501], 'new rows are read');
    assert.equal((await s.client.describeCollection('tc')).properties, [{ key: 'collection.ttl.seconds', value: '3' }], 'the TTL survives a restart');
  } finally { await s.cleanup(); }
});

test('bad properties are refused with typed errors and change nothing', async () => {
  const s = await tempStandalone();
  try {
    await s.client.createCollection({ collectionName: 'p', schema, metricType: 'L2' });
    const refused = async (f: () => Promise<unknown>, re: RegExp) => {
      try { await f(); assert.unreachable('accepted'); } catch (e) { assert.instance(e, ValidationError); assert.match((e as Error).message, re); }
    };
    await refused(() => s.client.alterCollectionProperties('p', { 'mmap.enabled': 'true' }), /unknown collection property 'mmap.enabled'/);
    await refused(() => s.client.alterCollectionProperties('p', { 'collection.ttl.seconds': -5 }), /whole number of seconds/);
    await refused(() => s.client.dropCollectionProperties('p', ['nope']), /unknown collection property 'nope'/);
    await refused(() => s.client.createCollection({ collectionName: 'q', schema, metricType: 'L2', properties: { 'collection.ttl.seconds': 'x' } }), /whole number/);
    assert.equal((await s.client.describeCollection('p')).properties, []);
    assert.not.ok(await s.client.hasCollection('q'));
  } finally { await s.cleanup(); }
});

test.run();
