import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { searchSealed, type SealedRead } from '../../actors/query-node/core/sealedSearch.js';
import type { SealedSegment } from '../../actors/shared/segment/segmentFile.js';
import { searchBruteForce } from '../../actors/shared/vector/bruteForce.js';
import { compileFilter, type CompiledFilter } from '../../messages/filter/evaluate.js';
import { parseFilter } from '../../messages/filter/index.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { gaussianMixture } from '../../bench/support/dataset.js';
import { vectorIndexes } from '../../runtime/vectorIndex/vectorIndexes.js';
import { keyGroups } from '../../actors/index-node/shell/vectorIndexFile.js';
import type { VectorIndex } from '../../runtime/vectorIndex/vectorIndex.js';

/**
 * Partition key isolation's index, pure: one sub-index per key value a
 * segment holds (runtime/vectorIndex/keyedIndex.ts). A search naming a
 * value walks that value's rows alone, survives a file round trip, and a
 * sealed search pinned to one tenant never asks about another tenant's rows.
 */
const DIM = 8, N = 3000, K = 10, TENANTS = 30;
const ds = gaussianMixture({ n: N, dim: DIM, clusters: 10, queries: 10, seed: 3 });
const tenantOf = (row: number): string => `t${(row * 7) % TENANTS}`;
const schema: CollectionSchema = { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: DIM }, { name: 'tenant', dataType: 'VarChar', maxLength: 8, isPartitionKey: true }] };
const seg: SealedSegment = {
  segmentId: 1, collectionId: 1, partitionId: 0, vchannel: 'v', count: N, dim: DIM,
  pks: Array.from({ length: N }, (_, i) => i), tsos: new Array<bigint>(N).fill(1n), vectors: ds.vectors,
  fields: { tenant: Array.from({ length: N }, (_, i) => tenantOf(i)) },
};
const build = (): Promise<VectorIndex> => vectorIndexes.HNSW!.build(ds.vectors, DIM, 'L2', { seed: 1, groups: keyGroups(seg.fields.tenant, N) });
const exact = (q: Float32Array, tenant: string) => searchBruteForce({ vectors: ds.vectors, dim: DIM, count: N, metric: 'L2', queries: [q], k: K, accept: (r) => tenantOf(r) === tenant })[0]!.map((h) => h.row);

test('keyGroups: rows by key value, ascending, a null key in no group, only the given rows', () => {
  assert.equal(keyGroups(['a', 'b', 'a', null, 'b'], 5).map((g) => [g.key, [...g.rows]]), [['a', [0, 2]], ['b', [1, 4]]]);
  assert.equal(keyGroups([7, 8, 7], Int32Array.from([1, 2])).map((g) => [g.key, [...g.rows]]), [[8, [1]], [7, [2]]]);
});

test('a search naming a key value returns only its rows, near the exact top-k; the file round trip keeps the sub-indexes', async () => {
  const built = await build();
  const loaded = await vectorIndexes.HNSW!.load(await built.serialize(), DIM, 'L2');
  assert.is(loaded.count, N);
  for (const index of [built, loaded]) {
    assert.equal([...index.keyRows!('t4')!], Array.from({ length: N }, (_, i) => i).filter((r) => tenantOf(r) === 't4'));
    assert.is(index.keyRows!('nobody'), null);
    assert.equal(index.search(ds.queries[0]!, K, { partitionKey: 'nobody' }), []);
    let found = 0;
    for (const [qi, q] of ds.queries.entries()) {
      const tenant = `t${qi}`;
      const got = index.search(q, K, { partitionKey: tenant, ef: 64 }).map((h) => h.row);
      assert.ok(got.every((r) => tenantOf(r) === tenant), 'only the named tenant\'s rows');
      const want = new Set(exact(q, tenant));
      found += got.filter((r) => want.has(r)).length;
    }
    assert.ok(found / (K * ds.queries.length) >= 0.9, `recall@10 ${found / (K * ds.queries.length)}`);
  }
  assert.equal(loaded.search(ds.queries[1]!, K, { partitionKey: 't1' }), built.search(ds.queries[1]!, K, { partitionKey: 't1' }));
});

test('without a key value, every sub-index is searched and merged in distance order', async () => {
  const index = await build();
  const hits = index.search(ds.queries[0]!, K, { ef: 64 });
  assert.is(hits.length, K);
  for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1]!.distance <= hits[i]!.distance);
});

test('a sealed search pinned to one tenant asks only about that tenant\'s rows, and finds the exact answer\'s rows', async () => {
  const index = await build();
  const tenant = 't5';
  const asked = new Set<number>();
  const inner = compileFilter(parseFilter(`tenant == "${tenant}"`), schema);
  // The filter as the query node binds it, noting every row a search asks about.
  const counting: CompiledFilter = { expr: inner.expr, fields: inner.fields, bind: (cols) => { const p = inner.bind(cols); return (row) => { asked.add(row); return p(row); }; } };
  const read: SealedRead = { pkName: 'id', vectorName: 'v', filter: counting, partitionIds: null, readTso: 10n, outputFields: [], deletes: new Map() };
  const walk = (q: Float32Array, k: number, accept: ((row: number) => boolean) | undefined) => index.search(q, k, { ef: 64, partitionKey: tenant, ...(accept ? { accept } : {}) });
  const [got] = searchSealed([{ seg, index: walk, scope: index.keyRows!(tenant) }], read, [ds.queries[2]!], { k: K, metric: 'L2' });
  assert.ok([...asked].every((r) => tenantOf(r) === tenant), 'no other tenant\'s row was looked at');
  assert.ok(asked.size > 0);
  const want = new Set(exact(ds.queries[2]!, tenant));
  assert.ok(got!.filter((h) => want.has(h.pk as number)).length >= 9);
  // Without the scope (a shared index), the same filter asks about rows of every tenant.
  asked.clear();
  searchSealed([{ seg, index: walk }], read, [ds.queries[2]!], { k: K, metric: 'L2' });
  assert.ok([...asked].some((r) => tenantOf(r) !== tenant));
  // A key value the segment holds no row of: the segment is skipped.
  assert.equal(searchSealed([{ seg, index: walk, scope: null }], read, [ds.queries[2]!], { k: K, metric: 'L2' }), [[]]);
});

test.run();
