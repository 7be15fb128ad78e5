/**
 * Coordinator failover: two coordinator processes, one leading and one blocked
 * in the etcd election. SIGKILL the leader in the middle of ingest: the standby
 * takes over once the leader's lease ends, TSOs keep increasing (the oracle's
 * persisted window is above everything handed out), writers see only a pause,
 * DDL works on the new leader, every acknowledged row is there once, and no
 * pchannel changes owner (both streaming nodes stayed up).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { collectionSpec, rows } from './support/data.js';
import { haveServices, startTestCluster, type TestCluster } from './support/testCluster.js';
import { assertExactlyOnce, startWriters } from './support/writers.js';

const DIM = 8, SEED = 3, NAME = 'coordfail';

if (haveServices('cluster: coordinator failover')) {
  let cluster: TestCluster | undefined;

  test.before(async () => {
    cluster = await startTestCluster({ topology: { coordinator: 2 } });
    await cluster.http.ok('/collections/create', collectionSpec(NAME, DIM, 4));
  });
  test.after(async () => { await cluster?.stop(); });

  test('one coordinator leads, the other stands by', async () => {
    const [leader, standby] = cluster!.byRole('coordinator');
    assert.match(leader!.log(), /coordinator-1 \(coordinator\) ready/);
    assert.match(standby!.log(), /coordinator-2 \(coordinator\) standby/);
    assert.not.match(standby!.log(), /\(coordinator\) ready/);
  });

  test('SIGKILL the leader mid-ingest: the standby takes over, TSOs keep increasing, ingest continues', async () => {
    const c = cluster!;
    const [leader, standby] = c.byRole('coordinator');
    // A sequential writer through the streaming client records each acknowledged TSO in order.
    const tsos: bigint[] = [];
    const acked: number[] = [];
    let stop = false, next = 1_000_000;
    const sequential = (async () => {
      while (!stop) {
        const from = next;
        next += 50;
        const r = await c.client.insert(NAME, rows(SEED, from, from + 50, DIM));
        tsos.push(r.tso);
        for (let i = from; i < from + 50; i++) acked.push(i);
      }
    })();
    const w = startWriters(c.http, NAME, { parallel: 2, batch: 200, dim: DIM, seed: SEED });
    await w.progress(5);
    const before = (await c.coordinator('tsoBatch', { count: 1 })).first;
    const tsosBefore = tsos.length;
    const owners = async () => (await c.assignments()).map((a) => `${a.pchannel} ${a.nodeId} term ${a.term}`).sort();
    const ownedBefore = await owners();
    await leader!.kill();
    await standby!.ready;
    const after = (await c.coordinator('tsoBatch', { count: 1 })).first;
    assert.ok(after > before, `TSO after takeover ${after} > ${before}`);
    await w.progress(10);
    const more = tsos.length;
    while (tsos.length < more + 5) await new Promise((r) => setTimeout(r, 50));
    stop = true;
    await sequential;
    const log = await w.stop();
    console.log(`  ${log.acked.length + acked.length} rows acknowledged; longest gateway batch ${log.maxBatchMs} ms; ${tsos.length - tsosBefore} sequential inserts after the kill`);
    assert.equal(log.failures, []);
    for (let i = 1; i < tsos.length; i++) assert.ok(tsos[i]! > tsos[i - 1]!, `TSO ${i} ${tsos[i]} > ${tsos[i - 1]}`);
    assert.ok(tsos[tsos.length - 1]! > after);
    await assertExactlyOnce(c.client, NAME, [...log.acked, ...acked]);
    // Every streaming node stayed up: the new leader moves no pchannel (a move fences its owner and stalls its writes).
    assert.equal(await owners(), ownedBefore, 'the pchannels keep their owners and terms');
  });

  test('DDL works on the new leader', async () => {
    const c = cluster!;
    await c.http.ok('/partitions/create', { collectionName: NAME, partitionName: 'p1' });
    assert.ok((await c.http.ok('/partitions/list', { collectionName: NAME })).includes('p1'));
    await c.http.ok('/collections/create', collectionSpec('after_failover', DIM, 2));
    await c.http.ok('/entities/insert', { collectionName: 'after_failover', data: rows(SEED, 0, 10, DIM) });
    const [row] = await c.http.ok('/entities/query', { collectionName: 'after_failover', outputFields: ['count(*)'], consistencyLevel: 'Strong' });
    assert.is(row['count(*)'], 10);
  });

}

test.run();
