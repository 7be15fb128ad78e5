/**
 * Query-node faults: sealed segments load on two query nodes each (replicas),
 * with HNSW indexes the index node builds. A query node SIGKILLed while searches
 * run: every search still answers, with the same hits (the replicas serve the
 * same index files), and the coordinator loads the lost replicas on the third
 * query node once the dead node's session ends. A query node started again under
 * its id, at once (before its old lease ends) or after its session ended, is loaded again.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { collectionSpec, insertAll, vectorOf } from './support/data.js';
import { eventually, haveServices, startTestCluster, type TestCluster } from './support/testCluster.js';
import { client } from '../../runtime/rpc/typedBus.js';
import { queryNodeSubject, type QueryNodeProtocol } from '../../messages/rpc/workers.js';

const DIM = 8, SEED = 5, NAME = 'replicated', TOTAL = 8_000;

if (haveServices('cluster: query-node failover with replicas')) {
  let cluster: TestCluster | undefined;

  /** segmentId -> the query nodes serving it, over every shard. */
  const holders = async (): Promise<Map<number, string[]>> => {
    const c = cluster!;
    const out = new Map<number, string[]>();
    for (const vchannel of (await c.client.describeCollection(NAME)).vchannels) {
      for (const s of (await c.coordinator('distribution', { vchannel })).segments) out.set(s.segmentId, [...(out.get(s.segmentId) ?? []), s.nodeId].sort());
    }
    return out;
  };
  const queries = Array.from({ length: 10 }, (_, i) => vectorOf(SEED + 1, i, DIM));
  const search = async () => (await cluster!.http.ok('/entities/search', { collectionName: NAME, data: queries, limit: 5, consistencyLevel: 'Strong' })).map((h: { id: number }) => h.id);

  test.before(async () => {
    cluster = await startTestCluster({
      topology: { 'query-node': 3 },
      roleArgs: { coordinator: ['--replicas', '2'], 'streaming-node': ['--segment-rows', '1000'] },
    });
  });
  test.after(async () => { await cluster?.stop(); });

  test('each sealed segment is served by two query nodes, with its index', async () => {
    const c = cluster!;
    await c.http.ok('/collections/create', collectionSpec(NAME, DIM, 2, 'HNSW'));
    await insertAll(c.http, NAME, SEED, TOTAL, DIM, 1000, 2);
    await c.http.ok('/collections/flush', { collectionName: NAME });
    await eventually('index built and loaded everywhere', async () => (await c.client.getLoadState(NAME)).loadProgress === 100, 120_000);
    const h = await holders();
    assert.ok(h.size >= 8, `${h.size} sealed segments`);
    for (const [seg, nodes] of h) assert.is(new Set(nodes).size, 2, `segment ${seg} on ${nodes.join(',')}`);
  });

  test('SIGKILL a query node: searches keep answering the same, and its segments load elsewhere', async () => {
    const c = cluster!;
    const baseline = await search();
    assert.is(baseline.length, queries.length * 5);
    const victim = c.nodes.get('query-node-1')!;
    const lost = [...(await holders())].filter(([, n]) => n.includes(victim.id)).map(([s]) => s);
    assert.ok(lost.length > 0, 'the victim serves segments');
    let stop = false, answered = 0, maxMs = 0;
    const failures: string[] = [];
    const loop = async () => {
      while (!stop) {
        const t = Date.now();
        try {
          const ids = await search();
          if (JSON.stringify(ids) !== JSON.stringify(baseline)) failures.push(`different hits: ${ids.slice(0, 5)}`);
          answered++;
        } catch (e) { failures.push((e as Error).message); }
        maxMs = Math.max(maxMs, Date.now() - t);
      }
    };
    const loops = [loop(), loop()];
    await eventually('a few searches', async () => answered >= 4);
    await victim.kill();
    const after = await eventually('the lost replicas to load on another query node', async () => {
      const h = await holders();
      return lost.every((s) => { const n = h.get(s) ?? []; return n.length === 2 && !n.includes(victim.id); }) && h;
    });
    const atReload = answered;
    await eventually('more searches after the reload', async () => answered >= atReload + 4);
    stop = true;
    await Promise.all(loops);
    console.log(`  ${answered} searches while a replica died; slowest ${maxMs} ms; ${lost.length} segments reloaded`);
    assert.equal(failures, []);
    for (const s of lost) assert.equal(after.get(s)!.filter((n) => n !== victim.id).length, 2);
    assert.equal(await search(), baseline);
  });

  /**
   * Kills a query node and starts it again under its id (`between`: what happens in between), then
   * expects it to hold every segment it served before, and searches to answer as before.
   */
  const restart = async (nodeName: string, between: (id: string) => Promise<unknown>) => {
    const c = cluster!;
    const baseline = await search();
    const victim = c.nodes.get(nodeName)!;
    const held = [...(await holders())].filter(([, n]) => n.includes(victim.id)).map(([s]) => s);
    assert.ok(held.length > 0, 'the victim serves segments');
    await victim.kill();
    await between(victim.id);
    victim.launch();
    await victim.started;
    const status = client<QueryNodeProtocol>(c.bus, queryNodeSubject(victim.id));
    await eventually('the node started again to hold its segments again', async () => {
      const now = new Set((await status('status', {})).segments);
      return held.every((s) => now.has(s));
    });
    assert.equal(await search(), baseline);
  };

  // Its session key never goes away (the new process puts it before the old lease runs out): only its
  // new incarnation tells the coordinator that it holds nothing.
  test('a query node killed and started again at once (its lease not yet run out) loads its segments again', () => restart('query-node-2', async () => {}));

  // The distributions may still name it (no other node could take its replica): the node that comes back holds none of it.
  test('a query node that comes back after its session ended (a slow restart) loads its segments again', () => restart('query-node-3', (id) =>
    eventually('its session to end', async () => (await cluster!.meta.get(`sessions/query-node/${id}`)) === undefined)));
}

test.run();
