import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { searchBruteForce } from '../../actors/shared/vector/bruteForce.js';
import { fromBFloat16Bits, fromFloat16Bits, toBFloat16Bits, toFloat16Bits } from '../../messages/halfFloat.js';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import { pchannelOf } from '../../messages/rpc/streamingNode.js';
import { queryNodeSubject, type QueryNodeProtocol } from '../../messages/rpc/workers.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { recallAtK } from '../../bench/support/dataset.js';
import { client } from '../../runtime/rpc/typedBus.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { tempStandalone, untilIndexedAndLoaded, untilIndexesServed, vectors } from './harness.js';

/**
 * DISKANN's local files and field types end to end on a standalone system:
 * a query node removes a segment's file when the collection is released,
 * while a search that took the index before
 * the release still answers from it; Float16Vector and BFloat16Vector
 * fields take DISKANN (widened to float32) with recall against brute force
 * over the stored halves; under partition key isolation every sealed
 * segment's DISKANN file is keyed (one sub-index per tenant, one local file
 * each), and a tenant's search reads its sub-index alone.
 */
const DIM = 16, N = 1500, K = 10;
const segmentOpts = { streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } };
const vs = vectors(N, DIM, 41);
const flat = new Float32Array(vs.flat());
const queries = vectors(20, DIM, 43);
const diskFiles = (dataDir: string) => { try { return readdirSync(join(dataDir, 'cache', 'diskann')).filter((f) => f.endsWith('.diskann')); } catch { return []; } };
const ids = (hits: Array<Array<{ id: unknown }>>) => hits.map((hs) => hs.map((h) => h.id as number));
const truthOf = (data: Float32Array, metric: 'L2' | 'IP' | 'COSINE', accept?: (row: number) => boolean) =>
  searchBruteForce({ vectors: data, dim: DIM, count: N, metric, queries: queries.map((q) => Float32Array.from(q)), k: K, accept }).map((hs) => hs.map((h) => h.row));
const schema: CollectionSchema = { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim: DIM }] };

test('release: the files go with the collection; a search that took the index before the release still answers', async () => {
  const s = await tempStandalone(segmentOpts);
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'rel', schema, metricType: 'L2', shardsNum: 1, indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'DISKANN', params: { max_degree: 24 } }], load: true });
    await c.insert('rel', vs.map((vec, id) => ({ id, vec })));
    await c.flush('rel');
    await untilIndexedAndLoaded(s, 'rel', N);
    await untilIndexesServed(s, 'rel');
    assert.ok(diskFiles(s.dataDir).length >= 1, 'a file per segment');
    const truth = truthOf(flat, 'L2');
    assert.ok(recallAtK(ids(await c.search('rel', { data: queries, limit: K, consistencyLevel: 'Strong' })), truth, K) >= 0.9);

    // A query node search of every segment of the shard, asked to wait for a delete the shard has not logged yet: it
    // takes the segments' indexes, then waits for it (about half a second of retries) while the collection is
    // released; the delete, logged once the release is done, lets it go on. (A delete that never comes is refused as
    // Unavailable: answering without it could show a deleted row.)
    const { collectionId } = await c.describeCollection('rel');
    const segs = await client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT)('segments', { collectionId });
    const vchannel = segs[0]!.vchannel, mine = segs;
    const qn = client<QueryNodeProtocol>(s.bus, queryNodeSubject('qn-1'), 60_000);
    const inFlight = qn('search', {
      vchannel, pchannel: pchannelOf(vchannel), collectionId, segmentIds: mine.map((g) => g.segmentId), deleteSeq: 1,
      queries: flat.subarray(0, DIM), nq: 1, k: K, filter: null, partitionIds: null, outputFields: [], guaranteeTso: 1n << 62n, // every row visible
    });
    await new Promise((r) => setTimeout(r, 100));
    await c.releaseCollection('rel');
    await c.delete('rel', { ids: [-1] });
    const { hits } = await inFlight;
    // Row 0's own vector: the answer is its exact top k (row 0 first), found through the released index.
    const [want] = searchBruteForce({ vectors: flat, dim: DIM, count: N, metric: 'L2', queries: [flat.subarray(0, DIM)], k: K });
    assert.is(hits[0]![0]!.pk, 0);
    assert.ok(recallAtK([hits[0]!.map((h) => h.pk as number)], [want!.map((h) => h.row)], K) >= 0.8);
    assert.equal(diskFiles(s.dataDir), [], 'every file removed once released and the search ended');

    // Loaded again: files again, and gone again on release.
    await c.loadCollection('rel');
    await untilIndexesServed(s, 'rel');
    assert.ok(diskFiles(s.dataDir).length >= 1);
    await c.releaseCollection('rel');
    assert.equal(diskFiles(s.dataDir), []);
  } finally { await s.cleanup(); }
});

for (const [type, round] of [['Float16Vector', (x: number) => fromFloat16Bits(toFloat16Bits(x))], ['BFloat16Vector', (x: number) => fromBFloat16Bits(toBFloat16Bits(x))]] as const) {
  for (const metric of ['L2', 'COSINE'] as const) {
    test(`DISKANN on a ${type} field (${metric}): recall against brute force over the stored halves`, async () => {
      const s = await tempStandalone(segmentOpts);
      try {
        const c = s.client;
        const fields: CollectionSchema = { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'h', dataType: type, dim: DIM }] };
        await c.createCollection({ collectionName: 'half', schema: fields, metricType: metric, shardsNum: 1, indexParams: [{ indexName: 'h', fieldName: 'h', indexType: 'DISKANN', metricType: metric, params: {} }], load: true });
        await c.insert('half', vs.map((h, id) => ({ id, h })));
        await c.flush('half');
        await untilIndexedAndLoaded(s, 'half', N);
        await untilIndexesServed(s, 'half');
        assert.is((await c.describeIndex('half'))[0]!.indexType, 'DISKANN');
        assert.ok(diskFiles(s.dataDir).length >= 1, 'a local DISKANN file');
        const stored = flat.map(round);
        const got = ids(await c.search('half', { data: queries, annsField: 'h', limit: K, consistencyLevel: 'Strong', searchParams: { params: { search_list: 64 } } }));
        const recall = recallAtK(got, truthOf(stored, metric), K);
        assert.ok(recall >= 0.95, `recall ${recall} of ${type} ${metric}`);
      } finally { await s.cleanup(); }
    });
  }
}

test('partition key isolation with DISKANN: keyed files, a local file per tenant sub-index, tenant searches near the exact answer', async () => {
  const s = await tempStandalone(segmentOpts);
  try {
    const c = s.client, TENANTS = 30;
    const tenantOf = (id: number) => `t${id % TENANTS}`;
    const keyed: CollectionSchema = { fields: [...schema.fields, { name: 'tenant', dataType: 'VarChar', maxLength: 8, isPartitionKey: true }] };
    await c.createCollection({
      collectionName: 'mt', schema: keyed, metricType: 'L2', shardsNum: 1, properties: { 'partitionkey.isolation': true },
      indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'DISKANN', params: { max_degree: 16 } }], load: true,
    });
    await c.insert('mt', vs.map((vec, id) => ({ id, vec, tenant: tenantOf(id) })));
    await c.flush('mt');
    await untilIndexedAndLoaded(s, 'mt', N);
    await untilIndexesServed(s, 'mt');
    const { collectionId } = await c.describeCollection('mt');
    const segs = await client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT)('segments', { collectionId });
    const objects = new LocalObjectStore(join(s.dataDir, 'objects'));
    for (const seg of segs) assert.is(new TextDecoder().decode((await objects.get(seg.indexKeys.vec!))!.subarray(0, 4)), 'NHKI', 'a keyed index file');
    // Each tenant's rows go to one partition's segment: one sub-index, one local file, per tenant.
    assert.is(diskFiles(s.dataDir).length, TENANTS);

    const isolatedReads = () => Number(s.metrics.render().split('\n').find((l) => l.startsWith('nuthatch_query_node_isolated_reads_total{'))?.split(' ').at(-1) ?? 0);
    const before = isolatedReads();
    let found = 0;
    for (let t = 0; t < TENANTS; t++) {
      const tenant = `t${t}`, q = queries[t % queries.length]!;
      const [hits] = await c.search('mt', { data: [q], limit: K, filter: `tenant == "${tenant}"`, outputFields: ['tenant'], consistencyLevel: 'Strong' });
      assert.ok(hits!.length === K && hits!.every((h) => h.fields.tenant === tenant), `only ${tenant}'s rows`);
      const [want] = searchBruteForce({ vectors: flat, dim: DIM, count: N, metric: 'L2', queries: [Float32Array.from(q)], k: K, accept: (r) => tenantOf(r) === tenant });
      const exact = new Set(want!.map((h) => h.row));
      found += hits!.filter((h) => exact.has(h.id as number)).length;
    }
    assert.ok(found / (TENANTS * K) >= 0.9, `recall ${found / (TENANTS * K)}`);
    assert.ok(isolatedReads() - before >= TENANTS, `reads through a tenant's sub-index: ${isolatedReads() - before}`);
    await c.releaseCollection('mt');
    assert.equal(diskFiles(s.dataDir), [], 'every sub-index file removed on release');
  } finally { await s.cleanup(); }
});

test.run();
