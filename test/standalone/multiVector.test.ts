import { refused } from '../support/rejects.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { distanceFn } from '../../actors/shared/vector/distance.js';
import type { MetricType } from '../../messages/schema.js';
import { fuse } from '../../runtime/client/hybridRank.js';
import type { AnnSearch } from '../../runtime/client/api.js';
import { tempStandalone, untilIndexedAndLoaded, vectors } from './harness.js';

/**
 * Several vector fields in one collection, and hybrid search over them. `text`
 * (the first vector field, COSINE, HNSW) and `image` (a second one, L2 by its
 * own IVF_FLAT index) are inserted together, sealed and growing over two
 * shards. A search of `image` ranks by its own vectors and metric, exactly
 * when every list is probed; a hybrid search fuses a search of each field at
 * one TSO; both survive a restart that replays the log and reloads the files.
 */
const TEXT = 8, IMAGE = 4, N = 400, GROWING = 60, NLIST = 4;
const text = vectors(N + GROWING, TEXT, 3), image = vectors(N + GROWING, IMAGE, 4);
const row = (i: number) => ({ id: i, tag: i % 3, text: text[i]!, image: image[i]! });
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'tag', dataType: 'Int64' as const },
    { name: 'text', dataType: 'FloatVector' as const, dim: TEXT },
    { name: 'image', dataType: 'FloatVector' as const, dim: IMAGE },
  ],
};
const indexParams: Array<{ indexName: string; fieldName: string; indexType: string; metricType?: MetricType; params: Record<string, number> }> = [
  { indexName: 'text_idx', fieldName: 'text', indexType: 'HNSW', params: { M: 16, efConstruction: 200 } },
  { indexName: 'image_idx', fieldName: 'image', indexType: 'IVF_FLAT', metricType: 'L2', params: { nlist: NLIST } },
];
const segmentOpts = { streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } };

function exact(metric: MetricType, all: number[][], dim: number, q: number[], k: number, keep: (id: number) => boolean) {
  const dist = distanceFn(metric), flat = new Float32Array(all.flat()), qv = new Float32Array(q);
  return all.map((_, id) => ({ id, distance: dist(flat, id * dim, qv, dim) })).filter((h) => keep(h.id))
    .sort((a, b) => (metric === 'L2' ? a.distance - b.distance : b.distance - a.distance) || a.id - b.id).slice(0, k);
}

test('two vector fields: each searched by its own vectors, index and metric; hybrid search fuses them; all of it after a restart', async () => {
  let s = await tempStandalone(segmentOpts);
  const { dataDir } = s;
  try {
    await s.client.createCollection({ collectionName: 'mv', schema, metricType: 'COSINE', shardsNum: 2, indexParams, load: true });
    for (let i = 0; i < N; i += 200) await s.client.insert('mv', Array.from({ length: 200 }, (_, j) => row(i + j)));
    await s.client.flush('mv');
    await untilIndexedAndLoaded(s, 'mv', N);
    await s.client.insert('mv', Array.from({ length: GROWING }, (_, j) => row(N + j)));
    const described = await s.client.describeIndex('mv');
    assert.equal(described.map((d) => [d.indexName, d.fieldName, d.indexType, d.metricType]).sort(), [['image_idx', 'image', 'IVF_FLAT', 'L2'], ['text_idx', 'text', 'HNSW', 'COSINE']]);

    const q = { text: text[7]!.map((x) => x + 0.01), image: image[11]!.map((x) => x - 0.02) };
    const check = async (when: string) => {
      // image: L2 from its own index, exact with every list probed, a filter and the growing rows included.
      const [imgHits] = await s.client.search('mv', { annsField: 'image', data: [q.image], limit: 10, filter: 'tag != 1', outputFields: ['tag', 'image'], searchParams: { params: { nprobe: NLIST } }, consistencyLevel: 'Strong' });
      const want = exact('L2', image, IMAGE, q.image, 10, (id) => id % 3 !== 1);
      assert.equal(imgHits!.map((h) => h.id), want.map((h) => h.id), `image search ${when}`);
      imgHits!.forEach((h, i) => {
        assert.ok(Math.abs(h.distance - want[i]!.distance) < 1e-4, 'L2 distances, smaller first');
        assert.equal(h.fields.image, image[h.id as number]!.map(Math.fround), 'the image vector read back from its column');
      });
      // text: COSINE by HNSW; every hit close to the exact ranking.
      const [textHits] = await s.client.search('mv', { annsField: 'text', data: [q.text], limit: 10, searchParams: { params: { ef: 200 } }, consistencyLevel: 'Strong' });
      const textWant = exact('COSINE', text, TEXT, q.text, 10, () => true).map((h) => h.id);
      assert.ok(textHits!.filter((h) => textWant.includes(h.id as number)).length >= 9, `text recall ${when}`);
      assert.ok(textHits![0]!.distance >= textHits![9]!.distance, 'COSINE: larger first');

      // Hybrid: RRF of the two searches as the client ran them, at one TSO.
      const subs: AnnSearch[] = [
        { annsField: 'text', data: [q.text], limit: 20, searchParams: { params: { ef: 200 } } },
        { annsField: 'image', data: [q.image], limit: 20, searchParams: { params: { nprobe: NLIST } } },
      ];
      const parts = await Promise.all(subs.map((x) => s.client.search('mv', { ...x, consistencyLevel: 'Strong' })));
      for (const rerank of [{ strategy: 'rrf' as const, k: 60 }, { strategy: 'weighted' as const, weights: [0.3, 0.7], normScore: true }]) {
        const [hybrid] = await s.client.hybridSearch('mv', { searches: subs, rerank, limit: 8, outputFields: ['tag'], consistencyLevel: 'Strong' });
        const metrics: MetricType[] = ['COSINE', 'L2'];
        const expected = fuse(parts.map((p, i) => ({ metric: metrics[i]!, hits: p[0]!.map((h) => ({ pk: h.id, distance: h.distance })) })), rerank, 8);
        assert.equal(hybrid!.map((h) => h.id), expected.map((h) => h.pk), `${rerank.strategy} ${when}`);
        hybrid!.forEach((h, i) => { assert.ok(Math.abs(h.distance - expected[i]!.score) < 1e-9); assert.is(h.fields.tag, (h.id as number) % 3); });
      }
    };
    await check('with growing rows');

    // Refusals: which field, its dimension, both vectors on insert, one index per field, not a scalar.
    await refused(s.client.search('mv', { data: [q.text], limit: 3 }), /name one as annsField/);
    await refused(s.client.search('mv', { annsField: 'image', data: [q.text], limit: 3 }), /dimension/);
    await refused(s.client.search('mv', { annsField: 'tag', data: [q.image], limit: 3 }), /not a vector field/);
    await refused(s.client.insert('mv', [{ id: 9999, tag: 0, text: text[0]! }]), /vector field 'image' is missing/);
    await refused(s.client.insert('mv', [{ id: 9999, tag: 0, text: text[0]!, image: [1, 2] }]), /'image' has dimension 2/);
    await refused(s.client.createIndex('mv', { indexName: 'again', fieldName: 'image', indexType: 'HNSW', metricType: 'L2', params: {} }), /already has index 'image_idx' on field 'image'/);
    await refused(s.client.createIndex('mv', { indexName: 'tag_idx', fieldName: 'tag', indexType: 'HNSW', params: {} }), /not a vector field/);
    await refused(s.client.hybridSearch('mv', { searches: [subs0(q), { annsField: 'image', data: [q.image, q.image], limit: 5 }], limit: 5 }), /same number/);
    await refused(s.client.hybridSearch('mv', { searches: [subs0(q)], rerank: { strategy: 'weighted', weights: [0.5, 0.5] }, limit: 5 }), /one weight per search/);

    await s.stop();
    s = await tempStandalone({ ...segmentOpts, dataDir });
    await untilIndexedAndLoaded(s, 'mv', N);
    await check('after a restart');
  } finally { await s.cleanup(); }
});

const subs0 = (q: { text: number[] }) => ({ annsField: 'text', data: [q.text], limit: 5 });

test.run();
