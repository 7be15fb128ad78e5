import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError } from '../../messages/errors.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * Load and release: reads of a released collection are refused with a typed
 * error; rows flushed while released live in object storage and come back on load.
 */
const DIM = 4;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };

test('search before load is refused; after flush and load every row is found', async () => {
  const s = await tempStandalone();
  try {
    await s.client.createCollection({ collectionName: 'c', schema, metricType: 'L2' });
    assert.equal(await s.client.getLoadState('c'), { loadState: 'LoadStateNotLoad', loadProgress: 0 });
    const vs = vectors(60, DIM, 3);
    await s.client.insert('c', vs.map((vec, id) => ({ id, vec })));
    const refused = await s.client.search('c', { data: [vs[0]!], limit: 3, consistencyLevel: 'Strong' }).catch((e) => e);
    assert.instance(refused, NuthatchError);
    assert.is(refused.code, 'CollectionNotLoaded');
    await s.client.createPartition('c', 'p');
    await s.client.insert('c', [{ id: 100, vec: vs[0]! }, { id: 101, vec: vs[1]! }], 'p');
    await s.client.flush('c');
    assert.equal((await s.client.getCollectionStats('c')).rowCount, 62, 'released: the persisted rows');
    assert.equal((await s.client.getPartitionStats('c', 'p')).rowCount, 2, 'released: the partition\'s persisted rows');
    assert.equal((await s.client.getPartitionStats('c', '_default')).rowCount, 60);
    await s.client.loadCollection('c');
    assert.is((await s.client.getLoadState('c')).loadState, 'LoadStateLoaded');
    const hits = await s.client.search('c', { data: [vs[7]!], limit: 1, consistencyLevel: 'Strong' });
    assert.is(hits[0]![0]!.id, 7);
    assert.equal((await s.client.getCollectionStats('c')).rowCount, 62);
    assert.equal((await s.client.getPartitionStats('c', 'p')).rowCount, 2, 'loaded: counted by a query');
    await s.client.releaseCollection('c');
    const again = await s.client.query('c', { filter: 'id < 10', consistencyLevel: 'Strong' }).catch((e) => e);
    assert.is(again.code, 'CollectionNotLoaded');
    await s.client.loadCollection('c');
    assert.equal((await s.client.getCollectionStats('c')).rowCount, 62);
  } finally { await s.cleanup(); }
});

test.run();
