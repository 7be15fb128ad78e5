/**
 * `nuthatch replicate` as real processes between two real clusters, where
 * things go wrong: a replicator started before the target cluster's NATS and
 * etcd are up waits for them (and for its coordinator) instead of exiting; a
 * leader frozen (SIGSTOP) past its lease is replaced by the standby, which goes
 * on from the checkpoint with no row lost or doubled; and the old leader, woken
 * (SIGCONT) with rows to apply, writes none of them: the target refuses its
 * writes and checkpoints (fencing), and it stops.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { NuthatchClient } from '../../runtime/client/client.js';
import type { ServerHandle } from '../../runtime/devServices/serverHandle.js';
import { checkpointKey } from '../../runtime/replication/checkpointStore.js';
import { startEtcd, startNats } from '../support/services.js';
import { indexParams, rows, schema } from '../standalone/replicationFixture.js';
import { startReplicate, type ReplicateProcess } from './support/replicateProcess.js';
import { eventually, haveServices, startTestCluster, type TestCluster } from './support/testCluster.js';

const topology = { coordinator: 1, 'streaming-node': 1, 'query-node': 1, 'data-node': 1, 'index-node': 1, gateway: 0 };

if (haveServices('cluster: replication failover')) {
  let a: TestCluster | undefined, b: TestCluster | undefined, bServers: { nats: ServerHandle; etcd: ServerHandle } | undefined;
  const reps: ReplicateProcess[] = [];

  const allRows = async (c: NuthatchClient): Promise<Array<Record<string, unknown>>> =>
    (await c.query('items', { filter: 'id >= 0', outputFields: ['*'], consistencyLevel: 'Strong', limit: 0 })).sort((x, y) => (x.id as number) - (y.id as number));
  const count = async (c: NuthatchClient, filter: string): Promise<number> =>
    (await c.query('items', { filter, outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)'] as number;
  /** B's items equal A's, row for row (each once: count(*) agrees too). */
  async function converged(rep: ReplicateProcess): Promise<number> {
    let last = '';
    try {
      return await eventually('items on B equals items on A', async () => {
        const [want, got] = await Promise.all([allRows(a!.client), allRows(b!.client)]);
        last = `A ${want.length} rows, B ${got.length}`;
        return JSON.stringify(want) === JSON.stringify(got) && (await count(b!.client, 'id >= 0')) === want.length && want.length;
      }, 30_000);
    } catch (e) {
      throw new Error(`${(e as Error).message} (${last})\nreplicate log:\n${rep.tail()}`);
    }
  }
  const replicate = (): ReplicateProcess => {
    const r = startReplicate(['--source-nats', a!.services.nats, '--target-nats', bServers!.nats.url, '--target-etcd', bServers!.etcd.url, '--lease-ttl-ms', '2000']);
    reps.push(r);
    return r;
  };

  test.before(async () => {
    const [ca, nats, etcd] = await Promise.all([startTestCluster({ topology, ownS3: true, args: ['--wal-retention-ms', 'forever'] }), startNats(), startEtcd()]);
    a = ca;
    bServers = { nats, etcd };
    await a.client.createCollection({ collectionName: 'items', schema, metricType: 'L2', shardsNum: 2, indexParams, load: true });
    await a.client.insert('items', rows(0, 40, 'a'));
  });
  test.after(async () => {
    for (const r of reps) { try { process.kill(r.pid!, 'SIGCONT'); } catch { /* gone */ } await r.kill('SIGKILL'); }
    await Promise.allSettled([a?.stop(), b?.stop() ?? Promise.allSettled([bServers?.nats.stop(), bServers?.etcd.stop()])]);
  });

  let leader: ReplicateProcess;

  test('started before the target cluster\'s NATS and etcd are up, the replicator waits for them and then replicates', async () => {
    await Promise.all([bServers!.nats.halt(), bServers!.etcd.halt()]);
    leader = replicate();
    await leader.logged(/start-up: connecting to the target NATS .* retrying in \d+ ms/);
    await Promise.all([bServers!.nats.start(), bServers!.etcd.start()]);
    b = await startTestCluster({ topology, ownS3: true, servers: bServers! });
    await leader.logged(/leads the replication of database default/);
    assert.is(await converged(leader), 40);
  });

  test('a leader frozen past its lease is replaced by the standby, which goes on from the checkpoint; woken, the old leader writes nothing and stops', async () => {
    const standby = replicate();
    await standby.logged(/standby: another replicator leads/);
    await a!.client.insert('items', rows(100, 10, 'b'));
    await converged(leader);

    process.kill(leader.pid!, 'SIGSTOP');
    await a!.client.insert('items', rows(200, 10, 'frozen'));
    await a!.client.delete('items', { ids: [0, 1] });
    await standby.logged(/leads the replication of database default/);
    assert.is(await converged(standby), 40 + 10 + 10 - 2, 'the standby applied what the frozen leader had not: none lost, none twice');

    // The new leader stops cleanly; rows arrive on A that nobody has replicated.
    assert.is(await standby.kill('SIGTERM'), 0);
    const cp = await b!.meta.get(checkpointKey({ db: 'default', collection: 'items' }));
    await a!.client.insert('items', rows(300, 10, 'late'));
    await a!.client.upsert('items', rows(100, 2, 'late'));

    process.kill(leader.pid!, 'SIGCONT');
    const code = await leader.exited;
    // How it learned (printed, never asserted: the fence or the lease, whichever comes first).
    console.log(`  old leader on waking:\n${leader.tail(4)}`);
    assert.is(await count(b!.client, 'id >= 300'), 0, `the old leader applied none of the rows written after its lead passed:\n${leader.tail()}`);
    assert.is(await count(b!.client, 'tag == "late"'), 0, 'nor the upsert');
    assert.is((await b!.meta.get(checkpointKey({ db: 'default', collection: 'items' })))?.modRevision, cp?.modRevision, 'nor moved the checkpoint');
    assert.is.not(code, 0, `the old leader stops with an error:\n${leader.tail()}`);
    assert.match(leader.log(), /lost the lead|fenced out/);

    // A replicator started again applies them, once.
    const next = replicate();
    await next.logged(/replicating items .* from its checkpoint/);
    assert.is(await converged(next), 40 + 10 + 10 - 2 + 10);
    await next.kill('SIGTERM');
  });

  test.run();
}
