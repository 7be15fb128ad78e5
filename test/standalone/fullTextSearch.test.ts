import { refused } from '../support/rejects.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tokenize } from '../../messages/analyzer.js';
import type { CollectionSchema } from '../../messages/schema.js';
import type { MetricType } from '../../messages/schema.js';
import { fuse } from '../../runtime/client/hybridRank.js';
import type { AnnSearch } from '../../runtime/client/api.js';
import { rng, tempStandalone, untilIndexedAndLoaded, vectors } from './harness.js';
import { bm25Reference } from '../support/bm25Reference.js';

/**
 * Full-text search: `sparse` is the BM25 output of `text`, `kw` a plain
 * sparse field (IP), `vec` a dense one. Rows go over two shards, some sealed
 * and served by query nodes, some growing, a few deleted from each. A BM25
 * search ranks exactly as a reference BM25 over the live documents with
 * collection-wide counts; a sparse IP search as the dot product; a hybrid
 * search fuses BM25 with the dense search; all of it again after a restart.
 */
const WORDS = ['apple', 'banana', 'cherry', 'delta', 'echo', 'fox', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima', 'mango', 'nut', 'oscar', 'papa', 'quebec', 'romeo'];
const N = 120, GROWING = 40, DIM = 4, K = 10;
const r = rng(11);
const texts = Array.from({ length: N + GROWING }, () => {
  const n = 2 + Math.floor(r() * 12);
  return Array.from({ length: n }, () => { const w = WORDS[Math.floor(r() * r() * WORDS.length)]!; return r() < 0.2 ? w.toUpperCase() : w; }).join(r() < 0.5 ? ' ' : ', ');
});
const dense = vectors(N + GROWING, DIM, 12);
const kwOf = (i: number): Record<string, number> => ({ [String(i % 7)]: 1 + (i % 5), [String(100 + (i % 3))]: 0.5 });
const row = (i: number) => ({ id: i, text: texts[i]!, kw: kwOf(i), vec: dense[i]!, cat: i % 4 });
const DELETED = [3, 17, 50, N + 2, N + 9];

const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'text', dataType: 'VarChar', maxLength: 1000, enableAnalyzer: true },
    { name: 'sparse', dataType: 'SparseFloatVector' },
    { name: 'kw', dataType: 'SparseFloatVector' },
    { name: 'vec', dataType: 'FloatVector', dim: DIM },
    { name: 'cat', dataType: 'Int64' },
  ],
  functions: [{ name: 'text_bm25', type: 'BM25', inputFieldNames: ['text'], outputFieldNames: ['sparse'] }],
};
const indexParams: Array<{ indexName: string; fieldName: string; indexType: string; metricType?: MetricType; params: Record<string, number> }> = [
  { indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW', params: { M: 16, efConstruction: 200 } },
  { indexName: 'sparse_idx', fieldName: 'sparse', indexType: 'SPARSE_INVERTED_INDEX', metricType: 'BM25' as MetricType, params: {} },
  { indexName: 'kw_idx', fieldName: 'kw', indexType: 'AUTOINDEX', metricType: 'IP' as MetricType, params: {} },
];
const segmentOpts = { streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } };

/** The BM25 scores of a query over the live rows' texts. */
function referenceBm25(live: number[], query: string): Map<number, number> {
  return bm25Reference(new Map(live.map((id) => [id, tokenize(texts[id]!)])), query);
}

function best(scores: Map<number, number>, k: number): Array<[number, number]> {
  return [...scores].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, k);
}

/** The hits are the reference's top k: each at its own reference score, in score order (ties may come in any order). */
function sameRanking(hits: Array<{ id: unknown; distance: number }>, scores: Map<number, number>, k: number, what: string): void {
  const want = best(scores, k);
  assert.is(hits.length, want.length, `${what}: hit count`);
  hits.forEach((h, i) => {
    const own = scores.get(h.id as number);
    assert.ok(own !== undefined && Math.abs(h.distance - own) < 1e-5, `${what}: hit ${String(h.id)} scored ${h.distance}, reference ${own}`);
    assert.ok(Math.abs(h.distance - want[i]![1]) < 1e-5, `${what}: position ${i} scores ${h.distance}, reference ${want[i]![1]}`);
  });
}

test('BM25 search matches a reference BM25 with collection-wide counts; sparse IP; hybrid with dense; after a restart too', async () => {
  let s = await tempStandalone(segmentOpts);
  const { dataDir } = s;
  try {
    await s.client.createCollection({ collectionName: 'ft', schema, metricType: 'L2', shardsNum: 2, indexParams, load: true });
    for (let i = 0; i < N; i += 40) await s.client.insert('ft', Array.from({ length: 40 }, (_, j) => row(i + j)));
    await s.client.flush('ft');
    await untilIndexedAndLoaded(s, 'ft', N);
    await s.client.insert('ft', Array.from({ length: GROWING }, (_, j) => row(N + j)));
    await s.client.delete('ft', { ids: DELETED });
    const live = Array.from({ length: N + GROWING }, (_, i) => i).filter((i) => !DELETED.includes(i));

    const check = async (when: string) => {
      for (const q of ['apple cherry', 'ECHO fox fox', 'romeo', 'banana, quebec! zulu']) {
        const [hits] = await s.client.search('ft', { annsField: 'sparse', data: [q], limit: K, outputFields: ['text'], consistencyLevel: 'Strong' });
        sameRanking(hits!, referenceBm25(live, q), K, `BM25 '${q}' ${when}`);
        for (const h of hits!) assert.is(h.fields.text, texts[h.id as number]);
      }
      // Several queries at once, a filter (counts stay the collection's), and a query of no known term.
      const [a, b] = await s.client.search('ft', { annsField: 'sparse', data: ['delta', 'zulu yankee'], limit: 5, filter: 'id >= 60', consistencyLevel: 'Strong' });
      const filtered = new Map([...referenceBm25(live, 'delta')].filter(([id]) => id >= 60));
      sameRanking(a!, filtered, 5, `filtered BM25 ${when}`);
      assert.equal(b, [], 'no document holds an unknown term');

      // Range search: only scores in (radius, range_filter], best first, as the reference has them.
      const ref = referenceBm25(live, 'apple cherry');
      const [ranged] = await s.client.search('ft', { annsField: 'sparse', data: ['apple cherry'], limit: 50, searchParams: { params: { radius: 1, range_filter: 3 } }, consistencyLevel: 'Strong' });
      sameRanking(ranged!, new Map([...ref].filter(([, d]) => d > 1 && d <= 3)), 50, `BM25 range search ${when}`);
      assert.ok(ranged!.length > 0 && ranged!.length < ref.size, `the range leaves some out and keeps some (${ranged!.length} of ${ref.size})`);
      // A search iterator over the BM25 field: every matching row once, in the reference's order, batch by batch.
      const it = await s.client.searchIterator('ft', { annsField: 'sparse', vector: 'apple cherry', batchSize: 7, consistencyLevel: 'Strong' });
      const walked: Array<{ id: unknown; distance: number }> = [];
      for await (const batch of it) walked.push(...batch);
      sameRanking(walked, ref, ref.size, `BM25 search iterator ${when}`);
      assert.is(new Set(walked.map((h) => h.id)).size, walked.length, 'each row once');
      // Grouping search: the best 3 values of cat, 2 hits each, groups by their best hit.
      const [grouped] = await s.client.search('ft', { annsField: 'sparse', data: ['apple cherry'], limit: 3, groupingField: 'cat', groupSize: 2, outputFields: ['cat'], consistencyLevel: 'Strong' });
      const byCat = new Map<number, number[]>();
      for (const [id, d] of best(ref, ref.size)) { const c = id % 4; byCat.set(c, [...(byCat.get(c) ?? []), d]); }
      const wantGroups = [...byCat].sort((a, b) => b[1][0]! - a[1][0]!).slice(0, 3);
      assert.equal(grouped!.map((h) => h.fields.cat), wantGroups.flatMap(([c, ds]) => ds.slice(0, 2).map(() => c)), `groups in order, two hits each ${when}`);
      grouped!.forEach((h, i) => assert.ok(Math.abs(h.distance - wantGroups.flatMap(([, ds]) => ds.slice(0, 2))[i]!) < 1e-5, `grouped hit ${i} scores as the reference ${when}`));

      // Plain sparse IP over `kw`: the dot product, returned sparse vectors read back.
      const kq = { '3': 2, '101': 4 };
      const [kh] = await s.client.search('ft', { annsField: 'kw', data: [kq], limit: K, outputFields: ['kw'], consistencyLevel: 'Strong' });
      const dot = new Map(live.map((id) => { const v = kwOf(id); return [id, (v['3'] ?? 0) * 2 + (v['101'] ?? 0) * 4]; }).filter(([, d]) => d > 0) as Array<[number, number]>);
      sameRanking(kh!, dot, K, `sparse IP ${when}`);
      for (const h of kh!) assert.equal(h.fields.kw, kwOf(h.id as number));

      // Hybrid: BM25 next to the dense field, fused as the client fuses the two searches run alone.
      const subs: AnnSearch[] = [
        { annsField: 'sparse', data: ['apple mango'], limit: 20 },
        { annsField: 'vec', data: [dense[5]!], limit: 20, searchParams: { params: { ef: 200 } } },
      ];
      const parts = await Promise.all(subs.map((x) => s.client.search('ft', { ...x, consistencyLevel: 'Strong' })));
      for (const rerank of [{ strategy: 'rrf' as const }, { strategy: 'weighted' as const, weights: [0.6, 0.4], normScore: true }]) {
        const [hybrid] = await s.client.hybridSearch('ft', { searches: subs, rerank, limit: 8, consistencyLevel: 'Strong' });
        const metrics: MetricType[] = ['BM25', 'L2'];
        const expected = fuse(parts.map((p, i) => ({ metric: metrics[i]!, hits: p[0]!.map((h) => ({ pk: h.id, distance: h.distance })) })), rerank, 8);
        assert.equal(hybrid!.map((h) => h.id), expected.map((h) => h.pk), `${rerank.strategy} ${when}`);
        assert.ok(hybrid!.some((h) => (referenceBm25(live, 'apple mango').get(h.id as number) ?? 0) > 0), 'BM25 hits take part');
      }
    };
    await check('sealed and growing');

    // Refusals: the computed field given, texts and sparse vectors swapped, bad sparse values, wrong metric.
    await refused(s.client.insert('ft', [{ ...row(5), id: 999, sparse: { '1': 1 } }]), /output of a BM25 function/);
    await refused(s.client.search('ft', { annsField: 'sparse', data: [{ '1': 1 }], limit: 3 }), /must be a text/);
    await refused(s.client.search('ft', { annsField: 'kw', data: ['apple'], limit: 3 }), /not a text/);
    await refused(s.client.insert('ft', [{ ...row(5), id: 999, kw: { '1': NaN } }]), /non-finite/);
    await refused(s.client.insert('ft', [{ ...row(5), id: 999, kw: { '-4': 1 } }]), /uint32/);
    await refused(s.client.createIndex('ft', { indexName: 'x', fieldName: 'kw', indexType: 'HNSW', metricType: 'IP', params: {} }), /not for sparse field/);
    await refused(s.client.search('ft', { annsField: 'sparse', data: ['apple'], limit: 3, searchParams: { params: { radius: 3, range_filter: 1 } } }), /radius < range_filter/);
    await refused(s.client.searchIterator('ft', { annsField: 'sparse', vector: [1, 2], batchSize: 5 }), /text/);

    await s.stop();
    s = await tempStandalone({ ...segmentOpts, dataDir });
    await untilIndexedAndLoaded(s, 'ft', N);
    await check('after a restart');
  } finally { await s.cleanup(); }
});

test.run();
