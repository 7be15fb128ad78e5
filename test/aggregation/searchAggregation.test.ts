import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { aggregateRows, mergePartials, type AggRow } from '../../actors/shared/aggregation/partial.js';
import { finalizeBuckets } from '../../actors/shared/aggregation/finalize.js';
import { checkAggregation, type PartialBucket, type SearchAggregation } from '../../messages/searchAggregation.js';
import { ValidationError } from '../../messages/errors.js';
import { decodeReply, decodeRequest, encodeReply, encodeRequest } from '../../messages/rpc/protocol.js';
import { queryNodeChecks, type QueryNodeProtocol } from '../../messages/rpc/workers.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { comparable, referenceAggregate, seeded } from '../support/aggregationReference.js';

/**
 * Search aggregation's pure core: partial buckets computed over any split of
 * the candidates and merged in any grouping equal the aggregation of all of
 * them at once (the reference, written apart); orders, nesting, avg, nulls
 * and the typed refusals of bad requests.
 */

const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'vec', dataType: 'FloatVector', dim: 4 },
    { name: 'brand', dataType: 'VarChar', maxLength: 8, nullable: true },
    { name: 'color', dataType: 'Int32' },
    { name: 'stock', dataType: 'Bool' },
    { name: 'price', dataType: 'Float', nullable: true },
    { name: 'qty', dataType: 'Int64' },
    { name: 'meta', dataType: 'JSON' },
  ],
} as CollectionSchema;

/** Rows with values exact in binary (multiples of 1/4), so sums do not depend on their order. */
function rowsOf(n: number, rnd: () => number): AggRow[] {
  return Array.from({ length: n }, (_, i) => ({
    pk: 1000 + i, rank: i, score: Math.floor(rnd() * 64) / 8,
    fields: {
      brand: rnd() < 0.1 ? null : ['a', 'b', 'c', 'd'][Math.floor(rnd() * 4)]!,
      color: Math.floor(rnd() * 3), stock: rnd() < 0.5,
      price: rnd() < 0.15 ? null : Math.floor(rnd() * 400) / 4, qty: Math.floor(rnd() * 50),
    },
  }));
}

/** A random split into `parts` disjoint lists, each aggregated, then merged two levels deep (nodes, shards, client). */
function splitAndMerge(rows: AggRow[], spec: SearchAggregation, rnd: () => number): PartialBucket[] {
  const level = checkAggregation(spec, schema);
  const parts: AggRow[][] = Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => []);
  for (const r of rows) parts[Math.floor(rnd() * parts.length)]!.push(r);
  const partials = parts.map((p) => aggregateRows(p, level));
  const shards: PartialBucket[][][] = [[], []];
  partials.forEach((p) => shards[Math.floor(rnd() * 2)]!.push(p));
  return mergePartials(shards.map((s) => mergePartials(s, level)), level);
}

const specs: SearchAggregation[] = [
  { fields: ['brand'], size: 10, metrics: { n: { op: 'count', field_name: '*' }, avg_price: { op: 'avg', field_name: 'price' }, sum_qty: { op: 'sum', field_name: 'qty' } } },
  {
    fields: ['brand', 'color'], size: 5,
    metrics: { n_price: { op: 'count', field_name: 'price' }, lo: { op: 'min', field_name: 'price' }, hi: { op: 'max', field_name: 'price' }, best: { op: 'min', field_name: '_score' } },
    order: [{ key: 'hi', direction: 'desc' }, { key: '_count', direction: 'asc' }],
    top_hits: { size: 3, sort: [{ field_name: 'price', direction: 'asc' }] },
  },
  {
    fields: ['color'], size: 3, order: [{ key: '_key', direction: 'desc' }], top_hits: { size: 2 },
    sub_aggregation: {
      fields: ['brand'], size: 2, metrics: { s: { op: 'avg', field_name: 'qty' } }, order: [{ key: 's', direction: 'asc' }], top_hits: { size: 2, sort: [{ field_name: '_score', direction: 'desc' }] },
      sub_aggregation: { fields: ['stock'], size: 2, metrics: { c: { op: 'count', field_name: 'brand' } }, order: [{ key: '_count', direction: 'desc' }, { key: '_key', direction: 'asc' }] },
    },
  },
  { fields: ['stock', 'brand'], size: 20, order: [{ key: '_key', direction: 'asc' }], top_hits: { size: 1, sort: [{ field_name: 'brand', direction: 'desc' }, { field_name: 'qty', direction: 'asc' }] } },
  {
    fields: ['brand'], size: 4, metrics: { lo: { op: 'min', field_name: 'price' } }, order: [{ key: 'lo', direction: 'desc', null_first: true }, { key: '_key', direction: 'desc', null_first: true }],
    top_hits: { size: 4, sort: [{ field_name: 'price', direction: 'asc', null_first: true }] },
  },
  // search_size: a bucket budget at the root and below, cut before the order.
  { fields: ['brand', 'color'], size: 2, search_size: 4, metrics: { n: { op: 'count', field_name: '*' } }, order: [{ key: '_count', direction: 'desc' }] },
  {
    fields: ['color'], size: 2, search_size: 2, order: [{ key: '_key', direction: 'asc' }],
    sub_aggregation: { fields: ['brand'], size: 1, search_size: 3, metrics: { q: { op: 'sum', field_name: 'qty' } }, order: [{ key: 'q', direction: 'desc' }], top_hits: { size: 2 } },
  },
];

test('partial buckets merged over many random splits equal one aggregation of every row (and the reference)', () => {
  for (let seed = 1; seed <= 60; seed++) {
    const rnd = seeded(seed);
    const rows = rowsOf(1 + Math.floor(rnd() * 300), rnd);
    specs.forEach((spec, i) => {
      const level = checkAggregation(spec, schema);
      const want = referenceAggregate(rows, spec);
      assert.equal(comparable(finalizeBuckets(aggregateRows(rows, level), level, (h) => h)), want, `spec ${i}, seed ${seed}, in one piece`);
      assert.equal(comparable(finalizeBuckets(splitAndMerge(rows, spec, rnd), level, (h) => h)), want, `spec ${i}, seed ${seed}, split`);
    });
  }
});

test('avg merges as sum and count, not as a mean of means', () => {
  const level = checkAggregation({ fields: ['color'], size: 1, metrics: { m: { op: 'avg', field_name: 'qty' } } }, schema);
  const row = (pk: number, qty: number): AggRow => ({ pk, rank: pk, score: 0, fields: { color: 1, qty } });
  const merged = mergePartials([aggregateRows([row(0, 10)], level), aggregateRows([row(1, 1), row(2, 1)], level)], level);
  assert.equal(finalizeBuckets(merged, level, (h) => h)[0]!.metrics, { m: 4 });
});

test('null keys form their own bucket, sorted last by _key either way; empty metrics are null, count 0', () => {
  const rows: AggRow[] = [
    { pk: 1, rank: 0, score: 1, fields: { brand: null, price: null } },
    { pk: 2, rank: 1, score: 2, fields: { brand: 'b', price: 3 } },
    { pk: 3, rank: 2, score: 3, fields: { brand: 'a', price: 1 } },
  ];
  const metrics = { p: { op: 'sum' as const, field_name: 'price' }, n: { op: 'count' as const, field_name: 'price' } };
  for (const direction of ['asc', 'desc'] as const) {
    const level = checkAggregation({ fields: ['brand'], size: 5, metrics, order: [{ key: '_key', direction }] }, schema);
    const got = finalizeBuckets(aggregateRows(rows, level), level, (h) => h);
    assert.equal(got.map((b) => b.key[0]!.value), direction === 'asc' ? ['a', 'b', null] : ['b', 'a', null]);
    assert.equal(got[2]!.metrics, { p: null, n: 0 });
  }
  const first = checkAggregation({ fields: ['brand'], size: 5, order: [{ key: '_key', direction: 'asc', null_first: true }] }, schema);
  assert.equal(finalizeBuckets(aggregateRows(rows, first), first, (h) => h).map((b) => b.key[0]!.value), [null, 'a', 'b'], 'null_first puts the null key first');
  const byBest = checkAggregation({ fields: ['brand'], size: 2 }, schema);
  assert.equal(finalizeBuckets(aggregateRows(rows, byBest), byBest, (h) => h).map((b) => b.key[0]!.value), [null, 'b'], 'no order: by best hit; size cuts');
});

test('search_size is the bucket budget: only the first search_size buckets met in ranking order are ordered and cut to size', () => {
  // Ranking order a, b, c, c, c, a: c has the most rows, but is met third.
  const rows: AggRow[] = ['a', 'b', 'c', 'c', 'c', 'a'].map((brand, rank) => ({ pk: rank, rank, score: rank, fields: { brand, color: rank % 2, qty: rank } }));
  const byCount = (extra: object) => checkAggregation({ fields: ['brand'], size: 1, metrics: { n: { op: 'count', field_name: '*' } }, order: [{ key: '_count', direction: 'desc' }], ...extra }, schema);
  const top = (level: ReturnType<typeof byCount>) => finalizeBuckets(aggregateRows(rows, level), level, (h) => h).map((b) => [b.key[0]!.value, b.count]);
  assert.equal(top(byCount({})), [['c', 3]], 'no budget: every bucket is a candidate');
  assert.equal(top(byCount({ search_size: 2 })), [['a', 2]], 'budget 2: a and b are the candidates');
  assert.equal(top(byCount({ search_size: 3 })), [['c', 3]], 'budget 3: c is met');
  // Below the root, the budget holds per parent bucket.
  const nested = checkAggregation({ fields: ['color'], size: 2, order: [{ key: '_key', direction: 'asc' }], sub_aggregation: { fields: ['brand'], size: 1, search_size: 1, order: [{ key: '_count', direction: 'desc' }] } }, schema);
  const got = finalizeBuckets(aggregateRows(rows, nested), nested, (h) => h);
  // color 0: ranks 0 (a), 2 (c), 4 (c): a met first; color 1: ranks 1 (b), 3 (c), 5 (a): b met first.
  assert.equal(got.map((b) => [b.key[0]!.value, b.count, b.sub_groups.map((x) => x.key[0]!.value)]), [[0, 3, ['a']], [1, 3, ['b']]]);
});

test('bad requests are refused with a ValidationError naming where', () => {
  const bad: Array<[unknown, string]> = [
    [{ fields: ['nope'], size: 1 }, 'aggregation.fields[0]'],
    [{ fields: ['vec'], size: 1 }, 'aggregation.fields[0]'],
    [{ fields: ['meta'], size: 1 }, 'aggregation.fields[0]'],
    [{ fields: ['price'], size: 1 }, 'aggregation.fields[0]'],
    [{ fields: [], size: 1 }, 'aggregation.fields'],
    [{ fields: ['brand', 'brand'], size: 1 }, 'aggregation.fields'],
    [{ fields: ['brand'], size: 0 }, 'aggregation.size'],
    [{ fields: ['brand'], size: 1.5 }, 'aggregation.size'],
    [{ fields: ['brand'] }, 'aggregation.size'],
    [{ fields: ['brand'], size: 5, search_size: 2 }, 'aggregation.search_size'],
    [{ fields: ['brand'], size: 1, metrics: { s: { op: 'sum', field_name: 'brand' } } }, 'aggregation.metrics.s.field_name'],
    [{ fields: ['brand'], size: 1, metrics: { s: { op: 'avg', field_name: 'meta' } } }, 'aggregation.metrics.s.field_name'],
    [{ fields: ['brand'], size: 1, metrics: { s: { op: 'sum', field_name: '*' } } }, 'aggregation.metrics.s.field_name'],
    [{ fields: ['brand'], size: 1, metrics: { s: { op: 'median', field_name: 'qty' } } }, 'aggregation.metrics.s.op'],
    [{ fields: ['brand'], size: 1, metrics: { _count: { op: 'count', field_name: '*' } } }, 'aggregation.metrics._count'],
    [{ fields: ['brand'], size: 1, order: [{ key: 'nope', direction: 'asc' }] }, 'aggregation.order[0].key'],
    [{ fields: ['brand'], size: 1, order: [{ key: '_count', direction: 'up' }] }, 'aggregation.order[0].direction'],
    [{ fields: ['brand'], size: 1, top_hits: { size: 0 } }, 'aggregation.top_hits.size'],
    [{ fields: ['brand'], size: 1, top_hits: { size: 1, sort: [{ field_name: 'vec', direction: 'asc' }] } }, 'aggregation.top_hits.sort[0].field_name'],
    [{ fields: ['brand'], size: 1, sub_aggregation: { fields: ['x'], size: 1 } }, 'aggregation.sub_aggregation.fields[0]'],
    [{ fields: ['brand'], size: 1, limit: 3 }, 'aggregation.limit'],
    [{ fields: ['brand'], size: 1, order: [{ key: '_key', direction: 'asc', nulls: 'first' }] }, 'aggregation.order[0].nulls'],
    [{ fields: ['brand'], size: 1, order: [{ key: '_key', direction: 'asc', null_first: 'yes' }] }, 'aggregation.order[0].null_first'],
    [{ fields: ['brand'], size: 1, top_hits: { size: 1, sort: [{ field: 'qty', direction: 'asc' }] } }, 'aggregation.top_hits.sort[0].field'],
    [{ fields: ['a'], size: 1, sub_aggregation: { fields: ['color'], size: 1, sub_aggregation: { fields: ['color'], size: 1, sub_aggregation: { fields: ['color'], size: 1, sub_aggregation: { fields: ['color'], size: 1 } } } } }, 'aggregation.fields[0]'],
  ];
  for (const [spec, path] of bad) {
    try { checkAggregation(spec, schema); assert.unreachable(`${JSON.stringify(spec)} was taken`); }
    catch (e) {
      assert.instance(e, ValidationError, JSON.stringify(spec));
      assert.is((e as ValidationError).info.field, path, JSON.stringify(spec));
    }
  }
  const five = { fields: ['color'], size: 1, sub_aggregation: { fields: ['color'], size: 1, sub_aggregation: { fields: ['color'], size: 1, sub_aggregation: { fields: ['color'], size: 1, sub_aggregation: { fields: ['color'], size: 1 } } } } };
  assert.throws(() => checkAggregation(five, schema), (e: unknown) => e instanceof ValidationError && /at most 4 levels/.test(e.message));
  checkAggregation(five.sub_aggregation, schema); // four levels are taken
});

test('a shard query with an aggregate, and its partial buckets, cross the wire unchanged', () => {
  const level = checkAggregation(specs[2]!, schema);
  const rows = rowsOf(80, seeded(7));
  const aggregate = { level, pks: rows.map((r) => r.pk), scores: rows.map((r) => r.score) };
  const req = { vchannel: 'v', collectionId: 1, filter: null, partitionIds: null, outputFields: ['brand'], limit: 0, guaranteeTso: 5n, segmentIds: [1], pchannel: 'p', deleteSeq: 0, aggregate };
  const back = decodeRequest<QueryNodeProtocol>(encodeRequest<QueryNodeProtocol, 'query'>('query', req), queryNodeChecks);
  // Decoded objects have no prototype: compared as JSON (bigints as text).
  const plain = (v: unknown) => JSON.parse(JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? `${x}n` : x)));
  assert.equal(plain(back), plain({ op: 'query', ...req }));
  const agg = aggregateRows(rows, level);
  assert.equal(plain(decodeReply(encodeReply({ rows: [], count: rows.length, agg }))), plain({ rows: [], count: rows.length, agg }));
  assert.equal(plain(agg), agg, 'partial buckets are plain JSON values');
});

test.run();
