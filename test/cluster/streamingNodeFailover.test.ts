/**
 * Streaming-node faults in a distributed cluster: a node SIGKILLed in the middle
 * of ingest loses its pchannels to the other node with higher fencing terms;
 * writers see a pause, never an error; afterwards every acknowledged insert is
 * there exactly once (retried appends are recognised by their append ids). A
 * node paused with SIGSTOP past its lease, then resumed, is fenced by storage:
 * its appends fail and it gives its WALs up (or it hears first that they moved).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PchannelAssignment } from '../../messages/rpc/records.js';
import { collectionSpec, vectorOf } from './support/data.js';
import { eventually, haveServices, startTestCluster, TEST_SESSION_TTL_MS, within, type TestCluster } from './support/testCluster.js';
import { assertExactlyOnce, startWriters } from './support/writers.js';

const DIM = 8, SEED = 11, NAME = 'failover';

const owned = (list: PchannelAssignment[], nodeId: string) => list.filter((a) => a.nodeId === nodeId);

if (haveServices('cluster: streaming-node failover')) {
  let cluster: TestCluster | undefined;
  const acked: number[] = [];
  let nextId = 0;

  test.before(async () => {
    cluster = await startTestCluster();
    await cluster.http.ok('/collections/create', collectionSpec(NAME, DIM, 4));
  });
  test.after(async () => { await cluster?.stop(); });

  test('SIGKILL mid-ingest: pchannels move with higher terms, writers only pause, every ack is stored once', async () => {
    const c = cluster!;
    const before = await c.assignments();
    const victim = c.nodes.get('streaming-node-1')!;
    const moved = owned(before, victim.id);
    assert.ok(moved.length >= 1, 'the victim owns pchannels');
    const w = startWriters(c.http, NAME, { parallel: 2, batch: 200, dim: DIM, seed: SEED, firstId: nextId });
    await w.progress(10);
    const killedAt = Date.now();
    await victim.kill();
    const after = await eventually('the victim\'s pchannels to move', async () => {
      const now = await c.assignments();
      return moved.every((m) => now.find((a) => a.pchannel === m.pchannel)!.nodeId === 'streaming-node-2') && now;
    });
    for (const m of moved) {
      const a = after.find((x) => x.pchannel === m.pchannel)!;
      assert.ok(a.term > m.term, `${m.pchannel}: term ${a.term} > ${m.term}`);
    }
    await w.progress(10);
    const log = await w.stop();
    nextId += log.batches * 200 + 10_000;
    console.log(`  ${log.acked.length} rows acknowledged in ${log.batches} batches; longest batch ${log.maxBatchMs} ms (kill at +0, lease ${TEST_SESSION_TTL_MS} ms); moved in ${Date.now() - killedAt} ms or less`);
    assert.equal(log.failures, [], 'writers saw errors');
    acked.push(...log.acked);
    await assertExactlyOnce(c.client, NAME, acked);
    const hits = await c.client.search(NAME, { data: [vectorOf(SEED, acked[acked.length - 1]!, DIM)], limit: 1, consistencyLevel: 'Strong' });
    assert.is(hits[0]![0]!.id, acked[acked.length - 1]);
  });

  test('a restarted node gets pchannels back, each with a new term', async () => {
    const c = cluster!;
    const before = await c.assignments();
    const node = c.nodes.get('streaming-node-1')!;
    node.launch();
    await node.ready;
    const now = await eventually('pchannels to be balanced again', async () => {
      const list = await c.assignments();
      return owned(list, node.id).length === 2 && list;
    });
    for (const a of owned(now, node.id)) assert.ok(a.term > before.find((b) => b.pchannel === a.pchannel)!.term);
  });

  test('SIGSTOP past the lease, then SIGCONT: the stale owner gives its WALs up, fenced by storage or told they moved', async () => {
    const c = cluster!;
    const stale = c.nodes.get('streaming-node-1')!;
    await eventually('the cluster to serve again', async () => (await fetch(`${c.url}/healthz`)).status === 200);
    const before = owned(await c.assignments(), stale.id);
    assert.ok(before.length >= 1);
    const w = startWriters(c.http, NAME, { parallel: 2, batch: 200, dim: DIM, seed: SEED, firstId: nextId });
    await w.progress(5);
    stale.signal('SIGSTOP');
    await eventually('the paused node\'s pchannels to move', async () => {
      const now = await c.assignments();
      return before.every((m) => { const a = now.find((x) => x.pchannel === m.pchannel)!; return a.nodeId !== stale.id && a.term > m.term; });
    });
    await w.progress(5); // the new owner took writes: the old term is fenced in storage
    // On waking, each stale WAL either tries to append (a request it took while
    // paused, or the lease probe) and storage refuses it, or it first hears that
    // its pchannel moved and closes. Which comes first is a race between sockets.
    const givenUp = before.map((m) => stale.waitForLine(new RegExp(`\\[${m.pchannel}#${m.term}\\] ((probe failed|WAL failed).*fenced|moved to streaming-node-2)`, 'i')));
    stale.signal('SIGCONT');
    const lines = await within(Promise.all(givenUp), 30_000, () => `a stale WAL of ${stale.id} neither fenced nor closed:\n${stale.tail()}`);
    const fencedCount = lines.filter((l) => /fenced/i.test(l)).length;
    await w.progress(5);
    const log = await w.stop();
    console.log(`  paused owner: ${fencedCount} of ${lines.length} stale WALs fenced by storage, the rest closed on hearing they moved; ${log.acked.length} rows acknowledged, longest batch ${log.maxBatchMs} ms`);
    assert.equal(log.failures, [], 'writers saw errors');
    acked.push(...log.acked);
    await assertExactlyOnce(c.client, NAME, acked);
  });

}

test.run();
