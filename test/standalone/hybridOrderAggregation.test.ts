/**
 * Hybrid search with orderByFields and with a search aggregation, and the
 * aggregation's search_size, through the whole read path of a standalone:
 * two vector fields, two shards, sealed segments on the query node and
 * growing rows in the delegators, deleted and upserted rows. The ordered page
 * must be the plain hybrid page reordered; the aggregation must equal the
 * reference aggregation (test/support/aggregationReference.ts) of the rows
 * the plain hybrid search returns; search_size must cut the bucket
 * candidates as the reference does. By client and REST.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../messages/errors.js';
import type { SearchAggregation } from '../../messages/searchAggregation.js';
import type { AnnSearch, Hit, HybridSearchRequest } from '../../runtime/client/api.js';
import { comparable, referenceAggregate, type RefRow } from '../support/aggregationReference.js';
import { V2Client } from '../http/support/v2Client.js';
import { tempStandalone, untilIndexedAndLoaded, vectors } from './harness.js';

const A = 8, B = 4;
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'va', dataType: 'FloatVector' as const, dim: A },
    { name: 'vb', dataType: 'FloatVector' as const, dim: B },
    { name: 'brand', dataType: 'VarChar' as const, maxLength: 8, nullable: true },
    { name: 'color', dataType: 'Int32' as const },
    { name: 'price', dataType: 'Float' as const, nullable: true },
    { name: 'qty', dataType: 'Int64' as const },
  ],
};
/** Prices are multiples of 0.5 (exact in float32); few distinct values, so orders and buckets tie. */
const rowsOf = (from: number, n: number, seed: number) => {
  const va = vectors(n, A, seed), vb = vectors(n, B, seed + 1000);
  return Array.from({ length: n }, (_, i) => {
    const id = from + i;
    return { id, va: va[i]!, vb: vb[i]!, brand: id % 11 === 0 ? null : ['a', 'b', 'c', 'd', 'e'][(id * 7) % 5]!, color: id % 3, price: id % 13 === 0 ? null : ((id * 37) % 20) / 2, qty: (id * 11) % 40 };
  });
};
const SHOWN = ['brand', 'color', 'price', 'qty'];
const refRows = (hits: Hit[]): RefRow[] => hits.map((h, rank) => ({ pk: h.id, rank, score: h.distance, fields: h.fields }));
/** Hits stably sorted by `fields[f]` (nulls last either way), equal ones keeping their rank. */
function stableBy(hits: Hit[], keys: Array<{ f: string; desc: boolean }>): Array<Hit['id']> {
  return hits.map((h, rank) => ({ h, rank })).sort((x, y) => {
    for (const { f, desc } of keys) {
      const a = x.h.fields[f] ?? null, b = y.h.fields[f] ?? null;
      if (a === null || b === null) { if (a !== b) return a === null ? 1 : -1; continue; }
      if (a !== b) return ((a as number) < (b as number) ? -1 : 1) * (desc ? -1 : 1);
    }
    return x.rank - y.rank;
  }).map((x) => x.h.id);
}

const specs: SearchAggregation[] = [
  { fields: ['brand'], size: 4, metrics: { n: { op: 'count', field_name: '*' }, avg_price: { op: 'avg', field_name: 'price' }, total: { op: 'sum', field_name: 'qty' }, best: { op: 'max', field_name: '_score' } }, top_hits: { size: 3 } },
  {
    fields: ['color'], size: 3, order: [{ key: '_count', direction: 'desc' }],
    sub_aggregation: { fields: ['brand'], size: 2, metrics: { lo: { op: 'min', field_name: 'price' } }, order: [{ key: 'lo', direction: 'asc' }], top_hits: { size: 2, sort: [{ field_name: 'qty', direction: 'desc' }] } },
  },
  { fields: ['brand', 'color'], size: 3, search_size: 4, metrics: { n: { op: 'count', field_name: '*' } }, order: [{ key: '_count', direction: 'desc' }], top_hits: { size: 1 } },
];

test('hybrid search: orderByFields reorders the fused page; an aggregation equals the reference over the fused hits; search_size cuts the bucket candidates', async () => {
  const s = await tempStandalone({ port: 0, streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } });
  try {
    const c = s.client;
    await c.createCollection({
      collectionName: 'h', schema, metricType: 'L2', shardsNum: 2, load: true,
      indexParams: [{ indexName: 'ia', fieldName: 'va', indexType: 'HNSW', params: { M: 16, efConstruction: 200 } }, { indexName: 'ib', fieldName: 'vb', indexType: 'FLAT', metricType: 'IP', params: {} }],
    });
    await c.insert('h', rowsOf(0, 300, 1));
    await c.flush('h');
    await c.insert('h', rowsOf(300, 300, 2));
    await c.flush('h');
    await untilIndexedAndLoaded(s, 'h', 600);
    await c.insert('h', rowsOf(600, 200, 3));
    await c.delete('h', { filter: 'id % 7 == 0' });
    await c.upsert('h', rowsOf(10, 20, 4).map((r) => ({ ...r, brand: 'z', price: 0.5 })));
    const qa = vectors(2, A, 9), qb = vectors(2, B, 10);
    const searches = (limit: number): AnnSearch[] => [
      { annsField: 'va', data: qa, limit, searchParams: { params: { ef: 400 } } },
      { annsField: 'vb', data: qb, limit, filter: 'qty > 2' },
    ];
    const base = (limit: number): HybridSearchRequest => ({ searches: searches(limit), limit, consistencyLevel: 'Strong', outputFields: SHOWN });

    // ---- orderByFields: the page reordered, as a search's ---------------
    for (const rerank of [undefined, { strategy: 'weighted' as const, weights: [0.7, 0.3], normScore: true }]) {
      const req = { ...base(60), limit: 15, offset: 5, ...(rerank ? { rerank } : {}) };
      const plain = await c.hybridSearch('h', { ...req, outputFields: ['price', 'color'] });
      const keys = [{ f: 'price', desc: true }, { f: 'color', desc: false }];
      const ordered = await c.hybridSearch('h', { ...req, outputFields: ['color'], orderByFields: [{ field: 'price', order: 'desc' }, { field: 'color' }] });
      assert.is(ordered.length, 2, 'one list per query vector');
      ordered.forEach((list, q) => {
        assert.equal(list.map((h) => h.id), stableBy(plain[q]!, keys), `query ${q}: the page of the plain hybrid search, reordered`);
        assert.ok(list.every((h) => !('price' in h.fields) && 'color' in h.fields), 'price read for the order only');
        assert.equal(list.map((h) => h.distance).sort(), plain[q]!.map((h) => h.distance).sort(), 'fused scores kept');
      });
      assert.ok(plain.some((l) => l.some((h) => h.fields.price === null)), 'nulls among the hits');
    }

    // ---- aggregation over the fused hits ---------------------------------
    for (const [si, aggregation] of specs.entries()) {
      const req = { ...base(120), ...(si === 1 ? { rerank: { strategy: 'rrf' as const, k: 10 } } : {}) };
      const plain = await c.hybridSearch('h', req);
      assert.ok(plain[0]!.some((h) => (h.id as number) >= 600) && plain[0]!.some((h) => (h.id as number) < 600), 'candidates both sealed and growing');
      assert.ok(plain.flat().every((h) => (h.id as number) % 7 !== 0), 'deleted rows are no candidates');
      const got = await c.hybridSearch('h', { ...req, aggregation });
      assert.is(got.agg_buckets.length, 2, 'one list of buckets per query vector');
      got.agg_buckets.forEach((buckets, q) => {
        const want = referenceAggregate(refRows(plain[q]!), aggregation);
        assert.ok(want.length > 1, 'several buckets');
        assert.equal(comparable(buckets), want, `spec ${si}, query ${q}`);
        const byId = new Map(plain[q]!.map((h) => [h.id, h]));
        const walk = (bs: typeof buckets) => bs.forEach((b) => { b.hits.forEach((h) => { assert.equal(h.fields, byId.get(h.pk)!.fields); assert.is(h.score, byId.get(h.pk)!.distance); }); walk(b.sub_groups); });
        walk(buckets);
      });
    }
    // round_decimal rounds the top hits' scores, as a search's.
    const rounded = await c.hybridSearch('h', { ...base(30), roundDecimal: 2, aggregation: { fields: ['color'], size: 3, top_hits: { size: 30 } } });
    assert.ok(rounded.agg_buckets[0]!.flatMap((b) => b.hits).every((h) => Math.round(h.score * 100) / 100 === h.score));

    // ---- search_size: the bucket budget, plain and hybrid -----------------
    // Buckets by count: without a budget the most frequent brands win; with one, only the first ones met compete.
    const byCount = (searchSize?: number): SearchAggregation => ({ fields: ['brand'], size: 2, metrics: { n: { op: 'count', field_name: '*' } }, order: [{ key: '_count', direction: 'desc' }, { key: '_key', direction: 'asc' }], ...(searchSize ? { search_size: searchSize } : {}) });
    let differs = 0;
    for (const q of vectors(4, A, 21)) {
      const plainReq = { annsField: 'va', data: [q], limit: 100, consistencyLevel: 'Strong' as const, outputFields: SHOWN, searchParams: { params: { ef: 400 } } };
      const [hits] = await c.search('h', plainReq);
      const all = await c.search('h', { ...plainReq, aggregation: byCount() });
      const budget = await c.search('h', { ...plainReq, aggregation: byCount(2) });
      assert.equal(comparable(all.agg_buckets[0]!), referenceAggregate(refRows(hits!), byCount()));
      assert.equal(comparable(budget.agg_buckets[0]!), referenceAggregate(refRows(hits!), byCount(2)));
      // With a budget of 2, the buckets are those of the first two brands met in ranking order.
      const met = [...new Set(hits!.map((h) => h.fields.brand ?? null))].slice(0, 2);
      assert.equal(new Set(budget.agg_buckets[0]!.map((b) => b.key[0]!.value)), new Set(met));
      if (JSON.stringify(comparable(all.agg_buckets[0]!)) !== JSON.stringify(comparable(budget.agg_buckets[0]!))) differs++;
    }
    assert.ok(differs > 0, 'search_size changes the answer for some query');
    const [hy] = await c.hybridSearch('h', { ...base(100), searches: searches(100).map((x) => ({ ...x, data: [x.data[0]!] })) });
    const hyBudget = await c.hybridSearch('h', { ...base(100), searches: searches(100).map((x) => ({ ...x, data: [x.data[0]!] })), aggregation: byCount(3) });
    assert.equal(comparable(hyBudget.agg_buckets[0]!), referenceAggregate(refRows(hy!), byCount(3)), 'search_size on a hybrid aggregation');

    // ---- refusals ----------------------------------------------------------
    const refused = async (extra: object, re: RegExp) => {
      try { await c.hybridSearch('h', { ...base(20), ...extra } as never); assert.unreachable(`accepted ${JSON.stringify(extra)}`); } catch (e) {
        assert.instance(e, ValidationError);
        assert.match((e as Error).message, re);
      }
    };
    await refused({ aggregation: { fields: ['brand'], size: 2 }, offset: 3 }, /takes no offset/);
    await refused({ aggregation: { fields: ['brand'], size: 2 }, groupingField: 'color' }, /takes no groupingField/);
    await refused({ aggregation: { fields: ['brand'], size: 2 }, orderByFields: 'price' }, /takes no orderByFields/);
    await refused({ aggregation: { fields: ['va'], size: 2 } }, /FloatVector: buckets are keyed by/);
    await refused({ orderByFields: 'va' }, /cannot order by FloatVector/);
    try { await c.search('h', { annsField: 'va', data: [qa[0]!], limit: 5, orderByFields: 'price', aggregation: { fields: ['brand'], size: 2 } }); assert.unreachable('search took orderByFields with aggregation'); } catch (e) { assert.instance(e, ValidationError); }

    // ---- REST ----------------------------------------------------------
    const http = new V2Client(s.http!.url);
    const restSearch = [
      { annsField: 'va', data: qa, limit: 40, params: { ef: 400 } },
      { annsField: 'vb', data: qb, limit: 40, filter: 'qty > 2' },
    ];
    const restBody = { collectionName: 'h', search: restSearch, limit: 40, consistencyLevel: 'Strong', outputFields: ['brand'] };
    const wantOrdered = await c.hybridSearch('h', { ...base(40), outputFields: ['brand'], orderByFields: [{ field: 'qty', order: 'desc' }] });
    const restOrdered = await http.ok('/entities/hybrid_search', { ...restBody, orderByFields: [{ fieldName: 'qty', order: 'desc' }] });
    assert.equal(restOrdered.map((h: { id: number }) => h.id), wantOrdered.flat().map((h) => h.id), 'REST hybrid_search with orderByFields');
    const wantAgg = await c.hybridSearch('h', { ...base(40), outputFields: ['brand'], aggregation: specs[0]! });
    const restAgg = await http.okReply('/entities/hybrid_search', { ...restBody, aggregation: specs[0] });
    assert.equal(restAgg.data, JSON.parse(JSON.stringify(wantAgg.agg_buckets.flat())), 'REST hybrid_search with aggregation');
    await http.fails('/entities/hybrid_search', { ...restBody, aggregation: { fields: ['brand'], size: 2, search_size: 1 } }, /search_size: must be at least size/);
  } finally { await s.cleanup(); }
});

test.run();
