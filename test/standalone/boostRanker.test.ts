import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomScore, type BoostMode, type BoostRanker } from '../../messages/boostRanker.js';
import type { MetricType } from '../../messages/schema.js';
import type { Hit } from '../../runtime/client/api.js';
import { checkDecayRanker, decayRerank, type DecayRanker } from '../../runtime/client/decayRanker.js';
import { refused } from '../support/rejects.js';
import { rng, tempStandalone, untilIndexedAndLoaded } from './harness.js';

/**
 * A search with boost rankers (Milvus 2.6.2): candidates of every segment
 * (sealed on the query node, growing on the delegator) matching a filter
 * get a weight, and the merged order equals the one computed here from the
 * raw scores of an unboosted search over every row.
 */
const DIM = 4, SEALED = 300, GROWING = 60;
/** The documented pool: a segment boosts its raw top 4×k (its own constant is unit-tested). */
const POOL_FACTOR = 4;
const schema = { fields: [
  { name: 'id', dataType: 'Int64' as const, isPrimary: true },
  { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
  { name: 'category', dataType: 'VarChar' as const, maxLength: 16 },
  { name: 'n', dataType: 'Int64' as const },
] };
// Non-negative components: every IP score is positive, so a weight above 1 promotes and below 1 demotes.
const r = rng(23);
const vecs = Array.from({ length: SEALED + GROWING }, () => Array.from({ length: DIM }, () => r()));
const rows = vecs.map((vec, id) => ({ id, vec, category: id % 5 === 0 ? 'premium' : 'basic', n: id % 7 }));
const premium = (h: Hit) => (h.id as number) % 5 === 0;
const boost = (params: Partial<BoostRanker['params']>): BoostRanker => ({ name: 'b', type: 'Rerank', inputFieldNames: [], params: { reranker: 'boost', weight: 1, ...params } });

/**
 * The reference: every row's raw score met by its boost, in the metric's
 * order (ties by id), the first `limit`. A segment boosts its raw top 4×k
 * (shared/vector/boostSegment.ts), which holds every row of the collection's
 * raw top 4×k: when the winners over all rows come from those, the servers
 * must find exactly them, and the cases here are chosen so (checked).
 */
function expected(all: Hit[], metric: MetricType, limit: number, boostOf: (h: Hit) => number | undefined, boostMode: BoostMode = 'Multiply'): Array<[unknown, number]> {
  const sign = metric === 'L2' ? 1 : -1;
  const met = (d: number, b: number | undefined) => (b === undefined ? d : boostMode === 'Sum' ? d + b : d * b);
  const best = (hits: Hit[]) => hits.map((h) => ({ id: h.id as number, d: met(h.distance, boostOf(h)) }))
    .sort((x, y) => (x.d !== y.d ? sign * (x.d - y.d) : x.id - y.id))
    .slice(0, limit).map((x): [unknown, number] => [x.id, x.d]);
  const want = best(all);
  assert.equal(best(all.slice(0, limit * POOL_FACTOR)), want, 'the case\'s winners lie within every segment\'s boosted pool');
  return want;
}
const pairs = (hits: Hit[]) => hits.map((h): [unknown, number] => [h.id, h.distance]);

async function collection(s: Awaited<ReturnType<typeof tempStandalone>>, name: string, metricType: MetricType) {
  await s.client.createCollection({ collectionName: name, schema, metricType, shardsNum: 1, indexParams: [{ indexName: 'v', fieldName: 'vec', indexType: 'FLAT', params: {} }], load: true });
  await s.client.insert(name, rows.slice(0, SEALED));
  await s.client.flush(name);
  await untilIndexedAndLoaded(s, name, SEALED);
  await s.client.insert(name, rows.slice(SEALED));
}

test('boost rankers re-rank sealed and growing candidates exactly as the raw scores say; REST functionScore too', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    await collection(s, 'bip', 'IP');
    const q = vecs[9]!, limit = 10;
    const search = (ranker: unknown, extra: object = {}) => s.client.search('bip', { data: [q], limit, ranker: ranker as BoostRanker, consistencyLevel: 'Strong', ...extra }).then((x) => x[0]!);
    const all = (await s.client.search('bip', { data: [q], limit: SEALED + GROWING, outputFields: ['n'], consistencyLevel: 'Strong' }))[0]!;
    assert.is(all.length, SEALED + GROWING);
    const plain = all.slice(0, limit);

    // Promote: premium rows' scores × 1.1.
    const promoted = await search(boost({ filter: 'category == "premium"', weight: 1.1 }));
    assert.equal(pairs(promoted), expected(all, 'IP', limit, (h) => (premium(h) ? 1.1 : undefined)));
    assert.ok(promoted.filter(premium).length > plain.filter(premium).length, 'more premium rows than the plain search had');
    assert.ok(promoted.some((h) => (h.id as number) >= SEALED) && promoted.some((h) => (h.id as number) < SEALED), 'growing and sealed rows both ranked');
    // The sealed rows form one segment: a promoted row ranked past `limit` in it was kept for the boost, not cut by its raw top-k.
    const sealedRank = new Map(all.filter((h) => (h.id as number) < SEALED).map((h, i) => [h.id, i]));
    assert.ok(promoted.some((h) => premium(h) && (sealedRank.get(h.id) ?? 0) >= limit), 'a boosted row from beyond the segment\'s raw top-k');

    // Demote: a weight below 1.
    const demoted = await search(boost({ filter: 'category == "premium"', weight: 0.5 }));
    assert.equal(pairs(demoted), expected(all, 'IP', limit, (h) => (premium(h) ? 0.5 : undefined)));
    assert.ok(demoted.filter(premium).length < plain.filter(premium).length, 'fewer premium rows than the plain search had');

    // Two functions, Sum modes: score + (the sum of the matching weights).
    const fs = { functions: [boost({ filter: 'category == "premium"', weight: 0.05 }), boost({ filter: 'n < 3', weight: 0.03 })], params: { boost_mode: 'Sum', function_mode: 'Sum' } };
    const summed = await search(fs);
    const sumOf = (h: Hit) => { const w = (premium(h) ? 0.05 : 0) + ((h.fields.n as number) < 3 ? 0.03 : 0); return premium(h) || (h.fields.n as number) < 3 ? w : undefined; };
    assert.equal(pairs(summed), expected(all, 'IP', limit, sumOf, 'Sum'));
    // function_mode Multiply (the default) with boost_mode Sum: score + the product of the matching weights.
    const multiplied = await search({ ...fs, params: { boost_mode: 'Sum' } });
    const productOf = (h: Hit) => (premium(h) && (h.fields.n as number) < 3 ? 0.05 * 0.03 : premium(h) ? 0.05 : (h.fields.n as number) < 3 ? 0.03 : undefined);
    assert.equal(pairs(multiplied), expected(all, 'IP', limit, productOf, 'Sum'));
    assert.not.equal(pairs(multiplied), pairs(summed));

    // random_score: weight × a value in [0, 1) of the seed and the primary key, deterministic.
    const shuffle = (seed: number) => search({ functions: [boost({ weight: 0.1, random_score: { seed } })], params: { boost_mode: 'Sum' } });
    const r1 = await shuffle(126);
    assert.equal(pairs(r1), expected(all, 'IP', limit, (h) => 0.1 * randomScore(126, h.id), 'Sum'));
    assert.equal(pairs(await shuffle(126)), pairs(r1), 'the same seed, the same order');
    assert.not.equal(pairs(await shuffle(127)), pairs(r1), 'another seed, another order');
    const byField = await search({ functions: [boost({ weight: 0.1, random_score: { seed: 5, field: 'n' } })], params: { boost_mode: 'Sum' } });
    assert.equal(pairs(byField), expected(all, 'IP', limit, (h) => 0.1 * randomScore(5, h.fields.n), 'Sum'));

    // Paged: offset counts boosted hits; a boost with a decay ranker: the decay re-ranks the boosted hits.
    const paged = await search(boost({ filter: 'category == "premium"', weight: 1.1 }), { limit: 5, offset: 5 });
    assert.equal(pairs(paged), pairs(promoted.slice(5)));
    const decay: DecayRanker = { type: 'Rerank', inputFieldNames: ['n'], params: { reranker: 'decay', function: 'linear', origin: 0, scale: 10, decay: 0.5 } };
    const chained = await search({ functions: [boost({ filter: 'category == "premium"', weight: 1.1 }), decay] });
    const boosted = await search(boost({ filter: 'category == "premium"', weight: 1.1 }), { outputFields: ['n'] });
    assert.equal(pairs(chained), pairs(decayRerank(boosted, checkDecayRanker(decay, { fields: schema.fields }), 'IP')));

    const res = await fetch(`${s.http!.url}/v2/vectordb/entities/search`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({
      collectionName: 'bip', data: [q], limit, consistencyLevel: 'Strong', functionScore: fs,
    }) });
    const body = await res.json() as { code: number; data: Array<{ id: number; distance: number }> };
    assert.is(body.code, 0, JSON.stringify(body));
    assert.equal(body.data.map((h) => [h.id, h.distance]), pairs(summed), 'REST functionScore ranks the same');
    const bad = await fetch(`${s.http!.url}/v2/vectordb/entities/search`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({
      collectionName: 'bip', data: [q], limit, functionScore: { functions: [boost({ weight: 'heavy' as unknown as number })] },
    }) });
    const badBody = await bad.json() as { code: number; message: string };
    assert.is.not(badBody.code, 0);
    assert.match(badBody.message, /weight must be a finite number/);

    // Bad input: typed errors, nothing searched.
    await refused(search(boost({ weight: Number.NaN })), /weight must be a finite number/);
    await refused(search(boost({ filter: 'category ==' })), /filter "category ==" is invalid/);
    await refused(search(boost({ filter: 'colour == "red"' })), /is invalid/);
    await refused(search({ functions: [boost({})], params: { boost_mode: 'Max' } }), /unknown boost mode/);
    await refused(search({ functions: [boost({})], params: { function_mode: 'Avg' } }), /unknown function mode/);
    await refused(search(boost({ random_score: { field: 'vec', seed: 1 } })), /Int64 or VarChar field: 'vec' is FloatVector/);
    assert.is((await search(boost({}))).length, limit, 'a weight of 1 and no filter is a plain search');
    await refused(search(boost({ weight: 2 }), { groupingField: 'n' }), /grouping/);
    await refused(s.client.hybridSearch('bip', { searches: [{ data: [q], limit: 5 }], ranker: boost({ weight: 2 }) as unknown as DecayRanker, limit: 5 }), /not a hybrid search/);
  } finally { await s.cleanup(); }
});

test('a hybrid search\'s sub-search takes boost rankers (Milvus: a Boost Ranker ranks an AnnSearchRequest): fused from the boosted list; REST too', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    await collection(s, 'bhy', 'IP');
    const q = vecs[9]!, q2 = vecs[40]!, limit = 10;
    const promote = boost({ filter: 'category == "premium"', weight: 1.3 });
    const boosted = (await s.client.search('bhy', { data: [q], limit, ranker: promote, consistencyLevel: 'Strong' }))[0]!;
    const plain = (await s.client.search('bhy', { data: [q], limit, consistencyLevel: 'Strong' }))[0]!;
    const other = (await s.client.search('bhy', { data: [q2], limit, consistencyLevel: 'Strong' }))[0]!;
    assert.not.equal(boosted.map((h) => h.id), plain.map((h) => h.id), 'the boost changes this search\'s order');
    const ids = (hits: Hit[]) => hits.map((h) => h.id);

    // One boosted sub-search, fused by RRF: the fused order is the boosted list's.
    const one = (await s.client.hybridSearch('bhy', { searches: [{ data: [q], limit, ranker: promote }], limit, consistencyLevel: 'Strong' }))[0]!;
    assert.equal(ids(one), ids(boosted));
    // Two: RRF over the boosted list and a plain one.
    const rrf = (lists: Hit[][]) => {
      const score = new Map<unknown, number>();
      for (const l of lists) l.forEach((h, rank) => score.set(h.id, (score.get(h.id) ?? 0) + 1 / (60 + rank + 1)));
      return [...score].sort((a, b) => b[1] - a[1] || (a[0] as number) - (b[0] as number)).slice(0, limit);
    };
    const two = (await s.client.hybridSearch('bhy', { searches: [{ data: [q], limit, ranker: promote }, { data: [q2], limit }], limit, consistencyLevel: 'Strong' }))[0]!;
    const want = rrf([boosted, other]);
    assert.equal(two.map((h) => h.distance), want.map(([, d]) => d), 'the fused scores of the boosted and the plain list');
    assert.equal(new Set(ids(two)), new Set(want.map(([id]) => id)));

    const res = await fetch(`${s.http!.url}/v2/vectordb/entities/hybrid_search`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({
      collectionName: 'bhy', limit, consistencyLevel: 'Strong', search: [{ data: [q], limit, functionScore: { functions: [promote] } }],
    }) });
    const body = await res.json() as { code: number; data: Array<{ id: number }> };
    assert.is(body.code, 0, JSON.stringify(body));
    assert.equal(body.data.map((h) => h.id), ids(boosted), 'REST: a search entry\'s functionScore boosts it');

    const decay: DecayRanker = { type: 'Rerank', inputFieldNames: ['n'], params: { reranker: 'decay', function: 'linear', origin: 0, scale: 10, decay: 0.5 } };
    await refused(s.client.hybridSearch('bhy', { searches: [{ data: [q], limit, ranker: decay }], limit }), /searches\[0\]: a hybrid search ranks a search by boost functions only/);
    await refused(s.client.hybridSearch('bhy', { searches: [{ data: [q], limit }, { data: [q], limit, ranker: boost({ weight: Number.NaN }) }], limit }), /searches\[1\]: .*weight must be a finite number/);
  } finally { await s.cleanup(); }
});

test('sparse and BM25 searches take boost rankers: each segment\'s candidates boosted, exactly as the raw scores say', async () => {
  const s = await tempStandalone();
  try {
    const words = ['red', 'green', 'blue', 'cyan', 'amber', 'teal', 'plum', 'sand'];
    const rs = rng(5);
    const docs = Array.from({ length: SEALED + GROWING }, (_, id) => ({
      id, vec: vecs[id]!, category: id % 5 === 0 ? 'premium' : 'basic', n: id % 7,
      text: Array.from({ length: 3 + (id % 5) }, () => words[Math.floor(rs() * words.length)]!).join(' '),
      kw: Object.fromEntries(Array.from({ length: 3 }, () => [Math.floor(rs() * 12), 0.1 + rs()])),
    }));
    await s.client.createCollection({
      collectionName: 'bsp', metricType: 'IP', shardsNum: 1, load: true,
      schema: { fields: [...schema.fields, { name: 'text', dataType: 'VarChar', maxLength: 200, enableAnalyzer: true }, { name: 'sparse', dataType: 'SparseFloatVector' }, { name: 'kw', dataType: 'SparseFloatVector' }],
        functions: [{ name: 'bm', type: 'BM25', inputFieldNames: ['text'], outputFieldNames: ['sparse'] }] },
      indexParams: [
        { indexName: 'v', fieldName: 'vec', indexType: 'FLAT', params: {} },
        { indexName: 's', fieldName: 'sparse', indexType: 'SPARSE_INVERTED_INDEX', metricType: 'BM25', params: {} },
        { indexName: 'k', fieldName: 'kw', indexType: 'SPARSE_INVERTED_INDEX', metricType: 'IP', params: {} },
      ],
    });
    await s.client.insert('bsp', docs.slice(0, SEALED));
    await s.client.flush('bsp');
    await untilIndexedAndLoaded(s, 'bsp', SEALED);
    await s.client.insert('bsp', docs.slice(SEALED));
    const limit = 8, promote = boost({ filter: 'category == "premium"', weight: 1.5 });
    for (const [annsField, data] of [['kw', { 2: 1, 7: 0.5 }], ['sparse', 'teal plum']] as const) {
      const all = (await s.client.search('bsp', { annsField, data: [data as never], limit: SEALED + GROWING, consistencyLevel: 'Strong' }))[0]!;
      assert.ok(all.length > 4 * limit, `${annsField}: enough matching rows for the case`);
      const boosted = (await s.client.search('bsp', { annsField, data: [data as never], limit, ranker: promote, consistencyLevel: 'Strong' }))[0]!;
      assert.equal(pairs(boosted), expected(all, 'IP', limit, (h) => (premium(h) ? 1.5 : undefined)), `${annsField}: boosted as the raw scores say`);
      assert.ok(boosted.filter(premium).length > all.slice(0, limit).filter(premium).length, `${annsField}: the boost promoted premium rows`);
      assert.ok(boosted.some((h) => (h.id as number) >= SEALED) && boosted.some((h) => (h.id as number) < SEALED), `${annsField}: growing and sealed rows both ranked`);
    }
  } finally { await s.cleanup(); }
});

test('L2: the boost multiplies the distance, so a weight below 1 promotes and above 1 demotes (as Milvus documents)', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    await collection(s, 'bl2', 'L2');
    const q = vecs[9]!, limit = 10;
    const all = (await s.client.search('bl2', { data: [q], limit: SEALED + GROWING, consistencyLevel: 'Strong' }))[0]!;
    const plain = all.slice(0, limit);
    const search = (weight: number) => s.client.search('bl2', { data: [q], limit, ranker: boost({ filter: 'category == "premium"', weight }), consistencyLevel: 'Strong' }).then((x) => x[0]!);
    const promoted = await search(0.7), demoted = await search(2);
    assert.equal(pairs(promoted), expected(all, 'L2', limit, (h) => (premium(h) ? 0.7 : undefined)));
    assert.equal(pairs(demoted), expected(all, 'L2', limit, (h) => (premium(h) ? 2 : undefined)));
    assert.ok(promoted.filter(premium).length > plain.filter(premium).length);
    assert.ok(demoted.filter(premium).length < plain.filter(premium).length);
  } finally { await s.cleanup(); }
});

test.run();
