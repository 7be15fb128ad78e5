import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from '../support/rejects.js';
import { searchSealed, type SealedRead } from '../../actors/query-node/core/sealedSearch.js';
import type { SealedSegment } from '../../actors/shared/segment/segmentFile.js';
import { ValidationError } from '../../messages/errors.js';
import type { MetricType } from '../../messages/schema.js';
import { mulberry32 } from '../../bench/support/dataset.js';
import { widenedBlock, widenedQuery } from '../../bench/support/widenedSearch.js';
import { binIvfFlatFactory, ivfFlatFactory } from '../../runtime/vectorIndex/ivf/ivfFactory.js';
import type { IvfIndex } from '../../runtime/vectorIndex/ivf/ivfIndex.js';
import type { VectorIndex } from '../../runtime/vectorIndex/vectorIndex.js';

/**
 * BIN_IVF_FLAT keeps a binary field's bits packed (dim/8 bytes a row) and
 * scans them by popcount; it finds what the same index over widened floats
 * (IVF_FLAT, what BIN_IVF_FLAT was before) found: the same lists, rows,
 * order and distances, for any nprobe, filter or metric. Its files round
 * trip, and a file of the float kind loads as packed bits.
 */
const N = 600, NLIST = 8;
const METRICS: MetricType[] = ['HAMMING', 'JACCARD'];

function bits(dim: number, seed: number): Uint8Array[] {
  const r = mulberry32(seed), centers = Array.from({ length: 5 }, () => Uint8Array.from({ length: dim / 8 }, () => Math.floor(r() * 256)));
  // Rows near five centres (a few bits flipped): lists worth probing.
  return Array.from({ length: N }, (_, i) => Uint8Array.from(centers[i % 5]!, (b) => b ^ (r() < 0.3 ? 1 << Math.floor(r() * 8) : 0)));
}

async function same(a: VectorIndex, b: VectorIndex, queries: Float32Array[], what: string): Promise<void> {
  for (const nprobe of [1, 3, NLIST]) {
    for (const q of queries) {
      for (const accept of [undefined, (row: number) => row % 3 !== 0]) {
        const want = b.search(q, 20, { nprobe, ...(accept ? { accept } : {}) });
        assert.ok(want.length > 0, `${what}: the reference finds rows`);
        assert.equal(a.search(q, 20, { nprobe, ...(accept ? { accept } : {}) }), want, `${what} nprobe ${nprobe}${accept ? ' filtered' : ''}`);
      }
    }
  }
}

test('packed BIN_IVF_FLAT finds what the widened IVF did, in a 32nd of the bytes; its file round trips', async () => {
  for (const dim of [24, 64, 136]) {
    const rows = bits(dim, dim), widened = widenedBlock(rows, N, dim, 'BinaryVector');
    const queries = [rows[7]!, rows[300]!, new Uint8Array(dim / 8)].map((q) => widenedQuery('BinaryVector', dim, q));
    for (const metric of METRICS) {
      const packed = await binIvfFlatFactory.build(widened, dim, metric, { nlist: NLIST }) as IvfIndex;
      const floats = await ivfFlatFactory.build(widened, dim, metric, { nlist: NLIST });
      const what = `${metric} dim ${dim}`;
      assert.is(packed.store.kind, 'BIN_IVF_FLAT');
      assert.is(packed.store.kind === 'BIN_IVF_FLAT' ? packed.store.bits.byteLength : -1, N * dim / 8, `${what}: dim/8 bytes a row`);
      await same(packed, floats, queries, what);
      await same(await binIvfFlatFactory.load(await packed.serialize(), dim, metric), floats, queries, `${what} reloaded`);
      const legacy = await binIvfFlatFactory.load(await floats.serialize(), dim, metric) as IvfIndex;
      assert.is(legacy.store.kind, 'BIN_IVF_FLAT', `${what}: a float file loads as bits`);
      await same(legacy, floats, queries, `${what} from a float file`);
    }
  }
});

test('a ring search of a binary field through the sealed read path: by the index and by a scan, rows refused on their own packed distance', async () => {
  // Even rows are the query's bits (distance 0), odd rows three bits off it (3), the last 40 far.
  const dim = 64, n = 200, r = mulberry32(3), q = Uint8Array.from({ length: dim / 8 }, () => Math.floor(r() * 256));
  const rows = Array.from({ length: n }, (_, i) => (i >= n - 40 ? q.map((b) => b ^ 0xff) : i % 2 === 0 ? q.slice() : q.map((b, j) => (j === i % 8 ? b ^ 0b1011 : b))));
  const seg: SealedSegment = {
    segmentId: 1, collectionId: 1, partitionId: 0, vchannel: 'v', count: n, dim: 0,
    pks: Array.from({ length: n }, (_, i) => i), tsos: new Array<bigint>(n).fill(1n), vectors: new Float32Array(0), fields: { b: rows },
  };
  const read: SealedRead = { pkName: 'id', vectorName: '', filter: null, partitionIds: null, readTso: 10n, outputFields: [], deletes: new Map(), anns: { field: 'b', dim, packed: 'BinaryVector' } };
  const ix = await binIvfFlatFactory.build(widenedBlock(rows, n, dim, 'BinaryVector'), dim, 'HAMMING', { nlist: 2 });
  const search = (query: Float32Array, k: number, accept: ((row: number) => boolean) | undefined) => ix.search(query, k, accept ? { nprobe: 2, accept } : { nprobe: 2 });
  const odd = Array.from({ length: (n - 40) / 2 }, (_, i) => [2 * i + 1, 3]);
  const qf = widenedQuery('BinaryVector', dim, q), shape = { k: 200, metric: 'HAMMING' as const, range: { radius: 5, rangeFilter: 1 } };
  for (const index of [search, null]) {
    const [hits] = searchSealed([{ seg, index }], read, [qf], shape);
    assert.equal(hits!.map((h) => [h.pk, h.distance]), odd, `${index ? 'by the index' : 'by a scan'}: the rows three bits off, in key order`);
  }
});

test('a binary index needs a dim that is a multiple of 8, and a binary metric', async () => {
  await rejects(binIvfFlatFactory.build(new Float32Array(12 * 50), 12, 'HAMMING', { nlist: 1 }), (e) => e instanceof ValidationError);
  const ix = await binIvfFlatFactory.build(new Float32Array(16 * 50), 16, 'HAMMING', { nlist: 1 });
  assert.is(ix.search(new Float32Array(16), 3).length, 3);
  const l2 = await binIvfFlatFactory.build(new Float32Array(16 * 50), 16, 'L2', { nlist: 1 });
  assert.throws(() => l2.search(new Float32Array(16), 3), (e: unknown) => e instanceof ValidationError);
});

test.run();
