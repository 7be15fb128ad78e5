import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import { queryNodeSubject, type QueryNodeProtocol } from '../../messages/rpc/workers.js';
import { decodeValue } from '../../messages/valueCodec.js';
import { client } from '../../runtime/rpc/typedBus.js';
import { until } from '../support/until.js';
import { tempStandalone, untilIndexesServed, vectors } from './harness.js';

/**
 * A segment load the coordinator asked for (here the reload once a scalar
 * index is built; at a restart, every segment's) whose answer comes back after
 * a truncate discarded the segment: the discard took it out of the
 * distribution and off the query node, then the load's answer put it back in
 * the distribution, on a node that no longer held it, and every Strong read of
 * the shard waited on it (Unavailable) until it gave up. Found by the model
 * check (standalone seed 113 at 150 steps: a truncate two steps after a
 * restart). A segment with no record is not served again, and the copy the
 * late load left is released.
 */
const DIM = 4;
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'cat', dataType: 'Int64' as const },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
  ],
};
const vecs = vectors(20, DIM, 7);

test('a segment load answered after a truncate discarded the segment does not serve it again: reads answer', async () => {
  const s = await tempStandalone();
  try {
    await s.client.createCollection({
      collectionName: 'lr', schema, metricType: 'L2', shardsNum: 1, load: true,
      indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'FLAT', metricType: 'L2', params: {} }],
    });
    await s.client.insert('lr', Array.from({ length: 10 }, (_, id) => ({ id, cat: id % 3, vec: vecs[id]! })));
    await s.client.flush('lr');
    await until(async () => (await s.client.getLoadState('lr')).loadProgress === 100, 'the sealed segment served', 30_000);
    await untilIndexesServed(s, 'lr');
    const { collectionId, vchannels } = await s.client.describeCollection('lr');
    const coord = client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT), qn = client<QueryNodeProtocol>(s.bus, queryNodeSubject('qn-1'));
    const [seg] = await coord('segments', { collectionId });
    assert.ok(seg, 'a sealed segment');

    // The next load of the segment reaches the query node only once the truncate's discard has released the segment
    // there, and the discard's file removal waits for that load: the node loads the discarded segment again.
    let asked = false, released = false, loadedLate = false;
    const request = s.bus.request.bind(s.bus);
    s.bus.request = async (subject, data, opts) => {
      const req = decodeValue(data) as { op?: string; segment?: { segmentId?: number }; segmentIds?: number[]; keys?: string[] };
      if (subject === queryNodeSubject('qn-1') && req.op === 'load' && req.segment?.segmentId === seg.segmentId && !asked) {
        asked = true;
        await until(() => released, 'the discard released the segment', 30_000);
        const reply = await request(subject, data, opts);
        loadedLate = true;
        return reply;
      }
      if (req.op === 'removeFiles' && req.keys?.includes(seg.dataKey)) await until(() => loadedLate, 'the late load answered', 30_000);
      const reply = await request(subject, data, opts);
      if (asked && req.op === 'release' && req.segmentIds?.includes(seg.segmentId)) released = true;
      return reply;
    };
    await s.client.createIndex('lr', { indexName: 'cat', fieldName: 'cat', indexType: 'INVERTED', params: {} });
    await until(() => asked, 'the reload with the scalar index asked of the query node', 30_000);
    await s.client.truncateCollection('lr');
    assert.ok(loadedLate, 'the load answered after the discard released the segment');
    // A DDL takes the coordinator's lock after the late load's distribution update (the lock is first come, first served).
    await s.client.createPartition('lr', 'after');

    const vchannel = vchannels[0]!;
    assert.not.ok((await coord('distribution', { vchannel })).segments.some((x) => x.segmentId === seg.segmentId), 'the discarded segment is not served');
    await until(async () => !(await qn('status', {})).files.some((f) => f.segmentId === seg.segmentId), 'the late copy released from the query node');
    const count = async () => (await s.client.query('lr', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)'];
    assert.is(await count(), 0);
    await s.client.insert('lr', [{ id: 100, cat: 1, vec: vecs[0]! }]);
    assert.is(await count(), 1);
  } finally { await s.cleanup(); }
});

test.run();
