/**
 * Cross-cluster replication between two real clusters: cluster A and cluster B
 * each run their own coordinator, streaming, data, query and index node
 * processes on their own nats-server, etcd and s3rver (nothing is shared), and
 * `nuthatch replicate` runs as a third kind of process, the real CLI, reading
 * A's WAL over A's NATS and writing through B's NATS, its checkpoints in B's
 * etcd. What A's clients do shows up on B with the same query and search
 * answers: writes, a collection made later, a SIGKILLed replicator started
 * again (it resumes from its checkpoint: no row lost, none twice), a rename
 * and a drop.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { NuthatchClient } from '../../runtime/client/client.js';
import { checkpointKey } from '../../runtime/replication/checkpointStore.js';
import { indexParams, rows, schema } from '../standalone/replicationFixture.js';
import { startReplicate, type ReplicateProcess } from './support/replicateProcess.js';
import { eventually, haveServices, startTestCluster, type TestCluster } from './support/testCluster.js';

/** One node per role and no gateway: the tests talk to each cluster over its NATS. */
const topology = { coordinator: 1, 'streaming-node': 1, 'query-node': 1, 'data-node': 1, 'index-node': 1, gateway: 0 };

if (haveServices('cluster: cross-cluster replication')) {
  let a: TestCluster | undefined, b: TestCluster | undefined, rep: ReplicateProcess | undefined;

  /** Every visible row of a collection, by primary key. */
  const allRows = async (c: NuthatchClient, name: string): Promise<Array<Record<string, unknown>>> =>
    (await c.query(name, { filter: 'id >= 0', outputFields: ['*'], consistencyLevel: 'Strong', limit: 0 })).sort((x, y) => (x.id as number) - (y.id as number));
  /** What tells two row sets apart, for a failure message (ids missing on B, extra or twice on B). */
  const diff = (want: Array<Record<string, unknown>>, got: Array<Record<string, unknown>>): string => {
    const ids = (rs: Array<Record<string, unknown>>) => rs.map((r) => r.id as number);
    const have = new Set(ids(got)), need = new Set(ids(want));
    const twice = ids(got).filter((x, i, all) => i > 0 && all[i - 1] === x);
    return `missing on B: ${ids(want).filter((x) => !have.has(x)).slice(0, 10)}; extra on B: ${ids(got).filter((x) => !need.has(x)).slice(0, 10)}; twice on B: ${twice.slice(0, 10)}`;
  };
  /** Waits until B's collection holds exactly A's rows (the replicator is asynchronous); a limit reached reports the difference. */
  async function converged(name: string, limitMs = 30_000): Promise<Array<Record<string, unknown>>> {
    let last = '';
    try {
      return await eventually(`${name} on B equals ${name} on A`, async () => {
        const [want, got] = await Promise.all([allRows(a!.client, name), allRows(b!.client, name)]);
        if (JSON.stringify(want) === JSON.stringify(got)) return want;
        last = diff(want, got);
        return undefined;
      }, limitMs);
    } catch (e) {
      throw new Error(`${(e as Error).message} (${last})\nreplicate log:\n${rep?.tail()}`);
    }
  }
  const replicate = (): ReplicateProcess => startReplicate(['--source-nats', a!.services.nats, '--target-nats', b!.services.nats, '--target-etcd', b!.services.etcd, '--lease-ttl-ms', '2000']);
  const create = (name: string) => a!.client.createCollection({ collectionName: name, schema, metricType: 'L2', shardsNum: 2, indexParams, load: true });

  test.before(async () => {
    const started = Date.now();
    [a, b] = await Promise.all([
      // A keeps its whole WAL: the replicator reads each collection from its CreateCollection.
      startTestCluster({ topology, ownS3: true, args: ['--wal-retention-ms', 'forever'] }),
      startTestCluster({ topology, ownS3: true }),
    ]);
    console.log(`  ${Date.now() - started} ms: two clusters started`);
  });
  // Where the wall time goes (printed, never asserted).
  let began = Date.now();
  test.before.each(() => { began = Date.now(); });
  test.after.each((ctx) => { console.log(`  ${Date.now() - began} ms: ${(ctx as { __test__?: string }).__test__ ?? ''}`); });
  test.after(async () => {
    await rep?.kill('SIGTERM');
    await Promise.allSettled([a?.stop(), b?.stop()]);
  });

  test('the two clusters share no server', () => {
    const [sa, sb] = [a!.services, b!.services];
    assert.is.not(sa.nats, sb.nats);
    assert.is.not(sa.etcd, sb.etcd);
    assert.is.not(sa.s3, sb.s3);
  });

  test('inserts, deletes and upserts on A appear on B with the same query and search answers', async () => {
    await create('items');
    await a!.client.insert('items', rows(0, 60, 'a'));
    rep = replicate();
    await a!.client.delete('items', { ids: [1, 2, 3] });
    await a!.client.delete('items', { filter: 'id >= 50 and id < 55' });
    await a!.client.upsert('items', rows(10, 5, 'up'));
    await a!.client.insert('items', rows(100, 20, 'b'));
    const want = await converged('items');
    assert.is(want.length, 60 - 8 + 20);
    assert.equal(await b!.client.query('items', { filter: 'tag == "up"', outputFields: ['id'], consistencyLevel: 'Strong' }).then((r) => r.map((x) => x.id).sort()),
      [10, 11, 12, 13, 14], 'upserted rows carry their new values on B');
    const probes = rows(500, 3, 'probe').map((r) => r.vec);
    const hits = (c: NuthatchClient) => c.search('items', { data: probes, limit: 5, outputFields: ['tag'], consistencyLevel: 'Strong' });
    assert.equal(await hits(b!.client), await hits(a!.client), 'a search on B answers as on A');
    assert.equal((await b!.client.describeCollection('items')).vchannels.length, 2, 'B made the collection with A\'s shards');
  });

  test('a collection created on A later is mirrored', async () => {
    await create('later');
    await a!.client.insert('later', rows(0, 25, 'l'));
    await rep!.logged(/replicating collection later/);
    await converged('later');
  });

  test('a second replicator for the same target stands by, and takes over when the first stops', async () => {
    const second = replicate();
    await second.logged(/standby: another replicator leads/);
    await a!.client.insert('later', rows(100, 5, 'l2'));
    await converged('later');
    assert.not.match(second.log(), /replicating collection/, 'the standby writes nothing');
    assert.is(await rep!.kill('SIGTERM'), 0, 'SIGTERM stops the replicator cleanly');
    rep = second;
    await rep.logged(/leads the replication of database default/);
    await a!.client.insert('later', rows(200, 5, 'l3'));
    await rep.logged(/replicating later .* from its checkpoint/);
    await converged('later');
  });

  test('a replicator killed (SIGKILL) mid-stream and started again resumes from its checkpoint: nothing lost, nothing twice', async () => {
    const before = (await allRows(b!.client, 'items')).length;
    let stop = false, batches = 0, nextId = 1000;
    // A writer on A that keeps going while the replicator dies and comes back: inserts, and now and then a delete and an upsert.
    const writer = (async () => {
      while (!stop) {
        await a!.client.insert('items', rows(nextId, 10, 'w'));
        nextId += 10;
        if (++batches % 4 === 0) {
          await a!.client.delete('items', { ids: [nextId - 35] });
          await a!.client.upsert('items', rows(nextId - 32, 1, 'wu'));
        }
      }
    })();
    await eventually('B applying the writer\'s rows', async () => (await b!.client.query('items', { filter: 'id >= 1000', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)'] as number >= 30);
    const cp = await b!.meta.get(checkpointKey({ db: 'default', collection: 'items' }));
    assert.ok(cp, 'the replicator checkpoints in B\'s etcd');
    const code = await rep!.kill('SIGKILL');
    assert.is(code, 'SIGKILL');
    const atKill = batches;
    await eventually('A written while no replicator runs', async () => batches >= atKill + 5);
    rep = replicate();
    await rep.logged(/replicating items .* from its checkpoint/);
    await eventually('A written while the replicator catches up', async () => batches >= atKill + 10);
    stop = true;
    await writer;
    const want = await converged('items');
    assert.ok(want.length > before + 100, `the writer wrote through the kill (${want.length - before} rows)`);
    const [count] = await b!.client.query('items', { outputFields: ['count(*)'], consistencyLevel: 'Strong' });
    assert.is(count!['count(*)'], want.length, 'count(*) on B counts every row once');
  });

  test('DDL is mirrored: a rename, then a drop', async () => {
    await a!.client.renameCollection('later', 'renamed');
    await a!.client.insert('renamed', rows(300, 5, 'r'));
    await eventually('later renamed on B', async () => (await b!.client.hasCollection('renamed')) && !(await b!.client.hasCollection('later')));
    await converged('renamed');
    assert.ok(await b!.meta.get(checkpointKey({ db: 'default', collection: 'renamed' })), 'the checkpoint follows the rename');

    await a!.client.releaseCollection('items');
    await a!.client.dropCollection('items');
    await eventually('items dropped on B', async () => !(await b!.client.hasCollection('items')));
    // The mirror goes first, then its checkpoint.
    await eventually('the checkpoint of items dropped', async () => (await b!.meta.get(checkpointKey({ db: 'default', collection: 'items' }))) === undefined);
    assert.equal(await b!.client.listCollections(), ['renamed']);
  });

  test('a collection renamed while no replicator runs keeps its mirror, which resumes from its checkpoint', async () => {
    const mirror = (await b!.client.describeCollection('renamed')).collectionId;
    assert.is(await rep!.kill('SIGTERM'), 0);
    await a!.client.renameCollection('renamed', 'moved');
    await a!.client.insert('moved', rows(400, 5, 'm'));
    rep = replicate();
    await rep.logged(/replicating moved .* from its checkpoint/);
    await converged('moved');
    assert.equal(await b!.client.listCollections(), ['moved']);
    assert.is((await b!.client.describeCollection('moved')).collectionId, mirror, 'the mirror was renamed, not dropped and made again');
    assert.ok(await b!.meta.get(checkpointKey({ db: 'default', collection: 'moved' })), 'the checkpoint moved with it');
    assert.is(await b!.meta.get(checkpointKey({ db: 'default', collection: 'renamed' })), undefined);
  });

  test.run();
}
