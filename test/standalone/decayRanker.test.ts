import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkDecayRanker, decayFuse, decayRerank, type DecayRanker } from '../../runtime/client/decayRanker.js';
import { refused } from '../support/rejects.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * A search with a decay ranker (Milvus 2.6): the search's hits re-ranked by
 * similarity × decay of a numeric field, through the client and REST
 * (`functionScore`), paged after re-ranking; the field shows only if asked for.
 */
const DIM = 4;
const schema = { fields: [
  { name: 'id', dataType: 'Int64' as const, isPrimary: true },
  { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
  { name: 'ts', dataType: 'Int64' as const },
  { name: 'cat', dataType: 'Int64' as const },
] };
const vecs = vectors(300, DIM, 17);
const ranker: DecayRanker = { type: 'Rerank', inputFieldNames: ['ts'], params: { reranker: 'decay', function: 'exp', origin: 1000, scale: 50, offset: 0, decay: 0.5 } };

test('decay-ranked search equals the plain search re-ranked; REST functionScore too', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    await s.client.createCollection({ collectionName: 'dr', schema, metricType: 'L2', shardsNum: 2, indexParams: [{ indexName: 'v', fieldName: 'vec', indexType: 'FLAT', params: {} }], load: true });
    await s.client.insert('dr', vecs.map((vec, id) => ({ id, vec, ts: 1000 - ((id * 37) % 200), cat: id % 3 })));
    const q = vecs[5]!;
    const plain = (await s.client.search('dr', { data: [q], limit: 20, outputFields: ['ts'], consistencyLevel: 'Strong' }))[0]!;
    const want = decayRerank(plain, checkDecayRanker(ranker, { fields: schema.fields }), 'L2');
    const got = (await s.client.search('dr', { data: [q], limit: 20, ranker, outputFields: ['ts'], consistencyLevel: 'Strong' }))[0]!;
    assert.equal(got.map((h) => [h.id, h.distance]), want.map((h) => [h.id, h.distance]));
    assert.not.equal(got.map((h) => h.id), plain.map((h) => h.id), 'the ranker changed the order');
    const paged = (await s.client.search('dr', { data: [q], limit: 5, offset: 5, ranker, consistencyLevel: 'Strong' }))[0]!;
    assert.equal(paged.map((h) => h.id), (await s.client.search('dr', { data: [q], limit: 10, ranker, consistencyLevel: 'Strong' }))[0]!.slice(5).map((h) => h.id), 'offset pages the re-ranked list');
    assert.ok(paged.every((h) => !('ts' in h.fields)), 'the ranker field is not output unless asked for');

    const res = await fetch(`${s.http!.url}/v2/vectordb/entities/search`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({
      collectionName: 'dr', data: [q], limit: 20, consistencyLevel: 'Strong',
      functionScore: { functions: [{ name: 'fresh', type: 'Rerank', inputFieldNames: ['ts'], params: ranker.params }], params: { boost_mode: 'Multiply' } },
    }) });
    const body = await res.json() as { code: number; data: Array<{ id: number }> };
    assert.is(body.code, 0, JSON.stringify(body));
    assert.equal(body.data.map((h) => h.id), want.map((h) => h.id), 'REST functionScore ranks the same');

    // Hybrid: two searches fused by the ranker equal the fusion of the two plain searches.
    const subs = [{ data: [q], limit: 20 }, { data: [vecs[9]!], limit: 20 }];
    const hybrid = (await s.client.hybridSearch('dr', { searches: subs, ranker, limit: 8, consistencyLevel: 'Strong' }))[0]!;
    const parts = await Promise.all(subs.map((x) => s.client.search('dr', { ...x, outputFields: ['ts'], consistencyLevel: 'Strong' })));
    const fused = decayFuse(parts.map((p) => ({ metric: 'L2' as const, hits: p[0]! })), checkDecayRanker(ranker, { fields: schema.fields }), 8, 0);
    assert.equal(hybrid.map((h) => [h.id, h.distance]), fused.map((h) => [h.id, h.distance]));
    assert.ok(hybrid.every((h) => !('ts' in h.fields)));
    await refused(s.client.hybridSearch('dr', { searches: subs, ranker, rerank: { strategy: 'rrf' }, limit: 3 }), /rerank or ranker/);
    await refused(s.client.search('dr', { data: [q], limit: 5, ranker, groupingField: 'cat' }), /grouping/);
    await refused(s.client.search('dr', { data: [q], limit: 5, ranker: { ...ranker, inputFieldNames: ['vec'] } }), /numeric/);
  } finally { await s.cleanup(); }
});

test.run();
