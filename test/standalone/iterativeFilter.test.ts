import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { distanceFn } from '../../actors/shared/vector/distance.js';
import { NuthatchError } from '../../messages/errors.js';
import { gaussianMixture, recallAtK } from '../../bench/support/dataset.js';
import { tempStandalone, untilIndexedAndLoaded } from './harness.js';
import { V2Client } from '../http/support/v2Client.js';

/**
 * Iterative filtering end to end (Milvus's searchParams.hints
 * "iterative_filter"): sealed segments (indexed and FLAT) and growing rows,
 * with deletes; through the client, a hybrid search's sub-request, and REST.
 * Every hit passes the filter; with FLAT the answer is the standard filtered
 * search's; with HNSW recall is measured against the exact filtered answer.
 */
const DIM = 16, SEALED = 3000, GROWING = 400, N = SEALED + GROWING, K = 10;
const ds = gaussianMixture({ n: N, dim: DIM, clusters: 30, sigma: 1, queries: 12, seed: 21 });
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'doc', dataType: 'Int64' as const },
    { name: 'text', dataType: 'VarChar' as const, maxLength: 512 },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
  ],
};
const docOf = (i: number) => (i * 7919) % 1000;
const rows = Array.from({ length: N }, (_, i) => ({
  id: i, doc: docOf(i), text: `${'lorem ipsum '.repeat(8)}${docOf(i) % 3 === 0 ? 'red' : 'blue'} ${docOf(i)}`, vec: Array.from(ds.vectors.subarray(i * DIM, (i + 1) * DIM)),
}));
const queries = ds.queries.map((q) => Array.from(q));
const deleted = new Set(Array.from({ length: 200 }, (_, i) => i * 17));
/** Filters and the rows each passes: a third, 2%, none. */
const FILTERS: Array<[string, (id: number) => boolean]> = [
  ['text like "%red%"', (id) => docOf(id) % 3 === 0],
  ['doc < 20 and text like "%blue%"', (id) => docOf(id) < 20 && docOf(id) % 3 !== 0],
  ['doc > 5000', () => false],
];

function exact(q: number[], keep: (id: number) => boolean): number[] {
  const dist = distanceFn('L2'), qv = new Float32Array(q);
  return rows.filter((r) => keep(r.id) && !deleted.has(r.id)).map((r) => ({ id: r.id, d: dist(ds.vectors, r.id * DIM, qv, DIM) }))
    .sort((a, b) => a.d - b.d || a.id - b.id).slice(0, K).map((r) => r.id);
}

async function loaded(s: Awaited<ReturnType<typeof tempStandalone>>, name: string, indexType: string): Promise<void> {
  const c = s.client;
  await c.createCollection({ collectionName: name, schema, metricType: 'L2', indexParams: [{ indexName: 'vec_idx', fieldName: 'vec', indexType, params: {} }], load: true });
  await c.insert(name, rows.slice(0, SEALED));
  await c.flush(name);
  await untilIndexedAndLoaded(s, name, SEALED);
  // Growing rows: searched on the streaming node, not yet sealed.
  await c.insert(name, rows.slice(SEALED));
  await c.delete(name, { ids: [...deleted] });
}

const ids = (hits: Array<Array<{ id: unknown }>>) => hits.map((hs) => hs.map((h) => h.id as number));

test('client: hints "iterative_filter" over HNSW and FLAT segments and growing rows; "disable" and unknown hints', async () => {
  const s = await tempStandalone({ streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } });
  try {
    const c = s.client;
    await loaded(s, 'hnsw', 'HNSW');
    await loaded(s, 'flat', 'FLAT');
    const search = (coll: string, filter: string, hints?: string) => c.search(coll, { data: queries, limit: K, filter, consistencyLevel: 'Strong', searchParams: { params: { ef: 64 }, ...(hints ? { hints } : {}) } });
    for (const [filter, pass] of FILTERS) {
      const truth = queries.map((q) => exact(q, pass));
      // FLAT: exact either way, so the iterative answer is the standard one, hit for hit and distance for distance.
      const flat = await search('flat', filter, 'iterative_filter');
      assert.equal(flat, await search('flat', filter), `FLAT ${filter}`);
      assert.equal(ids(flat), truth, `FLAT ${filter}: exact`);
      // HNSW: every hit passes and is visible; recall against the exact filtered answer.
      const hnsw = await search('hnsw', filter, 'iterative_filter');
      for (const hs of ids(hnsw)) for (const id of hs) assert.ok(pass(id) && !deleted.has(id), `${filter}: hit ${id}`);
      const recall = truth.every((t) => t.length === 0) ? 1 : recallAtK(ids(hnsw), truth, K);
      assert.ok(recall >= 0.9, `HNSW ${filter}: recall ${recall}`);
      hnsw.forEach((hs, i) => assert.is(hs.length, truth[i]!.length, `${filter}: as many hits as pass`));
    }
    // "disable" is the standard filtering.
    assert.equal(await search('flat', FILTERS[0]![0], 'disable'), await search('flat', FILTERS[0]![0]));
    // A hybrid search's sub-requests carry their own hints.
    const hybrid = await c.hybridSearch('hnsw', { searches: FILTERS.slice(0, 2).map(([filter]) => ({ data: [queries[0]!], limit: K, filter, searchParams: { hints: 'iterative_filter' } })), limit: K });
    for (const h of hybrid[0]!) assert.ok(FILTERS[0]![1](h.id as number) || FILTERS[1]![1](h.id as number));
    // A range search filters as usual (Milvus ignores the hint there): the same hits.
    const ranged = (hints?: string) => c.search('flat', { data: queries, limit: K, filter: FILTERS[0]![0], consistencyLevel: 'Strong', searchParams: { params: { radius: 40 }, ...(hints ? { hints } : {}) } });
    assert.equal(await ranged('iterative_filter'), await ranged());
    // Unknown hints: a typed error, as Milvus refuses them.
    for (const hints of ['iterative', 'ITERATIVE_FILTER']) {
      try { await search('hnsw', FILTERS[0]![0], hints); assert.unreachable(hints); } catch (e) {
        assert.instance(e, NuthatchError);
        assert.is((e as NuthatchError).code, 'InvalidArgument');
        assert.match((e as Error).message, /hints .* not supported/);
      }
    }
  } finally { await s.cleanup(); }
});

test('REST: entities/search and hybrid_search take searchParams.hints; an unknown one is refused', async () => {
  const s = await tempStandalone({ port: 0, streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } });
  try {
    await loaded(s, 'rest', 'FLAT');
    const http = new V2Client(s.http!.url);
    const [filter, pass] = FILTERS[1]!;
    const body = { collectionName: 'rest', data: [queries[3]], annsField: 'vec', filter, limit: K, consistencyLevel: 'Strong' };
    const plain = await http.ok('/entities/search', body);
    const iterative = await http.ok('/entities/search', { ...body, searchParams: { hints: 'iterative_filter' } });
    assert.equal(iterative, plain);
    assert.equal(iterative.map((h: { id: number }) => h.id), exact(queries[3]!, pass));
    const hybrid = await http.ok('/entities/hybrid_search', {
      collectionName: 'rest', limit: K, consistencyLevel: 'Strong', rerank: { strategy: 'rrf', params: { k: 60 } },
      search: [{ data: [queries[3]], annsField: 'vec', filter, limit: K, searchParams: { hints: 'iterative_filter' } }],
    });
    assert.equal(hybrid.map((h: { id: number }) => h.id), exact(queries[3]!, pass));
    await http.fails('/entities/search', { ...body, searchParams: { hints: 'nope' } }, /hints "nope" is not supported/);
    await http.fails('/entities/search', { ...body, searchParams: { hints: 3 } }, /hints/);
  } finally { await s.cleanup(); }
});

test.run();
