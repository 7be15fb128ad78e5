import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileFilter } from '../../messages/filter/evaluate.js';
import { parseFilter } from '../../messages/filter/index.js';
import type { Expr } from '../../messages/filter/ast.js';
import type { CollectionSchema, MetricType } from '../../messages/schema.js';
import { withinRange, type DistanceRange } from '../../actors/shared/vector/distanceRange.js';
import { compareRanked } from '../../actors/shared/vector/topK.js';
import { mulberry32 } from '../../bench/support/dataset.js';
import { advanceCursor, excludeNearBound, nextRange, SearchIterator, startCursor, type RangeSearch } from '../../runtime/client/searchIterator.js';
import type { Hit } from '../../runtime/client/api.js';

/**
 * A search iterator over a stand-in for the shards: each batch a range search
 * past the worst distance returned, hits near it left out by key. Every hit
 * comes once, best first, through ties at batch edges and through distances
 * that move a little between batches (a row scored by another kernel).
 */
const schema: CollectionSchema = { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: 2 }, { name: 'odd', dataType: 'Bool' }] };
const N = 500;
const rand = mulberry32(3);
/** Few distinct distances, so ties are common; signed, for IP. */
const base = Array.from({ length: N }, () => Math.floor(rand() * 60) / 8 - (rand() < 0.3 ? 4 : 0));
const columns = { id: Array.from({ length: N }, (_, i) => i), odd: Array.from({ length: N }, (_, i) => i % 2 === 1) };

/** Exact search over `base`; with `jitter`, every call scores each row a little differently (within a few float32 ulps). */
function shards(metric: MetricType, jitter: boolean): { search: RangeSearch; calls: Array<{ k: number; range?: DistanceRange; excluded: number }> } {
  const calls: Array<{ k: number; range?: DistanceRange; excluded: number }> = [];
  let call = 0;
  const search: RangeSearch = async (k, range, filter) => {
    call++;
    calls.push({ k, ...(range ? { range } : {}), excluded: countExcluded(filter) });
    const pass = filter ? compileFilter(filter, schema).bind(columns) : () => true;
    const inRange = range ? withinRange(metric, range) : () => true;
    const hits: Hit[] = [];
    for (let i = 0; i < N; i++) {
      const d = jitter ? base[i]! * (1 + (((i * 7 + call) % 5) - 2) * 3e-7) : base[i]!;
      if (pass(i) && inRange(d)) hits.push({ id: i, distance: d, fields: {} });
    }
    return hits.sort((a, b) => compareRanked(metric)({ id: a.id, distance: a.distance }, { id: b.id, distance: b.distance })).slice(0, k);
  };
  return { search, calls };
}
function countExcluded(e: Expr | null): number {
  if (!e) return 0;
  if (e.kind === 'in' && e.negated) return e.values.length;
  return e.kind === 'and' ? e.args.reduce((n, a) => n + countExcluded(a), 0) : 0;
}
async function drain(it: SearchIterator): Promise<Hit[][]> {
  const out: Hit[][] = [];
  for await (const b of it) out.push(b);
  return out;
}
const ranked = (metric: MetricType, keep: (i: number) => boolean = () => true) => columns.id.filter(keep).map((i) => ({ id: i, distance: base[i]! })).sort(compareRanked(metric));

for (const metric of ['L2', 'IP'] as const) {
  for (const jitter of [false, true]) {
    test(`${metric}${jitter ? ', distances moving between batches' : ''}: every row once, in the exact ranking's order`, async () => {
      for (const batch of [1, 7, 64, 499, 500, 1000]) {
        const { search } = shards(metric, jitter);
        const batches = await drain(new SearchIterator(search, metric, 'id', null, undefined, batch, -1, 1n));
        const hits = batches.flat();
        assert.ok(batches.slice(0, -1).every((b) => b.length === batch), 'full batches but the last');
        assert.is(new Set(hits.map((h) => h.id)).size, N, `batch ${batch}: no duplicates`);
        assert.is(hits.length, N);
        // Ranked by the exact distances, ties in any order: the sequence of distances matches.
        assert.equal(hits.map((h) => base[h.id as number]), ranked(metric).map((h) => h.distance), `batch ${batch}`);
      }
    });
  }
}

test('a limit, a filter and the user\'s own range bound what the iterator returns', async () => {
  const { search, calls } = shards('L2', false);
  const filter = parseFilter('odd == true');
  const range = { radius: 5, rangeFilter: 1 };
  const batches = await drain(new SearchIterator(search, 'L2', 'id', filter, range, 10, 35, 1n));
  const hits = batches.flat();
  const want = ranked('L2', (i) => i % 2 === 1 && base[i]! >= 1 && base[i]! < 5);
  assert.ok(want.length > 35);
  assert.equal(batches.map((b) => b.length), [10, 10, 10, 5]);
  assert.equal(hits.map((h) => h.distance), want.slice(0, 35).map((h) => h.distance));
  for (const c of calls) assert.ok(c.range!.radius === 5 && c.range!.rangeFilter! >= 1, 'the user\'s bounds hold on every batch');
  assert.equal(calls.map((c) => c.k), [11, 11, 11, 5], 'one hit more than the batch, while the limit allows more');
});

test('the cursor: the bound never moves back, and only hits near it stay excluded', () => {
  let c = startCursor();
  assert.is(nextRange('L2', c, undefined), undefined, 'the first batch is a plain search');
  c = advanceCursor('L2', c, [{ id: 1, distance: 0.5, fields: {} }, { id: 2, distance: 2, fields: {} }, { id: 3, distance: 2, fields: {} }]);
  assert.equal(c.nearBound.map((h) => h.pk), [2, 3]);
  const r = nextRange('L2', c, undefined)!;
  assert.ok(r.rangeFilter! < 2 && r.rangeFilter! > 1.999, 'a drift inside the bound');
  assert.is(r.radius, Number.MAX_VALUE);
  c = advanceCursor('L2', c, [{ id: 4, distance: 1.99999, fields: {} }]);
  assert.is(c.bound, 2, 'a hit a drift better than the bound does not move it back');
  assert.equal(c.nearBound.map((h) => h.pk), [2, 3, 4]);
  c = advanceCursor('L2', c, [{ id: 5, distance: 3, fields: {} }]);
  assert.equal(c.nearBound.map((h) => h.pk), [5]);
  const ip = advanceCursor('IP', startCursor(), [{ id: 'a', distance: 9, fields: {} }, { id: 'b', distance: -3, fields: {} }]);
  const ipRange = nextRange('IP', ip, { radius: -10 })!;
  assert.ok(ipRange.rangeFilter! > -3 && ipRange.radius === -10);
  const notIn = excludeNearBound(parseFilter('odd == true'), 'id', c)!;
  assert.equal(columns.id.slice(0, 8).filter(compileFilter(notIn, schema).bind(columns)), [1, 3, 7], 'the filter and not the excluded key');
});

test.run();
