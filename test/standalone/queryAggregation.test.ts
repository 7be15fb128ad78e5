import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../messages/errors.js';
import { formatTimestamptz } from '../../messages/timestamptz.js';
import type { RowObject } from '../../runtime/client/api.js';
import { tempStandalone, untilIndexedAndLoaded, vectors } from './harness.js';

/**
 * Query aggregation through the whole read path: two shards, each with
 * sealed segments on the query node and growing rows in the delegator, some
 * rows deleted and some upserted. Every aggregation must equal the same
 * aggregation computed here, by sorting, over the rows a plain query returns.
 */
const DIM = 4;
const T0 = Date.UTC(2026, 0, 1) * 1000;
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
    { name: 'brand', dataType: 'VarChar' as const, maxLength: 8, nullable: true },
    { name: 'color', dataType: 'Int32' as const },
    { name: 'price', dataType: 'Float' as const, nullable: true },
    { name: 'qty', dataType: 'Int64' as const },
    { name: 'ok', dataType: 'Bool' as const },
    { name: 'at', dataType: 'Timestamptz' as const },
  ],
};
/** Prices are multiples of 0.5, exact in float32, so sums do not depend on the order rows are added in. */
const rowsOf = (from: number, n: number, seed: number) => vectors(n, DIM, seed).map((vec, i) => {
  const id = from + i;
  return {
    id, vec, brand: id % 11 === 0 ? null : ['a', 'b', 'c', 'd', 'e'][(id * 7) % 5]!, color: id % 3, price: id % 13 === 0 ? null : ((id * 37) % 200) / 2,
    qty: (id * 11) % 40, ok: id % 4 === 0, at: formatTimestamptz(T0 + ((id * 7919) % 1000) * 60_000_000),
  };
});

type Op = 'count' | 'sum' | 'avg' | 'min' | 'max';
/** The reference: rows sorted by their group key, each run of equal keys folded, SQL's way (nulls skipped, a null key a group, last). */
function reference(rows: RowObject[], groupBy: string[], outputs: string[]): RowObject[] {
  const keyOf = (r: RowObject) => groupBy.map((f) => r[f] ?? null);
  const cmp = (a: unknown[], b: unknown[]) => {
    for (let i = 0; i < a.length; i++) {
      if (a[i] === b[i]) continue;
      if (a[i] === null) return 1;
      if (b[i] === null) return -1;
      return (a[i] as number) < (b[i] as number) ? -1 : 1;
    }
    return 0;
  };
  const sorted = [...rows].sort((a, b) => cmp(keyOf(a), keyOf(b)));
  const runs: RowObject[][] = [];
  for (const r of sorted) {
    const last = runs.at(-1);
    if (last && cmp(keyOf(last[0]!), keyOf(r)) === 0) last.push(r); else runs.push([r]);
  }
  if (groupBy.length === 0 && runs.length === 0) runs.push([]);
  return runs.map((run) => Object.fromEntries(outputs.map((o) => {
    const m = /^(\w+)\((.+)\)$/.exec(o);
    if (!m) return [o, run[0]![o] ?? null];
    const [, op, field] = m as unknown as [string, Op, string];
    const vals = field === '*' ? run.map(() => 1) : run.map((r) => r[field]).filter((v) => v !== null && v !== undefined);
    const nums = vals as number[];
    const fold = { count: vals.length, sum: vals.length ? nums.reduce((s, v) => s + v, 0) : null, avg: vals.length ? nums.reduce((s, v) => s + v, 0) / vals.length : null,
      min: vals.length ? [...vals].sort()[0] : null, max: vals.length ? [...vals].sort().at(-1) : null };
    // Numbers compare as numbers (sort() above compares text: fine for VarChar and RFC 3339 instants of one zone).
    if ((op === 'min' || op === 'max') && typeof vals[0] === 'number') fold[op] = vals.length ? (op === 'min' ? Math.min(...nums) : Math.max(...nums)) : null;
    return [`${op}(${field})`, fold[op]];
  })));
}

const asks: Array<{ groupBy: string[]; outputs: string[]; filter?: string }> = [
  { groupBy: ['brand'], outputs: ['brand', 'count(*)', 'count(price)', 'sum(qty)', 'avg(price)', 'min(price)', 'max(qty)'] },
  { groupBy: ['color', 'brand'], outputs: ['color', 'brand', 'sum(price)', 'min(brand)', 'max(brand)', 'max(at)'], filter: 'qty > 4' },
  { groupBy: ['ok'], outputs: ['ok', 'count(brand)', 'min(at)', 'avg(qty)'] },
  { groupBy: ['at'], outputs: ['at', 'count(*)'], filter: 'color == 1' },
  { groupBy: [], outputs: ['count(*)', 'count(brand)', 'sum(qty)', 'avg(price)', 'min(brand)', 'max(price)'] },
  { groupBy: [], outputs: ['count(*)', 'sum(qty)', 'min(brand)'], filter: 'id < 0' },
  { groupBy: ['color'], outputs: [], filter: 'brand == "a"' },
];

test('aggregations over sealed, growing, deleted and upserted rows on two shards equal the reference over the plain rows', async () => {
  const s = await tempStandalone({ streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } });
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'shop', schema, metricType: 'L2', shardsNum: 2, indexParams: [{ indexName: 'v', fieldName: 'vec', indexType: 'HNSW', params: { M: 16, efConstruction: 64 } }], load: true });
    await c.insert('shop', rowsOf(0, 300, 1));
    await c.flush('shop');
    await c.insert('shop', rowsOf(300, 300, 2));
    await c.flush('shop');
    await untilIndexedAndLoaded(s, 'shop', 600);
    await c.insert('shop', rowsOf(600, 200, 3));
    await c.delete('shop', { filter: 'id % 7 == 0' });
    await c.upsert('shop', rowsOf(10, 20, 4).map((r) => ({ ...r, brand: 'z', price: 0.5 })));
    const all = await c.query('shop', { filter: 'id >= 0', outputFields: ['brand', 'color', 'price', 'qty', 'ok', 'at'], consistencyLevel: 'Strong' });
    // Deleted: every seventh key; the upsert brought back those among 10..29.
    assert.is(all.length, 800 - Math.ceil(800 / 7) + [14, 21, 28].length);
    for (const [i, a] of asks.entries()) {
      const filter = a.filter ?? 'id >= 0';
      const got = await c.query('shop', { filter, groupByFields: a.groupBy, outputFields: a.outputs, consistencyLevel: 'Strong' });
      const rows = a.filter ? await c.query('shop', { filter, outputFields: ['brand', 'color', 'price', 'qty', 'ok', 'at'], consistencyLevel: 'Strong' }) : all;
      const want = reference(rows, a.groupBy, a.outputs.length ? a.outputs : a.groupBy);
      assert.equal(got, want, `ask ${i}`);
      if (a.groupBy.length > 0) assert.ok(want.length > 1, `ask ${i} has several groups`);
    }
    // Groups page in key order.
    const whole = await c.query('shop', { filter: 'id >= 0', groupByFields: ['color', 'brand'], outputFields: ['color', 'brand', 'count(*)'], consistencyLevel: 'Strong' });
    const page = await c.query('shop', { filter: 'id >= 0', groupByFields: ['color', 'brand'], outputFields: ['color', 'brand', 'count(*)'], offset: 3, limit: 5, consistencyLevel: 'Strong' });
    assert.equal(page, whole.slice(3, 8));
    assert.is(whole.reduce((n, r) => n + (r['count(*)'] as number), 0), all.length, 'every row in one group');
    // Top groups: ordered by an aggregate (nulls last), ties in key order, then paged.
    const byCount = await c.query('shop', { filter: 'id >= 0', groupByFields: ['color', 'brand'], outputFields: ['color', 'brand', 'count(*)', 'max(at)'], orderByFields: [{ field: 'COUNT(*)', order: 'desc' }, { field: 'max(at)' }], limit: 4, consistencyLevel: 'Strong' });
    const ranked = reference(all, ['color', 'brand'], ['color', 'brand', 'count(*)', 'max(at)'])
      .sort((a, b) => (b['count(*)'] as number) - (a['count(*)'] as number) || String(a['max(at)']).localeCompare(String(b['max(at)'])));
    assert.equal(byCount, ranked.slice(0, 4));
    const cheapest = await c.query('shop', { filter: 'id >= 0', groupByFields: ['brand'], outputFields: ['brand', 'min(price)'], orderByFields: [{ field: 'min(price)', order: 'desc' }], consistencyLevel: 'Strong' });
    assert.equal(cheapest.map((r) => r['min(price)']), reference(all, ['brand'], ['brand', 'min(price)']).map((r) => r['min(price)'] as number | null).sort((a, b) => (a === null ? 1 : b === null ? -1 : b - a)));
    // No filter: an aggregation reads every row.
    assert.equal(await c.query('shop', { groupByFields: ['color'], outputFields: ['color', 'count(*)'], consistencyLevel: 'Strong' }), reference(all, ['color'], ['color', 'count(*)']));
  } finally { await s.cleanup(); }
});

test('aggregating queries that cannot be served are refused with typed errors, and nothing is silently dropped', async () => {
  const s = await tempStandalone();
  try {
    await s.client.createCollection({ collectionName: 'g', schema: { ...schema, fields: [...schema.fields, { name: 'meta', dataType: 'JSON' as const, nullable: true }] }, metricType: 'L2', load: true });
    await s.client.insert('g', rowsOf(0, 20, 1));
    const refused = async (req: object, re: RegExp) => {
      try { await s.client.query('g', { filter: 'id >= 0', ...req }); assert.unreachable(`accepted ${JSON.stringify(req)}`); } catch (e) {
        assert.instance(e, ValidationError);
        assert.match((e as Error).message, re, (e as Error).message);
      }
    };
    await refused({ outputFields: ['count(*)', 'brand'] }, /'brand' is neither an aggregate .* nor one of groupByFields/);
    await refused({ groupByFields: ['brand'], outputFields: ['brand', 'qty'] }, /'qty' is neither an aggregate/);
    await refused({ groupByFields: ['price'], outputFields: ['count(*)'] }, /'price' is Float; a query groups by/);
    await refused({ groupByFields: ['meta'], outputFields: ['count(*)'] }, /'meta' is JSON/);
    await refused({ groupByFields: ['nope'], outputFields: ['count(*)'] }, /'nope' is not a field/);
    await refused({ groupByFields: ['brand', 'brand'], outputFields: ['count(*)'] }, /names a field twice/);
    await refused({ outputFields: ['sum(brand)'] }, /sum cannot read 'brand', a VarChar field/);
    await refused({ outputFields: ['avg(at)'] }, /avg cannot read 'at'/);
    await refused({ outputFields: ['max(*)'] }, /'\*' is for count only/);
    await refused({ outputFields: ['count(vec)'] }, /count cannot read 'vec'/);
    await refused({ outputFields: ['sum(qty)'], orderByFields: [{ field: 'qty', order: 'asc' }] }, /orders its groups by its output columns \(sum\(qty\)\), not by 'qty'/);
    await refused({ groupByFields: ['brand'], outputFields: ['brand', 'count(*)'], orderByFields: [{ field: 'count(*)', order: 'up' }] }, /order must be 'asc' or 'desc'/);
    await refused({ groupByFields: ['brand'], outputFields: ['count(*)'], limit: 16385 }, /limit must be an integer/);
    try { await s.client.queryIterator('g', { batchSize: 5, outputFields: ['sum(qty)'] }); assert.unreachable('an iterator of aggregates'); } catch (e) { assert.match((e as Error).message, /a query iterator returns rows: sum\(qty\)/); }
    for (const f of ['count(*)', 'max(qty)']) {
      try { await s.client.search('g', { data: [vectors(1, DIM, 3)[0]!], limit: 3, outputFields: ['brand', f] }); assert.unreachable(`a search showing ${f}`); } catch (e) {
        assert.instance(e, ValidationError);
        assert.match((e as Error).message, /is an aggregate: only a query aggregates/);
      }
    }
    // Spelling as Milvus users write it: any case, spaces inside.
    assert.equal(await s.client.query('g', { filter: 'id < 4', outputFields: ['COUNT( * )', 'Sum(qty)'], consistencyLevel: 'Strong' }), [{ 'count(*)': 4, 'sum(qty)': 0 + 11 + 22 + 33 }]);
  } finally { await s.cleanup(); }
});

test.run();
