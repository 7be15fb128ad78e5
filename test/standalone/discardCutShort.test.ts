import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Keys } from '../../actors/coordinator/shell/metaCodec.js';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import { client } from '../../runtime/rpc/typedBus.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * A segment discard (a dropped partition's, a truncate's, all rows expired)
 * deletes the segments' records, then takes them out of the distribution. A
 * coordinator that died between the two left distribution entries nothing
 * would load again, and every Strong read of the shard waited on them
 * (Unavailable) until it gave up: found by the model check (standalone seed
 * 103, a restart after a truncate). The next coordinator takes them out.
 */
const DIM = 4;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const vecs = vectors(20, DIM, 3);

test('segments whose records a discard deleted before a crash are no longer served after a restart: reads answer', async () => {
  let s = await tempStandalone();
  const { dataDir } = s;
  try {
    await s.client.createCollection({ collectionName: 'dc', schema, metricType: 'L2', shardsNum: 1, load: true });
    await s.client.createPartition('dc', 'p1');
    await s.client.insert('dc', Array.from({ length: 10 }, (_, id) => ({ id, vec: vecs[id]! })), 'p1');
    await s.client.insert('dc', Array.from({ length: 10 }, (_, i) => ({ id: 10 + i, vec: vecs[10 + i]! })));
    await s.client.flush('dc');
    await until(async () => (await s.client.getLoadState('dc')).loadProgress === 100, 'sealed rows served', 30_000);
    const { collectionId, partitions } = await s.client.describeCollection('dc');
    const p1 = partitions.find((p) => p.name === 'p1')!.id;
    const segs = (await client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT)('segments', { collectionId })).filter((x) => x.partitionId === p1);
    assert.ok(segs.length > 0, 'p1 has a sealed segment');
    // The first half of a discard: the records go; the distribution still serves them.
    for (const seg of segs) await s.meta.delete(Keys.segment(collectionId, seg.segmentId));
    await s.stop();

    s = await tempStandalone({ dataDir });
    const count = async () => (await s.client.query('dc', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)'];
    assert.is(await count(), 10, 'the rows of the segments still recorded');
    await s.client.insert('dc', [{ id: 100, vec: vecs[0]! }], 'p1');
    assert.is(await count(), 11);
  } finally { await s.cleanup(); }
});

test.run();
