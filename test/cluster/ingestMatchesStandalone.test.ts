/**
 * The distributed cluster (one process per actor on NATS, etcd and S3) against
 * standalone (every actor in one process on embedded defaults): a 4-shard
 * collection, 50k vectors inserted through each one's HTTP gateway, and Strong
 * searches that must give the same ids. Segments seal every 5,000 rows, so the
 * data node, the query nodes and the delegators' hand-off all take part.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startStandalone, type Standalone } from '../../runtime/standalone/standalone.js';
import { V2Client } from '../http/support/v2Client.js';
import { collectionSpec, insertAll, vectorOf } from './support/data.js';
import { haveServices, startTestCluster, type TestCluster } from './support/testCluster.js';

const DIM = 32, TOTAL = 50_000, BATCH = 2_000, SEED = 7, SEGMENT_ROWS = 5_000;
const NAME = 'fifty_k';

if (haveServices('cluster: 50k vectors through the gateway match standalone')) {
  let cluster: TestCluster | undefined;
  let standalone: Standalone | undefined;
  let dataDir = '';
  let sa: V2Client;

  test.before(async () => {
    cluster = await startTestCluster({ roleArgs: { 'streaming-node': ['--segment-rows', String(SEGMENT_ROWS)] } });
    dataDir = await mkdtemp(join(tmpdir(), 'nuthatch-sa-'));
    standalone = await startStandalone({ dataDir, port: 0, streaming: { segment: { maxRows: SEGMENT_ROWS } as never }, log: () => {} });
    sa = new V2Client(standalone.http!.url);
  });
  test.after(async () => {
    await standalone?.stop();
    await cluster?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('the cluster runs every role as its own process', () => {
    const roles = [...cluster!.nodes.values()].map((p) => p.spec.role).sort();
    assert.equal(roles, ['coordinator', 'data-node', 'gateway', 'index-node', 'query-node', 'query-node', 'streaming-node', 'streaming-node']);
    assert.is(new Set([...cluster!.nodes.values()].map((p) => p.pid)).size, roles.length);
  });

  test('a 4-shard collection spreads over both streaming nodes', async () => {
    await cluster!.http.ok('/collections/create', collectionSpec(NAME, DIM, 4));
    await sa.ok('/collections/create', collectionSpec(NAME, DIM, 4));
    const d = await cluster!.http.ok('/collections/describe', { collectionName: NAME });
    assert.is(d.shardsNum, 4);
    const owners = new Set((await cluster!.assignments()).map((a) => a.nodeId));
    assert.equal([...owners].sort(), ['streaming-node-1', 'streaming-node-2']);
  });

  test('50k vectors go in through each gateway', async () => {
    const c = await insertAll(cluster!.http, NAME, SEED, TOTAL, DIM, BATCH, 2);
    const s = await insertAll(sa, NAME, SEED, TOTAL, DIM, BATCH, 2);
    console.log(`  insert ${TOTAL} x ${DIM}-d in batches of ${BATCH}: cluster ${c.ms} ms (${Math.round(TOTAL / c.ms * 1000)} rows/s), standalone ${s.ms} ms (${Math.round(TOTAL / s.ms * 1000)} rows/s)`);
    for (const h of [cluster!.http, sa]) {
      const [row] = await h.ok('/entities/query', { collectionName: NAME, outputFields: ['count(*)'], consistencyLevel: 'Strong' });
      assert.is(row['count(*)'], TOTAL);
    }
  });

  test('Strong search gives the same ids as standalone, before and after a flush', async () => {
    const queries = Array.from({ length: 20 }, (_, i) => vectorOf(SEED + 1, i, DIM));
    const search = async (h: V2Client) => {
      const r = await h.okReply('/entities/search', { collectionName: NAME, data: queries, limit: 10, consistencyLevel: 'Strong' });
      return r.data.map((x: { id: number; distance: number }) => [x.id, x.distance] as const);
    };
    const compare = (a: Array<readonly [number, number]>, b: Array<readonly [number, number]>) => {
      assert.is(a.length, 20 * 10);
      assert.equal(a.map((x) => x[0]), b.map((x) => x[0]));
      a.forEach((x, i) => assert.ok(Math.abs(x[1] - b[i]![1]) < 1e-4, `distance ${x[1]} vs ${b[i]![1]}`));
    };
    compare(await search(cluster!.http), await search(sa));
    await cluster!.http.ok('/collections/flush', { collectionName: NAME });
    await sa.ok('/collections/flush', { collectionName: NAME });
    await cluster!.http.waitLoaded(NAME, 1200);
    const sealed = await cluster!.client.getLoadState(NAME);
    assert.is(sealed.loadProgress, 100);
    compare(await search(cluster!.http), await search(sa));
  });

  test('sealed segments are served by both query nodes', async () => {
    const coll = await cluster!.client.describeCollection(NAME);
    const holders = new Set<string>();
    for (const vchannel of coll.vchannels) {
      for (const seg of (await cluster!.coordinator('distribution', { vchannel })).segments) holders.add(seg.nodeId);
    }
    assert.equal([...holders].sort(), ['query-node-1', 'query-node-2']);
  });

}

test.run();
