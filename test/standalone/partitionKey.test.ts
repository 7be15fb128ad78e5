import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { NuthatchError } from '../../messages/errors.js';
import { decodeValue } from '../../messages/valueCodec.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { keyPartitionIndex } from '../../actors/shared/partitionKey/keyHash.js';
import type { Hit } from '../../runtime/client/api.js';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import { client } from '../../runtime/rpc/typedBus.js';
import { tempStandalone, untilIndexedAndLoaded, vectors } from './harness.js';

/**
 * The partition key end to end: a collection whose rows are spread over
 * `_default_0.._default_7` by tenant; each row lands in the partition its
 * tenant hashes to; a search or query that pins tenants reads only their
 * partitions and answers exactly as the same filter unpinned; partition names
 * and manual partition DDL are refused; all of it survives a restart.
 */
const DIM = 8, PARTS = 8;
const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark'];
const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'vec', dataType: 'FloatVector', dim: DIM },
    { name: 'tenant', dataType: 'VarChar', maxLength: 32, isPartitionKey: true },
    { name: 'n', dataType: 'Int64' },
  ],
};
const vs = vectors(600, DIM, 11);
/** 100 rows per tenant; ids from `from`. */
const rows = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ id: from + i, vec: vs[(from + i) % vs.length]!, tenant: TENANTS[(from + i) % TENANTS.length]!, n: from + i }));
const code = async (f: () => Promise<unknown>) => { try { await f(); return 'ok'; } catch (e) { return (e as NuthatchError).code; } };
const strong = 'Strong' as const;
const hitsOf = (hits: Hit[][]) => hits.map((list) => list.map((h) => [h.id, h.distance, h.fields.tenant]));
const sortedIds = (rs: Array<Record<string, unknown>>) => rs.map((r) => r.id as number).sort((a, b) => a - b);

test('rows route by tenant, pinned reads prune and agree with unpinned ones, refusals, restart', async () => {
  const s0 = await tempStandalone({ streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } });
  let s = s0;
  try {
    await s.client.createCollection({
      collectionName: 'docs', schema, metricType: 'L2', shardsNum: 2, numPartitions: PARTS,
      indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'HNSW', params: { M: 16, efConstruction: 100 } }], load: true,
    });
    const d = await s.client.describeCollection('docs');
    assert.equal(d.partitions.map((p) => p.name), Array.from({ length: PARTS }, (_, i) => `_default_${i}`));
    assert.is(d.numPartitions, PARTS);
    assert.is(d.schema.fields.find((f) => f.name === 'tenant')?.isPartitionKey, true);

    // 600 rows: 400 sealed and indexed, 200 still growing.
    await s.client.insert('docs', rows(0, 400));
    await s.client.flush('docs');
    await untilIndexedAndLoaded(s, 'docs', 400);
    await s.client.insert('docs', rows(400, 200));

    // Each row is in _default_<hash(tenant) % 8>; several partitions are used.
    const expected = new Array<number>(PARTS).fill(0);
    for (const r of rows(0, 600)) expected[keyPartitionIndex(r.tenant, PARTS)]!++;
    const stats = async () => Promise.all(d.partitions.map(async (p) => (await s.client.getPartitionStats('docs', p.name)).rowCount));
    assert.equal(await stats(), expected);
    assert.ok(expected.filter((n) => n > 0).length >= 3, `tenants spread over partitions: ${expected}`);

    // Every read request the delegators receive (which partitions it asks for), and the sealed segments they ask query nodes for.
    const reads: Array<{ op: string; partitionIds: number[] | null }> = [];
    const segmentsAsked: number[] = [];
    const spy = s.bus.subscribe('nuthatch.sn.*.read', (data) => { reads.push(decodeValue(data) as { op: string; partitionIds: number[] | null }); });
    const qnSpy = s.bus.subscribe('nuthatch.qn.*', (data) => { segmentsAsked.push(...((decodeValue(data) as { segmentIds?: number[] }).segmentIds ?? [])); });
    const partitionsAsked = async <T>(f: () => Promise<T>): Promise<[T, Array<number[] | null>]> => {
      reads.length = 0;
      segmentsAsked.length = 0;
      const out = await f();
      return [out, reads.map((r) => r.partitionIds)];
    };
    const segmentPartition = new Map((await client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT)('segments', { collectionId: d.collectionId })).map((x) => [x.segmentId, x.partitionId]));
    const partitionsOfAskedSegments = () => [...new Set(segmentsAsked.map((id) => segmentPartition.get(id)))];

    const acmeHome = d.partitions[keyPartitionIndex('acme', PARTS)]!.id;
    const q = vs[3]!;
    const [pinned, asked] = await partitionsAsked(() => s.client.search('docs', { data: [q], limit: 10, filter: 'tenant == "acme"', outputFields: ['tenant'], consistencyLevel: strong }));
    assert.ok(asked.length >= 2 && asked.every((ids) => JSON.stringify(ids) === JSON.stringify([acmeHome])), `each shard asked for acme's partition only: ${JSON.stringify(asked)}`);
    assert.equal(partitionsOfAskedSegments(), [acmeHome], 'query nodes are asked for the sealed segments of acme\'s partition only');
    assert.is(pinned[0]!.length, 10);
    assert.ok(pinned[0]!.every((h) => h.fields.tenant === 'acme'));
    const [unpinned, askedAll] = await partitionsAsked(() => s.client.search('docs', { data: [q], limit: 10, filter: 'not (tenant != "acme")', outputFields: ['tenant'], consistencyLevel: strong }));
    assert.ok(askedAll.every((ids) => ids === null), 'a filter that does not pin the key reads every partition');
    assert.is(partitionsOfAskedSegments().length, expected.filter((n) => n > 0).length, 'and asks for the sealed segments of every partition');
    assert.equal(hitsOf(pinned), hitsOf(unpinned), 'pruning changes no answer');

    // Several tenants, a conjunction with another field, a query and a count.
    const two = 'tenant in ["globex", "hooli"] and n >= 100';
    const [both] = await partitionsAsked(() => s.client.query('docs', { filter: two, outputFields: ['tenant', 'n'], consistencyLevel: strong }));
    const bothUnpinned = await s.client.query('docs', { filter: '(tenant == "globex" or tenant like "hooli") and n >= 100', outputFields: ['tenant', 'n'], consistencyLevel: strong });
    assert.equal(sortedIds(both), sortedIds(bothUnpinned));
    assert.equal(sortedIds(both), rows(0, 600).filter((r) => (r.tenant === 'globex' || r.tenant === 'hooli') && r.n >= 100).map((r) => r.id));
    assert.equal(await s.client.query('docs', { filter: 'tenant == "stark"', outputFields: ['count(*)'], consistencyLevel: strong }), [{ 'count(*)': 100 }]);
    assert.equal(await s.client.query('docs', { filter: 'tenant == "nobody"', outputFields: ['count(*)'], consistencyLevel: strong }), [{ 'count(*)': 0 }]);
    const [twoHits] = await partitionsAsked(() => s.client.search('docs', { data: [q, vs[7]!], limit: 7, filter: two, outputFields: ['tenant'], consistencyLevel: strong }));
    const twoHitsUnpinned = await s.client.search('docs', { data: [q, vs[7]!], limit: 7, filter: '(tenant == "globex" or tenant like "hooli") and n >= 100', outputFields: ['tenant'], consistencyLevel: strong });
    assert.equal(hitsOf(twoHits), hitsOf(twoHitsUnpinned));
    spy.unsubscribe();
    qnSpy.unsubscribe();

    // Upsert moves a row to another tenant's partition; delete by a pinned filter.
    await s.client.upsert('docs', [{ id: 0, vec: vs[0]!, tenant: 'globex', n: 0 }]);
    assert.equal(await s.client.query('docs', { filter: 'id == 0', outputFields: ['tenant'], consistencyLevel: strong }), [{ id: 0, tenant: 'globex' }]);
    const removed = await s.client.delete('docs', { filter: 'tenant == "umbrella" and n < 300' });
    assert.is(removed.count, 50);
    assert.equal(await s.client.query('docs', { filter: 'tenant == "umbrella"', outputFields: ['count(*)'], consistencyLevel: strong }), [{ 'count(*)': 50 }]);
    expected[keyPartitionIndex('acme', PARTS)]!--;
    expected[keyPartitionIndex('globex', PARTS)]!++;
    expected[keyPartitionIndex('umbrella', PARTS)]! -= 50;
    assert.equal(await stats(), expected);

    // Refusals, each a typed InvalidArgument, as Milvus refuses them.
    assert.is(await code(() => s.client.insert('docs', rows(1000, 1), '_default_0')), 'InvalidArgument');
    assert.is(await code(() => s.client.upsert('docs', rows(1000, 1), '_default_0')), 'InvalidArgument');
    assert.is(await code(() => s.client.search('docs', { data: [q], limit: 3, partitionNames: ['_default_1'] })), 'InvalidArgument');
    assert.is(await code(() => s.client.query('docs', { filter: 'n > 1', partitionNames: ['_default_1'] })), 'InvalidArgument');
    assert.is(await code(() => s.client.delete('docs', { filter: 'n > 1', partitionName: '_default_1' })), 'InvalidArgument');
    assert.is(await code(() => s.client.createPartition('docs', 'extra')), 'InvalidArgument');
    assert.is(await code(() => s.client.dropPartition('docs', '_default_3')), 'InvalidArgument');
    assert.is(await code(() => s.client.loadPartitions('docs', ['_default_3'])), 'InvalidArgument');
    assert.is(await code(() => s.client.releasePartitions('docs', ['_default_3'])), 'InvalidArgument');
    assert.is(await code(() => s.client.insert('docs', [{ id: 1001, vec: vs[0]!, n: 1 }])), 'InvalidArgument', 'a row without its partition key');
    const create = (fields: CollectionSchema['fields'], numPartitions?: number) => code(() => s.client.createCollection({ collectionName: 'bad', schema: { fields }, metricType: 'L2', ...(numPartitions === undefined ? {} : { numPartitions }) }));
    const [id, vec] = schema.fields as [CollectionSchema['fields'][0], CollectionSchema['fields'][0]];
    assert.is(await create([id, vec, { name: 'a', dataType: 'Int64', isPartitionKey: true }, { name: 'b', dataType: 'VarChar', maxLength: 4, isPartitionKey: true }]), 'InvalidArgument');
    assert.is(await create([id, vec, { name: 'a', dataType: 'Bool', isPartitionKey: true }]), 'InvalidArgument');
    assert.is(await create([id, vec, { name: 'a', dataType: 'Int64', nullable: true, isPartitionKey: true }]), 'InvalidArgument');
    assert.is(await create([{ ...id, isPartitionKey: true }, vec]), 'InvalidArgument');
    assert.is(await create([id, vec, { name: 'a', dataType: 'Int64', isPartitionKey: true }], 0), 'InvalidArgument');
    assert.is(await create([id, vec, { name: 'a', dataType: 'Int64', isPartitionKey: true }], 1025), 'InvalidArgument');
    assert.is(await create([id, vec], 4), 'InvalidArgument', 'numPartitions without a partition key');
    assert.equal(await s.client.listCollections(), ['docs']);
    assert.is((await s.client.describeCollection('docs')).partitions.length, PARTS, 'no partition was added or dropped');

    // A restart keeps the partitions, the routing and the pruned answers.
    const before = await s.client.search('docs', { data: [q], limit: 10, filter: 'tenant == "acme"', outputFields: ['tenant'], consistencyLevel: strong });
    await s.stop();
    s = await tempStandalone({ dataDir: s0.dataDir });
    assert.equal((await s.client.describeCollection('docs')).partitions, d.partitions);
    assert.equal(await stats(), expected);
    const after = await s.client.search('docs', { data: [q], limit: 10, filter: 'tenant == "acme"', outputFields: ['tenant'], consistencyLevel: strong });
    assert.equal(hitsOf(after), hitsOf(before));
    await s.client.insert('docs', [{ id: 5000, vec: vs[1]!, tenant: 'acme', n: 5000 }]);
    assert.is((await s.client.getPartitionStats('docs', d.partitions[keyPartitionIndex('acme', PARTS)]!.name)).rowCount, expected[keyPartitionIndex('acme', PARTS)]! + 1);
  } finally {
    await s.stop().catch(() => {});
    await s0.cleanup();
  }
});

test.run();
