/**
 * Specifies ordered reads without servers: the order (keys, directions, nulls
 * last, ties by key), the checks of an order against a schema, and that each
 * source's first n merged k ways is the first n of a full sort.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkOrderCursor, orderComparator, readOrderBy, type OrderKey } from '../../messages/orderBy.js';
import { mergeOrdered, topOrdered } from '../../actors/shared/segment/orderedRows.js';
import { ValidationError } from '../../messages/errors.js';
import type { CollectionSchema, PrimaryKey } from '../../messages/schema.js';

const schema: CollectionSchema = {
  enableDynamicField: true,
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'v', dataType: 'FloatVector', dim: 2 },
    { name: 'a', dataType: 'Int32', nullable: true },
    { name: 'b', dataType: 'VarChar', maxLength: 8, nullable: true },
    { name: 'c', dataType: 'Bool', nullable: true },
    { name: 'd', dataType: 'Double', nullable: true },
    { name: 't', dataType: 'Timestamptz', nullable: true },
    { name: 'j', dataType: 'JSON' },
    { name: 'arr', dataType: 'Array', elementType: 'Int32', maxCapacity: 4 },
    { name: 'g', dataType: 'Geometry' },
  ],
};

test('an order is a name (ascending) or a list of {field, order}', () => {
  assert.equal(readOrderBy('a', schema), [{ field: 'a', desc: false }]);
  assert.equal(readOrderBy([{ field: 'b', order: 'desc' }, { field: 'a' }, { field: 't', order: 'ASC' }], schema), [{ field: 'b', desc: true }, { field: 'a', desc: false }, { field: 't', desc: false }]);
  assert.equal(readOrderBy(undefined, schema), []);
});

test('an order names scalar fields of the schema, once each, with a known direction', () => {
  const refused = (input: unknown, want: RegExp) => {
    try { readOrderBy(input, schema); } catch (e) {
      assert.ok(e instanceof ValidationError, String(e));
      assert.is((e as ValidationError).code, 'InvalidArgument');
      assert.is((e as ValidationError).info.field, 'orderByFields');
      assert.match((e as Error).message, want);
      return;
    }
    assert.unreachable(`${JSON.stringify(input)} should be refused`);
  };
  for (const f of ['j', 'arr', 'v', 'g']) refused(f, /cannot order by .* field/);
  refused('nope', /no such field/);
  refused('dyn', /dynamic field cannot be ordered by/);
  refused([{ field: 'a' }, { field: 'a', order: 'desc' }], /twice/);
  refused([{ field: 'a', order: 'up' }], /'asc' or 'desc'/);
  refused([{ field: 'a', direction: 'desc' }], /unknown key 'direction'/);
  refused([{ field: '' }], /non-empty/);
  refused(42, /field name or a list/);
  refused([null], /\{field, order\}/);
});

// ---- the order and the merge ----------------------------------------------

/** A seeded generator (mulberry32): the cases are random but the same on every run. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Row { pk: PrimaryKey; a: number | null; b: string | null; c: boolean | null; d: number | null }

/** The order written out plainly, for a row object: nulls after every value, each key in its direction, then the key. */
function reference(keys: OrderKey[]): (x: Row, y: Row) => number {
  return (x, y) => {
    for (const k of keys) {
      const p = x[k.field as 'a'], q = y[k.field as 'a'];
      if (p === null && q === null) continue;
      if (p === null) return 1;
      if (q === null) return -1;
      if (p !== q) return (p < q ? -1 : 1) * (k.desc ? -1 : 1);
    }
    return x.pk < y.pk ? -1 : x.pk > y.pk ? 1 : 0;
  };
}

test('the comparator: nulls last both ways, directions per key, ties by primary key', () => {
  const cmp = orderComparator([{ field: 'a', desc: true }, { field: 'b', desc: false }]);
  const rows = [
    { pk: 5, values: [null, 'x'] }, { pk: 1, values: [3, 'b'] }, { pk: 2, values: [3, 'a'] }, { pk: 3, values: [7, null] },
    { pk: 4, values: [3, 'a'] }, { pk: 0, values: [null, null] }, { pk: 6, values: [7, 'z'] },
  ];
  assert.equal(rows.sort(cmp).map((r) => r.pk), [6, 3, 2, 4, 1, 5, 0]);
  const bools = orderComparator([{ field: 'c', desc: false }]);
  assert.equal([{ pk: 1, values: [true] }, { pk: 2, values: [null] }, { pk: 3, values: [false] }].sort(bools).map((r) => r.pk), [3, 1, 2]);
});

for (const [label, stringKeys] of [['integer keys', false], ['string keys', true]] as const) {
  test(`${label}: each segment's first n merged k ways equals the first n of a full sort (many random cases)`, () => {
    const next = rng(stringKeys ? 99 : 7);
    const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)]!;
    const fields = ['a', 'b', 'c', 'd'];
    for (let round = 0; round < 300; round++) {
      // Few distinct values, many nulls: ties and nulls on every key.
      const n = Math.floor(next() * 120);
      const rows: Row[] = Array.from({ length: n }, (_, i) => ({
        pk: stringKeys ? `k${(i * 7919) % 1000}` : (i * 7919) % 1000 - 500,
        a: next() < 0.2 ? null : Math.floor(next() * 4) - 2,
        b: next() < 0.2 ? null : pick(['', 'a', 'ab', 'B', 'é']),
        c: next() < 0.2 ? null : next() < 0.5,
        d: next() < 0.2 ? null : pick([-0.5, 0, 1.25, 1e9]),
      }));
      const keys: OrderKey[] = [];
      for (const f of fields) if (next() < 0.5) keys.push({ field: f, desc: next() < 0.5 });
      if (keys.length === 0) keys.push({ field: pick(fields), desc: next() < 0.5 });
      const limit = pick([0, 1, 3, 10, 50, 200]);
      // Deal the rows into a random number of segments; each passes a random subset (the filter).
      const segs = Math.max(1, Math.floor(next() * 6));
      const dealt: Row[][] = Array.from({ length: segs }, () => []);
      for (const r of rows) dealt[Math.floor(next() * segs)]!.push(r);
      const passes = new Set(rows.filter(() => next() < 0.8));
      const lists = dealt.map((seg) => {
        const cols = { pks: seg.map((r) => r.pk), vectors: new Float32Array(0), fields: Object.fromEntries(fields.map((f) => [f, seg.map((r) => r[f as 'a'])])) };
        const accepted = seg.map((r, i) => (passes.has(r) ? i : -1)).filter((i) => i >= 0);
        return topOrdered(keys, { rows: cols, pkName: 'id' }, accepted, limit);
      });
      const got = mergeOrdered(lists, limit, keys).map((h) => h.pk);
      const all = rows.filter((r) => passes.has(r)).sort(reference(keys)).map((r) => r.pk);
      const want = limit > 0 ? all.slice(0, limit) : all;
      assert.equal(got, want, `round ${round}: keys ${JSON.stringify(keys)} limit ${limit} over ${segs} segments`);
    }
  });
}

test('an ordered walk: pages of each segment\'s first n past the cursor, merged, laid end to end, are the full sort once', () => {
  const next = rng(31);
  const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)]!;
  const fields = ['a', 'b', 'c', 'd'];
  for (let round = 0; round < 150; round++) {
    const rows: Row[] = Array.from({ length: Math.floor(next() * 150) }, (_, i) => ({
      pk: (i * 7919) % 1000, a: next() < 0.25 ? null : Math.floor(next() * 3), b: next() < 0.25 ? null : pick(['', 'a', 'B']),
      c: next() < 0.25 ? null : next() < 0.5, d: next() < 0.25 ? null : pick([-0.5, 0, 1.25]),
    }));
    const keys: OrderKey[] = fields.filter(() => next() < 0.5).map((field) => ({ field, desc: next() < 0.5 }));
    if (keys.length === 0) keys.push({ field: pick(fields), desc: next() < 0.5 });
    const segs = Array.from({ length: 1 + Math.floor(next() * 4) }, () => [] as Row[]);
    for (const r of rows) segs[Math.floor(next() * segs.length)]!.push(r);
    const page = 1 + Math.floor(next() * 20);
    const walked: PrimaryKey[] = [];
    let after: { pk: PrimaryKey; values: unknown[] } | undefined;
    for (let guard = 0; guard <= rows.length + 1; guard++) {
      const lists = segs.map((seg) => topOrdered(keys, { rows: { pks: seg.map((r) => r.pk), vectors: new Float32Array(0), fields: Object.fromEntries(fields.map((f) => [f, seg.map((r) => r[f as 'a'])])) }, pkName: 'id' }, seg.map((_, i) => i), page, after));
      const got = mergeOrdered(lists, page, keys);
      walked.push(...got.map((h) => h.pk));
      if (got.length < page) break;
      after = { pk: got[got.length - 1]!.pk, values: got[got.length - 1]!.values as unknown[] };
    }
    assert.equal(walked, [...rows].sort(reference(keys)).map((r) => r.pk), `round ${round}: ${JSON.stringify(keys)} pages of ${page}`);
  }
});

test('an ordered cursor holds one value per key, of the key\'s type or null, and a primary key of the collection\'s type', () => {
  const keys: OrderKey[] = [{ field: 'a', desc: false }, { field: 'b', desc: true }, { field: 't', desc: false }];
  assert.equal(checkOrderCursor({ values: [1, null, 1735689600000], pk: 4 }, keys, schema), { values: [1, null, 1735689600000], pk: 4 });
  for (const bad of [{ values: [1, 'x'], pk: 4 }, { values: [1, 'x', 0], pk: '4' }, { values: ['1', 'x', 0], pk: 4 }, { values: [1, 2, 0], pk: 4 }, { values: [1, 'x', '2025-01-01'], pk: 4 }, { values: [Infinity, 'x', 0], pk: 4 }, null]) {
    assert.throws(() => checkOrderCursor(bad, keys, schema), (e: unknown) => e instanceof ValidationError, JSON.stringify(bad));
  }
});

test('a stored null of a field with a default reads as the default; the primary key orders as a field', () => {
  const cols = { pks: [3, 1, 2], vectors: new Float32Array(0), fields: { a: [null, 5, 1] } };
  const byA = topOrdered([{ field: 'a', desc: false }], { rows: cols, pkName: 'id', defaults: new Map([['a', 2]]) }, [0, 1, 2], 0);
  assert.equal(byA.map((h) => h.pk), [2, 3, 1]);
  const byPk = topOrdered([{ field: 'id', desc: true }], { rows: cols, pkName: 'id' }, [0, 1, 2], 2);
  assert.equal(byPk.map((h) => h.pk), [3, 2]);
});

test.run();
