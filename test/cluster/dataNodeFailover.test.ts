/**
 * A data node killed while it holds a compaction (processes on real NATS, etcd
 * and S3, two data nodes): data nodes hold leased sessions as streaming and
 * query nodes do, the coordinator sends the compaction to one of them, and
 * when that one's session ends the coordinator hands the compaction to the
 * other, so the manual compaction completes there instead of waiting out the
 * request's 10-minute timeout behind the maintenance lock.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { collectionSpec, insertAll } from './support/data.js';
import { eventually, haveServices, startTestCluster, within, type TestCluster } from './support/testCluster.js';

const DIM = 8, SEED = 11, NAME = 'held', ROWS = 1000, DELETED = 400;

if (haveServices('cluster: data node failover')) {
  let cluster: TestCluster | undefined;
  test.before(async () => {
    cluster = await startTestCluster({
      topology: { 'data-node': 2 },
      // Manual compaction only, every delete applied at once.
      roleArgs: { coordinator: ['--compaction-interval-ms', '0', '--compaction-grace-ms', '0'] },
    });
  });
  test.after(async () => { await cluster?.stop(); });

  test('a compaction held by a data node that is killed completes on the other data node', async () => {
    const c = cluster!;
    await c.http.ok('/collections/create', collectionSpec(NAME, DIM, 1));
    await insertAll(c.http, NAME, SEED, ROWS, DIM, 500, 1);
    await c.http.ok('/collections/flush', { collectionName: NAME });
    const { collectionId } = await c.client.describeCollection(NAME);
    const [seg] = await eventually('the segment persisted', async () => { const s = await c.coordinator('segments', { collectionId }); return s.length === 1 && s[0]!.dataKey ? s : undefined; }, 120_000);
    await c.client.delete(NAME, { ids: Array.from({ length: DELETED }, (_, i) => i) });
    await eventually('both data nodes hold sessions', async () => (await c.meta.list('sessions/data-node/')).length === 2, 60_000);

    const [dn1, dn2] = c.byRole('data-node');
    const coordinator = c.byRole('coordinator')[0]!;
    // Frozen, data-node-1 takes the compaction (the coordinator picks the idle node first by id) and holds it unanswered.
    dn1!.signal('SIGSTOP');
    const { compactionID } = await c.client.compact(NAME);
    const sent = `compactSegment of segment ${seg!.segmentId} -> data-node ${dn1!.id}`;
    await eventually('the compaction sent to data-node-1', async () => coordinator.log().includes(sent), 60_000);
    await dn1!.kill();

    // A guard only: before the change this waited out the 10-minute request timeout.
    const state = await within(eventually('the compaction completes', async () => {
      const s = await c.coordinator('compactionState', { compactionID });
      return s.state === 'Completed' && s;
    }, 150_000), 150_000, () => `compaction ${compactionID} did not complete:\n${coordinator.tail(40)}`);
    assert.equal([state.state, state.error ?? undefined], ['Completed', undefined], `completed without an error: ${JSON.stringify(state)}`);
    assert.ok(coordinator.log().includes(`compactSegment of segment ${seg!.segmentId} lost on data-node ${dn1!.id}`), coordinator.tail(40));
    assert.ok(dn2!.log().includes(`segment ${seg!.segmentId}: compacted to`), `data-node-2 did it:\n${dn2!.tail(20)}`);
    const [after] = await c.coordinator('segments', { collectionId });
    assert.equal([after!.segmentId, after!.rows], [seg!.segmentId, ROWS - DELETED]);
    assert.ok(/\/data-\d+\.seg$/.test(after!.dataKey), after!.dataKey);
    const [{ 'count(*)': count }] = await c.http.ok('/entities/query', { collectionName: NAME, filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' });
    assert.is(count, ROWS - DELETED);
  });

  test.run();
}
