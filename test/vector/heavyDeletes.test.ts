import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { searchSealed, type SealedRead } from '../../actors/query-node/core/sealedSearch.js';
import { indexOf } from '../../actors/shared/segment/deleteIndex.js';
import type { SealedSegment } from '../../actors/shared/segment/segmentFile.js';
import { searchBruteForce } from '../../actors/shared/vector/bruteForce.js';
import { compileFilter } from '../../messages/filter/evaluate.js';
import { parseFilter } from '../../messages/filter/index.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { gaussianMixture } from '../../bench/support/dataset.js';
import { hnswIndexFactory } from '../../runtime/vectorIndex/hnswIndex.js';

/**
 * A search of an indexed segment most of whose rows are deleted (by key,
 * not yet compacted away) still answers k hits whenever k live rows pass, as
 * Milvus does, and they are the nearest live rows (recall against brute force
 * over the live rows).
 */
const DIM = 16, N = 4000;
const ds = gaussianMixture({ n: N, dim: DIM, clusters: 20, queries: 20, seed: 17 });
const schema: CollectionSchema = { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: DIM }, { name: 'tag', dataType: 'Int64' }] };
const seg: SealedSegment = {
  segmentId: 1, collectionId: 1, partitionId: 0, vchannel: 'v', count: N, dim: DIM,
  pks: Array.from({ length: N }, (_, i) => i), tsos: new Array<bigint>(N).fill(1n), vectors: ds.vectors,
  fields: { tag: Array.from({ length: N }, (_, i) => i % 3) },
};
/** Deletes every row but one in `keepEvery`, at TSO 5 (after the inserts, before the read). */
const deletesKeeping = (keepEvery: number) => indexOf(Array.from({ length: N }, (_, pk) => pk).filter((pk) => pk % keepEvery !== 0).map((pk) => ({ pk, tso: 5n })));
const readOf = (keepEvery: number, filter: string | null): SealedRead => ({
  pkName: 'id', vectorName: 'v', filter: filter === null ? null : compileFilter(parseFilter(filter), schema),
  partitionIds: null, readTso: 10n, outputFields: [], deletes: deletesKeeping(keepEvery),
});

const cases: Array<{ keepEvery: number; filter: string | null; live: (row: number) => boolean }> = [
  { keepEvery: 2, filter: null, live: (r) => r % 2 === 0 },
  { keepEvery: 10, filter: null, live: (r) => r % 10 === 0 },
  { keepEvery: 10, filter: 'tag != 1', live: (r) => r % 10 === 0 && r % 3 !== 1 },
];

for (const { keepEvery, filter, live } of cases) {
  test(`${100 - 100 / keepEvery}% deleted${filter ? `, ${filter}` : ''}: k hits, the nearest live rows`, async () => {
    const index = await hnswIndexFactory.build(ds.vectors, DIM, 'L2', { M: 8, efConstruction: 64, seed: 3 });
    const search = (q: Float32Array, k: number, accept: ((row: number) => boolean) | undefined) => index.search(q, k, accept ? { ef: 64, accept } : { ef: 64 });
    const read = readOf(keepEvery, filter);
    for (const k of [10, 100]) {
      let found = 0, total = 0;
      for (const q of ds.queries) {
        const [got] = searchSealed([{ seg, index: search, filtersLazily: true }], read, [q], { k, metric: 'L2' });
        assert.is(got!.length, k, `k=${k}: ${got!.length} hits`);
        assert.ok(got!.every((h) => live(Number(h.pk))), 'only live rows');
        const [want] = searchBruteForce({ vectors: ds.vectors, dim: DIM, count: N, metric: 'L2', queries: [q], k, accept: live });
        const truth = new Set(want!.map((h) => h.row));
        found += got!.filter((h) => truth.has(Number(h.pk))).length;
        total += k;
      }
      assert.ok(found / total >= 0.9, `k=${k}: recall ${(found / total).toFixed(3)} against brute force`);
    }
  });
}

test.run();
