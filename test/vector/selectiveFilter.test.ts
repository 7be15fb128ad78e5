import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fewPassing, searchSealed, type SealedRead } from '../../actors/query-node/core/sealedSearch.js';
import type { SealedSegment } from '../../actors/shared/segment/segmentFile.js';
import { searchBruteForce, searchRows } from '../../actors/shared/vector/bruteForce.js';
import { compileFilter } from '../../messages/filter/evaluate.js';
import { parseFilter } from '../../messages/filter/index.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { gaussianMixture } from '../../bench/support/dataset.js';
import { hnswIndexFactory } from '../../runtime/vectorIndex/hnswIndex.js';

/**
 * A tight filter is answered by scanning the few rows it passes instead of
 * walking the index past the many it refuses: exact, where a filtered walk
 * may come back short.
 */
const DIM = 16, N = 4000, K = 10;
const ds = gaussianMixture({ n: N, dim: DIM, clusters: 20, queries: 20, seed: 11 });
const schema: CollectionSchema = { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: DIM }, { name: 'doc', dataType: 'Int64' }] };
const seg: SealedSegment = {
  segmentId: 1, collectionId: 1, partitionId: 0, vchannel: 'v', count: N, dim: DIM,
  pks: Array.from({ length: N }, (_, i) => i), tsos: new Array<bigint>(N).fill(1n), vectors: ds.vectors,
  fields: { doc: Array.from({ length: N }, (_, i) => i % 400) },
};
const readWith = (filter: string): SealedRead => ({ pkName: 'id', vectorName: 'v', filter: compileFilter(parseFilter(filter), schema), partitionIds: null, readTso: 10n, outputFields: [], deletes: new Map() });

test('fewPassing: the passing rows when under 5% pass (judged on a sample), else nothing', () => {
  assert.equal(Array.from(fewPassing(N, (r) => r % 400 === 7)!), Array.from({ length: 10 }, (_, i) => 7 + 400 * i));
  assert.is(fewPassing(N, (r) => r % 2 === 0), undefined);
  assert.is(fewPassing(N, (r) => r % 10 === 0), undefined, '10% pass');
  assert.equal(Array.from(fewPassing(100, (r) => r < 60)!).length, 60, 'a small segment is always scanned');
});

test('searchRows: the exact top-k of the given rows only', () => {
  const rows = Int32Array.from({ length: 200 }, (_, i) => i * 20);
  const [want] = searchBruteForce({ vectors: ds.vectors, dim: DIM, count: N, metric: 'L2', queries: [ds.queries[0]!], k: K, accept: (r) => r % 20 === 0 });
  assert.equal(searchRows({ vectors: ds.vectors, dim: DIM, metric: 'L2', rows, query: ds.queries[0]!, k: K }), want);
});

test('an indexed segment under a tight filter answers exactly (the filtered walk is not used)', async () => {
  const index = await hnswIndexFactory.build(ds.vectors, DIM, 'L2', { seed: 5 });
  const read = readWith('doc in [3, 250]'); // 20 of 4000 rows
  // A walk with a tiny ef would come back short or wrong; the scan ignores it.
  const walk = (q: Float32Array, k: number, accept: ((row: number) => boolean) | undefined) => index.search(q, k, accept ? { ef: k, accept } : { ef: k });
  for (const q of ds.queries) {
    const [got] = searchSealed([{ seg, index: walk }], read, [q], { k: K, metric: 'L2' });
    const [want] = searchBruteForce({ vectors: ds.vectors, dim: DIM, count: N, metric: 'L2', queries: [q], k: K, accept: (r) => r % 400 === 3 || r % 400 === 250 });
    assert.equal(got!.map((h) => h.pk), want!.map((h) => h.row));
  }
});

test.run();
