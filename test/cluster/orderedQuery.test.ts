/**
 * Ordered queries and RANDOM_SAMPLE on a real cluster (NATS, etcd, S3; query
 * nodes and streaming nodes in their own processes): the order keys and the
 * sample's seed cross the wire, each query node and delegator merges its
 * sources, the client merges four shards. Answers are checked against the
 * rows this test wrote.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually, haveServices, startTestCluster, type TestCluster } from './support/testCluster.js';
import { prng, vectorOf } from './support/data.js';

const DIM = 4, NAME = 'ordered', SHARDS = 4;
interface Row { id: number; n: number; price: number | null }

if (haveServices('cluster: ordered queries')) {
  let cluster: TestCluster | undefined;
  test.before(async () => { cluster = await startTestCluster({ roleArgs: { 'streaming-node': ['--segment-rows', '500'] } }); });
  test.after(async () => { await cluster?.stop(); });

  test('ordered pages and sampled counts across shards, sealed segments, growing rows and deletes', async () => {
    const c = cluster!.client;
    await c.createCollection({
      collectionName: NAME, metricType: 'L2', shardsNum: SHARDS, load: true,
      schema: { fields: [
        { name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vector', dataType: 'FloatVector', dim: DIM },
        { name: 'n', dataType: 'Int32' }, { name: 'price', dataType: 'Double', nullable: true },
      ] },
    });
    const r = prng(31);
    const rows: Row[] = Array.from({ length: 4000 }, (_, i) => ({ id: (i * 7919) % 100_003, n: Math.floor(r() * 5), price: r() < 0.2 ? null : Math.floor(r() * 40) / 2 }));
    // Rows of 500 a segment seal as they come; the flush seals the rest but the last batch, which stays growing.
    for (let from = 0; from < 3500; from += 500) await c.insert(NAME, rows.slice(from, from + 500).map((x, i) => ({ ...x, vector: vectorOf(5, from + i, DIM) })));
    await c.flush(NAME);
    await eventually('sealed segments served', async () => (await c.getLoadState(NAME)).loadProgress === 100);
    await c.insert(NAME, rows.slice(3500).map((x, i) => ({ ...x, vector: vectorOf(5, 3500 + i, DIM) })));
    const deleted = new Set(rows.filter(() => r() < 0.1).map((x) => x.id));
    await c.delete(NAME, { ids: [...deleted] });
    const live = rows.filter((x) => !deleted.has(x.id));

    // price descending, nulls last; then n ascending; then id.
    const order = (a: Row, b: Row) => {
      if (a.price !== b.price) { if (a.price === null) return 1; if (b.price === null) return -1; return b.price - a.price; }
      return a.n - b.n || a.id - b.id;
    };
    const want = live.filter((x) => x.n !== 1).sort(order).map((x) => x.id);
    const paged: number[] = [];
    for (let offset = 0; offset < want.length; offset += 400) {
      const page = await c.query(NAME, { filter: 'n != 1', limit: 400, offset, consistencyLevel: 'Strong', orderByFields: [{ field: 'price', order: 'desc' }, { field: 'n' }] });
      paged.push(...page.map((x) => x.id as number));
    }
    assert.equal(paged, want, 'pages of an ordered query are slices of one order');
    // The same order walked by an iterator: its ordered cursor crosses the bus to every delegator and query node.
    const walked: number[] = [];
    const it = await c.queryIterator(NAME, { filter: 'n != 1', batchSize: 333, consistencyLevel: 'Strong', orderByFields: [{ field: 'price', order: 'desc' }, { field: 'n' }] });
    for await (const b of it) { walked.push(...b.map((x) => x.id as number)); if (walked.length > want.length + 333) break; }
    assert.equal(walked, want, 'an ordered iterator walks the same order, each row once');

    const count = async (filter: string) => Number((await c.query(NAME, { filter, outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)']);
    const f = 0.3, n = live.length, got = await count(`RANDOM_SAMPLE(${f})`);
    assert.ok(Math.abs(got - n * f) <= 5 * Math.sqrt(n * f * (1 - f)), `count(*) with RANDOM_SAMPLE(${f}): ${got} of ${n}`);
  });

  test.run();
}
