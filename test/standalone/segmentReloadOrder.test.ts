import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import { queryNodeSubject, type QueryNodeProtocol } from '../../messages/rpc/workers.js';
import { client as busClient } from '../../runtime/rpc/typedBus.js';
import { tempStandalone, untilIndexedAndLoaded, untilIndexesServed, vectors } from './harness.js';

/**
 * The coordinator asks a query node to load a segment again each time one of
 * its indexes is built, so loads of one segment overlap. The node applies them
 * in the order they came: a load with the older record (fewer indexes) that
 * would finish last must not leave the segment without the newer index.
 */
const DIM = 4;
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
  ],
};

test('two overlapping loads of one segment: the later one (with the index) is what the node serves', async () => {
  const s = await tempStandalone({ streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } });
  try {
    const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW', metricType: 'L2' as const, params: { M: 8, efConstruction: 64 } }];
    await s.client.createCollection({ collectionName: 'ro', schema, metricType: 'L2', shardsNum: 1, indexParams, load: true });
    await s.client.insert('ro', vectors(50, DIM, 1).map((vec, id) => ({ id, vec })));
    await s.client.flush('ro');
    await untilIndexedAndLoaded(s, 'ro', 50);
    await untilIndexesServed(s, 'ro');
    const { collectionId } = await s.client.describeCollection('ro');
    const [seg] = await busClient<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT)('segments', { collectionId });
    assert.ok(seg && Object.keys(seg.indexKeys).length === 1, 'one sealed segment with its index');

    const qn = busClient<QueryNodeProtocol>(s.bus, queryNodeSubject('qn-1'));
    // The record before the index was built (it must reload), then the one after (it could reuse what it holds).
    await Promise.all([
      qn('load', { segment: { ...seg!, indexKeys: {} }, indexName: null }),
      qn('load', { segment: seg!, indexName: 'vec_idx' }),
    ]);
    const held = (await qn('status', {})).files.find((f) => f.segmentId === seg!.segmentId);
    assert.equal(held?.indexKeys, Object.values(seg!.indexKeys), 'the index of the later record is held');
  } finally {
    await s.cleanup();
  }
});

test.run();
