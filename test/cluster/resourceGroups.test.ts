/**
 * Resource groups on a cluster of four query-node processes: two groups that
 * each ask for one node take them from the default group; a collection loaded
 * with two replicas into them is served by exactly those nodes (one copy of
 * each segment in each group, none in the default group) and searches answer;
 * a group's node SIGKILLed is replaced by one of the default group's, and its
 * replica loads there; transfer_replica moves a replica to another group's nodes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { collectionSpec, insertAll, vectorOf } from './support/data.js';
import { eventually, haveServices, startTestCluster, type TestCluster } from './support/testCluster.js';

const DIM = 8, SEED = 11, NAME = 'grouped', TOTAL = 4_000;
const DEF = '__default_resource_group';
const oneNode = { requests: { node_num: 1 }, limits: { node_num: 1 }, transfer_from: [{ resource_group: DEF }], transfer_to: [{ resource_group: DEF }] };

if (haveServices('cluster: resource groups')) {
  let cluster: TestCluster | undefined;

  const nodesOf = async (group: string): Promise<string[]> => (await cluster!.http.ok('/resource_groups/describe', { name: group })).resource_group.nodes.map((n: { node_id: string }) => n.node_id).sort();
  /** segmentId -> the query nodes serving it, over every shard. */
  const holders = async (): Promise<Map<number, string[]>> => {
    const out = new Map<number, string[]>();
    for (const vchannel of (await cluster!.client.describeCollection(NAME)).vchannels) {
      for (const s of (await cluster!.coordinator('distribution', { vchannel })).segments) out.set(s.segmentId, [...(out.get(s.segmentId) ?? []), s.nodeId].sort());
    }
    return out;
  };
  /** Every segment on exactly one node of each group's, and nowhere else. */
  const servedByGroups = async (): Promise<string | undefined> => {
    const [a, b] = [await nodesOf('rg1'), await nodesOf('rg2')];
    const h = await holders();
    if (h.size === 0) return 'no segment served';
    for (const [seg, nodes] of h) {
      if (nodes.length !== 2 || nodes.filter((n) => a.includes(n)).length !== 1 || nodes.filter((n) => b.includes(n)).length !== 1) return `segment ${seg} on ${nodes.join(',')} (rg1 ${a}, rg2 ${b})`;
    }
    return undefined;
  };
  const queries = Array.from({ length: 6 }, (_, i) => vectorOf(SEED + 1, i, DIM));
  const search = async () => (await cluster!.http.ok('/entities/search', { collectionName: NAME, data: queries, limit: 5, consistencyLevel: 'Strong' })).map((h: { id: number }) => h.id);

  test.before(async () => {
    cluster = await startTestCluster({ topology: { 'query-node': 4 }, roleArgs: { 'streaming-node': ['--segment-rows', '1000'] } });
  });
  test.after(async () => { await cluster?.stop(); });

  test('two groups of one node each take them from the default group', async () => {
    const c = cluster!;
    const all = c.byRole('query-node').map((n) => n.id).sort();
    await eventually('four query nodes in the default group', async () => (await nodesOf(DEF)).length === 4);
    await c.http.ok('/resource_groups/create', { name: 'rg1', config: oneNode });
    await c.http.ok('/resource_groups/create', { name: 'rg2', config: oneNode });
    const [a, b, d] = [await nodesOf('rg1'), await nodesOf('rg2'), await nodesOf(DEF)];
    assert.is(a.length, 1); assert.is(b.length, 1); assert.is(d.length, 2);
    assert.equal([...a, ...b, ...d].sort(), all, 'each node in one group');
  });

  test('a collection loaded with two replicas into the groups is served there only, and searches answer', async () => {
    const c = cluster!;
    await c.http.ok('/collections/create', collectionSpec(NAME, DIM, 2));
    await insertAll(c.http, NAME, SEED, TOTAL, DIM, 1000, 2);
    await c.http.ok('/collections/flush', { collectionName: NAME });
    await c.http.ok('/collections/load', { collectionName: NAME, replicaNumber: 2, resourceGroups: ['rg1', 'rg2'] });
    await eventually('loaded', async () => (await c.client.getLoadState(NAME)).loadProgress === 100, 120_000);
    const wrong = await eventually('each segment once in each group', async () => (await servedByGroups()) === undefined || false, 60_000).then(() => undefined, (e) => (e as Error).message);
    assert.is(wrong, undefined, await servedByGroups());
    for (const g of ['rg1', 'rg2']) assert.equal((await c.http.ok('/resource_groups/describe', { name: g })).resource_group.num_loaded_replica, { [NAME]: 1 });
    const ids = await search();
    assert.is(ids.length, queries.length * 5);
  });

  test('SIGKILL the node of rg1: a default-group node refills rg1, the replica loads there, searches answer the same', async () => {
    const c = cluster!;
    const baseline = await search();
    const [victimId] = await nodesOf('rg1');
    const spare = await nodesOf(DEF);
    await c.byRole('query-node').find((n) => n.id === victimId)!.kill();
    const refill = await eventually('rg1 refilled from the default group', async () => { const a = await nodesOf('rg1'); return a.length === 1 && a[0] !== victimId && a; }, 60_000);
    assert.ok(spare.includes(refill[0]!), `${refill[0]} came from the default group (${spare})`);
    assert.is((await nodesOf(DEF)).length, 1);
    await eventually('each segment again once in each group', async () => (await servedByGroups()) === undefined, 120_000);
    assert.ok([...(await holders()).values()].every((n) => !n.includes(victimId!)), 'nothing left on the dead node');
    assert.equal(await search(), baseline);
  });

  test('transfer_replica moves rg2\'s replica onto the default group\'s node; rg2 then holds none', async () => {
    const c = cluster!;
    const baseline = await search();
    const [a, [d]] = [await nodesOf('rg1'), await nodesOf(DEF)];
    await c.http.ok('/resource_groups/transfer_replica', { sourceRgName: 'rg2', targetRgName: DEF, collectionName: NAME, replicaNum: 1 });
    await eventually('each segment on rg1\'s node and the default group\'s', async () => {
      const h = await holders();
      return h.size > 0 && [...h.values()].every((n) => JSON.stringify(n) === JSON.stringify([a[0]!, d!].sort()));
    }, 120_000);
    assert.equal((await c.http.ok('/resource_groups/describe', { name: 'rg2' })).resource_group.num_loaded_replica, {});
    assert.equal((await c.http.ok('/resource_groups/describe', { name: DEF })).resource_group.num_loaded_replica, { [NAME]: 1 });
    assert.equal(await search(), baseline);
  });
}

test.run();
