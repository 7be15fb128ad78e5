import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import type { NuthatchError } from '../../messages/errors.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import { client } from '../../runtime/rpc/typedBus.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { searchBruteForce } from '../../actors/shared/vector/bruteForce.js';
import { tempStandalone, untilIndexedAndLoaded, untilIndexesServed, vectors } from './harness.js';

/**
 * Partition key isolation end to end (Milvus's `partitionkey.isolation`): a
 * collection of 50 tenants whose sealed segments' HNSW indexes are built one
 * sub-index per tenant; a search pinned to a tenant returns only its rows,
 * near the exact answer (sealed and growing rows); searches that do not pin
 * one tenant are refused as Milvus refuses them; the property is refused
 * without a partition key and cannot change while a vector index exists;
 * all of it survives a restart.
 */
const DIM = 16, TENANTS = 50, PER = 40, K = 10;
const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'vec', dataType: 'FloatVector', dim: DIM },
    { name: 'tenant', dataType: 'VarChar', maxLength: 16, isPartitionKey: true },
    { name: 'x', dataType: 'Int64' },
  ],
};
const N = TENANTS * PER, GROWING = 100;
const vs = vectors(N + GROWING, DIM, 21);
const tenantOf = (id: number): string => `t${id % TENANTS}`;
const rows = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ id: from + i, vec: vs[from + i]!, tenant: tenantOf(from + i), x: (from + i) % 7 }));
const failure = async (f: () => Promise<unknown>): Promise<string> => {
  try { await f(); return 'ok'; } catch (e) { return `${(e as NuthatchError).code}: ${(e as Error).message}`; }
};
const strong = 'Strong' as const;
const flat = new Float32Array(vs.flat());

/** The exact top-k ids of a tenant's rows among the first `count` (all rows of the test), by L2. */
function exact(q: number[], tenant: string, count: number, extra: (id: number) => boolean = () => true): number[] {
  const [hits] = searchBruteForce({ vectors: flat, dim: DIM, count, metric: 'L2', queries: [Float32Array.from(q)], k: K, accept: (r) => tenantOf(r) === tenant && extra(r) });
  return hits!.map((h) => h.row);
}

test('tenant searches use their own sub-index, refusals, property rules, restart', async () => {
  const s0 = await tempStandalone({ streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } });
  let s = s0;
  try {
    await s.client.createCollection({
      collectionName: 'mt', schema, metricType: 'L2', properties: { 'partitionkey.isolation': true },
      indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'HNSW', params: { M: 16, efConstruction: 100 } }], load: true,
    });
    assert.ok((await s.client.describeCollection('mt')).properties.some((p) => p.key === 'partitionkey.isolation' && p.value === 'true'));
    await s.client.insert('mt', rows(0, N));
    await s.client.flush('mt');
    await untilIndexedAndLoaded(s, 'mt', N);
    await untilIndexesServed(s, 'mt');
    await s.client.insert('mt', rows(N, GROWING));

    // Every sealed segment's index file is keyed: one sub-index per tenant (runtime/vectorIndex/keyedIndex.ts).
    const { collectionId } = await s.client.describeCollection('mt');
    const objects = new LocalObjectStore(join(s0.dataDir, 'objects'));
    const segs = await client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT)('segments', { collectionId });
    assert.ok(segs.length > 0);
    for (const seg of segs) {
      const file = await objects.get(seg.indexKeys.vec!);
      assert.is(new TextDecoder().decode(file!.subarray(0, 4)), 'NHKI', 'a keyed index file');
    }

    // Pinned searches: only the tenant's rows, near the exact top-k of its sealed and growing rows,
    // each sealed segment searched through the tenant's sub-index (the query node counts those reads).
    const isolatedReads = () => Number(s.metrics.render().split('\n').find((l) => l.startsWith('nuthatch_query_node_isolated_reads_total{'))?.split(' ').at(-1) ?? 0);
    const before = isolatedReads();
    const search = (q: number[], filter: string | undefined) => s.client.search('mt', { data: [q], limit: K, ...(filter === undefined ? {} : { filter }), outputFields: ['tenant', 'x'], searchParams: { params: { ef: 64 } }, consistencyLevel: strong });
    let found = 0, asked = 0;
    const answers: number[][] = [];
    for (let t = 0; t < 20; t++) {
      const q = vs[(t * 37) % vs.length]!, tenant = `t${(t * 3) % TENANTS}`;
      const [hits] = await search(q, `tenant == "${tenant}"`);
      assert.ok(hits!.every((h) => h.fields.tenant === tenant), `only ${tenant}'s rows`);
      const want = new Set(exact(q, tenant, N + GROWING));
      found += hits!.filter((h) => want.has(h.id as number)).length;
      asked += K;
      answers.push(hits!.map((h) => h.id as number));
    }
    assert.ok(found / asked >= 0.9, `recall@10 ${found / asked}`);
    // Each tenant's rows are sealed in its partition's segment: at least one sub-index read a search.
    assert.ok(isolatedReads() - before >= 20, `sealed reads through a sub-index: ${isolatedReads() - before}`);
    // A further condition beside the pin.
    const [both] = await search(vs[5]!, 'tenant == "t5" and x > 2');
    assert.ok(both!.length > 0 && both!.every((h) => h.fields.tenant === 't5' && (h.fields.x as number) > 2));
    const wantBoth = new Set(exact(vs[5]!, 't5', N + GROWING, (r) => r % 7 > 2));
    assert.ok(both!.filter((h) => wantBoth.has(h.id as number)).length >= K - 1);
    // A tenant with no row: nothing, not an error.
    assert.equal((await search(vs[0]!, 'tenant == "nobody"'))[0], []);

    // Searches that do not pin one tenant with ==, refused with Milvus's words; queries are not checked.
    const refusals: Array<[string | undefined, RegExp]> = [
      [undefined, /partition key not found in expr/],
      ['x > 3', /partition key not found in expr/],
      ['tenant in ["t1", "t2"]', /does not support IN/],
      ['tenant != "t1"', /does not support NotEqual/],
      ['tenant == "t1" or x > 1', /does not support OR/],
    ];
    for (const [filter, why] of refusals) {
      const got = await failure(() => search(vs[0]!, filter));
      assert.match(got, /^InvalidArgument: /, String(filter));
      assert.match(got, why, String(filter));
    }
    const hybrid = (filter: string) => s.client.hybridSearch('mt', { searches: [{ annsField: 'vec', data: [vs[0]!], limit: K, filter: 'tenant == "t1"' }, { annsField: 'vec', data: [vs[0]!], limit: K, filter }], limit: K, consistencyLevel: strong });
    assert.match(await failure(() => hybrid('x > 1')), /partition key not found in expr/);
    assert.is((await hybrid('tenant == "t2"'))[0]!.length, K);
    assert.match(await failure(() => s.client.searchIterator('mt', { vector: vs[0]!, batchSize: 5, filter: 'x > 1' })), /partition key not found in expr/);
    const it = await s.client.searchIterator('mt', { vector: vs[0]!, batchSize: 5, filter: 'tenant == "t9"', outputFields: ['tenant'], consistencyLevel: strong });
    const page = await it.next();
    assert.ok(page.length === 5 && page.every((h) => h.fields.tenant === 't9'));
    it.close();
    assert.is((await s.client.query('mt', { filter: 'x == 3', outputFields: ['count(*)'], consistencyLevel: strong }))[0]!['count(*)'], rows(0, N + GROWING).filter((r) => r.x === 3).length);

    // The property: refused without a partition key; not changed while a vector index exists; free to change without one.
    const noKey: CollectionSchema = { fields: schema.fields.filter((f) => f.name !== 'tenant') };
    assert.match(await failure(() => s.client.createCollection({ collectionName: 'nokey', schema: noKey, metricType: 'L2', properties: { 'partitionkey.isolation': 'true' } })), /^InvalidArgument: partition key isolation mode is enabled but no partition key field is set/);
    await s.client.createCollection({ collectionName: 'nokey', schema: noKey, metricType: 'L2' });
    assert.match(await failure(() => s.client.alterCollectionProperties('nokey', { 'partitionkey.isolation': true })), /no partition key field is set/);
    assert.match(await failure(() => s.client.alterCollectionProperties('mt', { 'partitionkey.isolation': false })), /^FailedPrecondition: can not alter partition key isolation mode if the collection already has a vector index/);
    assert.match(await failure(() => s.client.dropCollectionProperties('mt', ['partitionkey.isolation'])), /^FailedPrecondition: /);
    assert.match(await failure(() => s.client.alterCollectionProperties('mt', { 'partitionkey.isolation': 'maybe' })), /^InvalidArgument: partitionkey.isolation must be true or false/);
    await s.client.createCollection({ collectionName: 'late', schema, metricType: 'L2' });
    await s.client.alterCollectionProperties('late', { 'partitionkey.isolation': 'true' });
    assert.ok((await s.client.describeCollection('late')).properties.some((p) => p.key === 'partitionkey.isolation'));
    await s.client.dropCollectionProperties('late', ['partitionkey.isolation']);
    assert.not.ok((await s.client.describeCollection('late')).properties.some((p) => p.key === 'partitionkey.isolation'));

    // A restart keeps the property, the keyed indexes and the answers.
    await s.stop();
    s = await tempStandalone({ dataDir: s0.dataDir });
    await s.client.loadCollection('mt');
    await untilIndexesServed(s, 'mt');
    for (let t = 0; t < 20; t++) {
      const q = vs[(t * 37) % vs.length]!, tenant = `t${(t * 3) % TENANTS}`;
      const [hits] = await s.client.search('mt', { data: [q], limit: K, filter: `tenant == "${tenant}"`, searchParams: { params: { ef: 64 } }, consistencyLevel: strong });
      assert.equal(hits!.map((h) => h.id as number), answers[t], `tenant ${tenant} after restart`);
    }
    assert.match(await failure(() => s.client.search('mt', { data: [vs[0]!], limit: K, consistencyLevel: strong })), /partition key not found in expr/);
  } finally {
    await s.stop().catch(() => {});
    await s0.cleanup();
  }
});

test('an IVF_FLAT index is keyed too (Milvus takes other index types under isolation)', async () => {
  const s = await tempStandalone();
  try {
    await s.client.createCollection({
      collectionName: 'ivf', schema, metricType: 'L2', properties: { 'partitionkey.isolation': true },
      indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'IVF_FLAT', params: { nlist: 4 } }], load: true,
    });
    await s.client.insert('ivf', rows(0, 500));
    await s.client.flush('ivf');
    await untilIndexedAndLoaded(s, 'ivf', 500);
    await untilIndexesServed(s, 'ivf');
    for (const tenant of ['t0', 't7', 't33']) {
      const [hits] = await s.client.search('ivf', { data: [vs[3]!], limit: K, filter: `tenant == "${tenant}"`, searchParams: { params: { nprobe: 4 } }, outputFields: ['tenant'], consistencyLevel: strong });
      // Every list probed: exact.
      assert.equal(hits!.map((h) => h.id as number), exact(vs[3]!, tenant, 500));
    }
  } finally {
    await s.cleanup();
  }
});

test.run();
