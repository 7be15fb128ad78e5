import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { searchSealed, type SealedRead, type SearchSegment } from '../../actors/query-node/core/sealedSearch.js';
import type { SealedSegment } from '../../actors/shared/segment/segmentFile.js';
import { searchBruteForce } from '../../actors/shared/vector/bruteForce.js';
import { blockWalk, firstPassing, memoRows } from '../../actors/shared/vector/iterativeFilter.js';
import { iterativeRank } from '../../actors/query-node/core/iterativeSegment.js';
import { filterPlanner } from '../../actors/query-node/core/filterPlanner.js';
import { shapeOf } from '../../actors/shared/scalarIndex/scalarIndexTypes.js';
import { buildSortedIndex } from '../../actors/shared/scalarIndex/sortedIndex.js';
import type { RowHit } from '../../actors/shared/vector/bruteForce.js';
import { floatBlock } from '../../actors/shared/vector/vectorBlock.js';
import { distanceFn } from '../../actors/shared/vector/distance.js';
import { compileFilter, type CompiledFilter } from '../../messages/filter/evaluate.js';
import { parseFilter } from '../../messages/filter/index.js';
import type { CollectionSchema, MetricType } from '../../messages/schema.js';
import { gaussianMixture, recallAtK } from '../../bench/support/dataset.js';
import { hnswIndexFactory } from '../../runtime/vectorIndex/hnswIndex.js';
import { ivfFlatFactory } from '../../runtime/vectorIndex/ivf/ivfFactory.js';
import { wideningWalk } from '../../runtime/vectorIndex/indexWalk.js';
import type { VectorIndex } from '../../runtime/vectorIndex/vectorIndex.js';
import { iterativeHint } from '../../runtime/client/searchOptions.js';
import { NuthatchError } from '../../messages/errors.js';

/**
 * Iterative filtering (Milvus's hints: "iterative_filter"): the filter is
 * asked only of the rows a nearest-first walk meets. Exact where the walk
 * is (no index: the same hits as the filtered scan); with an ANN index every
 * hit passes and recall against the exact filtered answer stays high, while
 * the filter is asked of a small share of the rows.
 */
const DIM = 16, N = 4000, K = 10;
const ds = gaussianMixture({ n: N, dim: DIM, clusters: 20, queries: 20, seed: 7 });
const schema: CollectionSchema = { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: DIM }, { name: 'doc', dataType: 'Int64' }, { name: 'tag', dataType: 'VarChar', maxLength: 64 }] };
const doc = Array.from({ length: N }, (_, i) => (i * 7919) % 1000);
const seg: SealedSegment = {
  segmentId: 1, collectionId: 1, partitionId: 0, vchannel: 'v', count: N, dim: DIM,
  pks: Array.from({ length: N }, (_, i) => i), tsos: new Array<bigint>(N).fill(1n), vectors: ds.vectors,
  fields: { doc, tag: doc.map((d) => `t-${d}-${d % 3 === 0 ? 'red' : 'blue'}`) },
};
/** The filters, and which rows each passes (for the exact answers). */
const FILTERS: Array<[string, (row: number) => boolean]> = [
  ['tag like "%red%"', (r) => doc[r]! % 3 === 0], // a third
  ['doc < 500', (r) => doc[r]! < 500], // half
  ['doc < 10', (r) => doc[r]! < 10], // 1%
  ['doc == 998 and tag like "%blue%"', (r) => doc[r] === 998], // 0.1%
  ['doc > 5000', () => false], // none
];

/** A compiled filter that counts the rows it is asked about. */
function counted(expr: string): { filter: CompiledFilter; calls: () => number; asked: Map<number, number> } {
  const f = compileFilter(parseFilter(expr), schema);
  let calls = 0;
  const asked = new Map<number, number>();
  return {
    filter: { ...f, bind: (cols) => { const p = f.bind(cols); return (row) => { calls++; asked.set(row, (asked.get(row) ?? 0) + 1); return p(row); }; } },
    calls: () => calls, asked,
  };
}
const readOf = (filter: CompiledFilter): SealedRead => ({ pkName: 'id', vectorName: 'v', filter, partitionIds: null, readTso: 10n, outputFields: [], deletes: new Map() });
const exact = (metric: MetricType, q: Float32Array, pass: (row: number) => boolean, k = K) =>
  searchBruteForce({ vectors: ds.vectors, dim: DIM, count: N, metric, queries: [q], k, accept: pass })[0]!;
/** A segment as the query node hands it over: walked in rounds, and searched filtered where its filtered search is lazy (HNSW). */
const indexed = (index: VectorIndex, opts = {}): SearchSegment => ({
  seg, index: (q, k, accept) => index.search(q, k, accept ? { ...opts, accept } : opts),
  walk: (q, first, limit) => index.iterate!(q, first, limit, opts)!,
  ...(index.filtersLazily?.(opts) ? { filtersLazily: true } : {}),
});
/** indexed(), noting every row met: those the walk's rounds hand out and those the filtered search hands its filter callback (the nodes hnswlib visits). */
const visiting = (index: VectorIndex, visited: Set<number>, opts = {}): SearchSegment => ({
  ...indexed(index, opts),
  index: (q, k, accept) => index.search(q, k, accept ? { ...opts, accept: (row) => { visited.add(row); return accept(row); } } : opts),
  walk: (q, first, limit) => {
    const walk = index.iterate!(q, first, limit, opts)!;
    return () => { const batch = walk(); for (const h of batch) visited.add(h.row); return batch; };
  },
});

test('blockWalk hands out every row once, in the exact order (distance, then lower row), batch after batch', () => {
  for (const metric of ['L2', 'IP'] as const) {
    const walk = blockWalk({ block: floatBlock(ds.vectors, DIM), count: N, metric, query: ds.queries[0]! }, 16);
    const seen: number[] = [];
    for (let b = walk(); b.length > 0; b = walk()) seen.push(...b.map((h) => h.row));
    assert.equal(seen, exact(metric, ds.queries[0]!, () => true, N).map((h) => h.row), metric);
  }
});

test('without an index, iterative filtering returns exactly the filtered search (L2, IP, COSINE; tight, loose and empty filters)', () => {
  for (const metric of ['L2', 'IP', 'COSINE'] as const) {
    for (const [expr, pass] of FILTERS) {
      const read = readOf(compileFilter(parseFilter(expr), schema));
      const got = searchSealed([{ seg, index: null }], read, ds.queries.slice(0, 5), { k: K, metric, iterativeFilter: true });
      const std = searchSealed([{ seg, index: null }], read, ds.queries.slice(0, 5), { k: K, metric });
      got.forEach((hits, qi) => {
        const want = exact(metric, ds.queries[qi]!, pass);
        assert.equal(hits.map((h) => h.pk), want.map((h) => h.row), `${metric} ${expr}`);
        assert.equal(hits.map((h) => h.distance), want.map((h) => h.distance), `${metric} ${expr}: the scan's distances`);
        assert.equal(hits, std[qi], `${metric} ${expr}: the standard search's answer`);
      });
    }
  }
});

test('a lazily filtering index is searched once, filtered: the filter is asked only of the rows it visits, each once across the search\'s queries', () => {
  const dist = distanceFn('L2');
  const qs = ds.queries.slice(0, 3);
  // A stand-in graph search: query i visits rows of its own and rows query i-1 visited (and some rows twice),
  // asks accept of each visit, and answers the k nearest passing rows it met.
  const visits = qs.map((_, qi) => Array.from({ length: 80 }, (_, j) => (qi * 40 + (j % 70) * 13) % N));
  const visited = new Set(visits.flat());
  const lazy: SearchSegment = {
    seg, filtersLazily: true,
    index: (q, k, accept) => {
      const met = new Map<number, number>();
      for (const row of visits[qs.indexOf(q)]!) if (accept!(row)) met.set(row, dist(ds.vectors, row * DIM, q, DIM));
      return [...met].map(([row, distance]) => ({ row, distance })).sort((a, b) => a.distance - b.distance || a.row - b.row).slice(0, k);
    },
  };
  const c = counted('doc < 500');
  const got = searchSealed([lazy], readOf(c.filter), qs, { k: K, metric: 'L2', iterativeFilter: true });
  assert.equal([...c.asked.keys()].sort((a, b) => a - b), [...visited].sort((a, b) => a - b), 'the rows visited, no other (no sample, no scan)');
  assert.ok([...c.asked.values()].every((n) => n === 1), 'each row asked once, though visited again and by other queries');
  got.forEach((hits, qi) => {
    const want = visits[qi]!.filter((row, i, all) => all.indexOf(row) === i && doc[row]! < 500)
      .map((row) => ({ row, d: dist(ds.vectors, row * DIM, qs[qi]!, DIM) })).sort((a, b) => a.d - b.d || a.row - b.row).slice(0, K);
    assert.is(want.length, K, 'enough passing rows visited');
    assert.equal(hits.map((h) => h.pk), want.map((h) => h.row), 'the search\'s answer');
  });
});

test('without an index, a scalar index\'s candidates are scanned lazily: the standard search\'s exact answer', () => {
  const scalar = new Map([['doc', buildSortedIndex(doc, N, shapeOf({ dataType: 'Int64' })!)]]);
  for (const [expr, pass] of [['doc < 500 and tag like "%red%"', (r: number) => doc[r]! < 500 && doc[r]! % 3 === 0], ['doc < 20 and tag like "%blue%"', (r: number) => doc[r]! < 20 && doc[r]! % 3 !== 0]] as const) {
    const f = compileFilter(parseFilter(expr), schema);
    const planned = { ...readOf(f), planFilter: filterPlanner(f, schema) };
    const want = searchSealed([{ seg, index: null, scalar }], planned, ds.queries, { k: K, metric: 'L2' });
    const got = searchSealed([{ seg, index: null, scalar }], planned, ds.queries, { k: K, metric: 'L2', iterativeFilter: true });
    assert.equal(got, want, expr);
    got.forEach((hits, qi) => assert.equal(hits.map((h) => h.pk), exact('L2', ds.queries[qi]!, pass).map((h) => h.row), `${expr}: exact`));
  }
});

test('the walk\'s first round chooses: a filter passing half its rows ends there, a third the filtered search, a tenth the later rounds, under 5% the scan', () => {
  // Rows 0..999 on a line, the query at 0: a stand-in index whose rounds hand out 40 rows each, nearest first.
  const n = 1000, vecs = floatBlock(Float32Array.from({ length: n }, (_, i) => i), 1), q = Float32Array.of(0);
  const run = (pass: (row: number) => boolean) => {
    let searches = 0, asked = 0, batches = 0;
    const known = memoRows((row) => { asked++; return pass(row); }, n);
    const rank = iterativeRank({
      count: n, vecs, accept: known,
      walk: () => {
        let r = 0;
        return () => {
          const batch = Array.from({ length: Math.min(40, n - r) }, (_, i) => ({ row: r + i, distance: (r + i) ** 2 }));
          batches++;
          r += batch.length;
          return batch;
        };
      },
      filtered: (_q, k, accept) => { searches++; const out: RowHit[] = []; for (let row = 0; row < n && out.length < k; row++) if (accept(row)) out.push({ row, distance: row ** 2 }); return out; },
    }, q, { k: K, metric: 'L2' });
    const hits = rank(K).map((h) => h.row);
    return { hits, searches, asked, batches };
  };
  const want = (pass: (row: number) => boolean) => Array.from({ length: n }, (_, i) => i).filter(pass).slice(0, K);
  const half = (row: number) => row % 2 === 0, third = (row: number) => row % 3 === 0, tenth = (row: number) => row % 10 === 7, tight = (row: number) => row % 50 === 7;
  assert.equal(run(half), { hits: want(half), searches: 0, asked: 19, batches: 1 }, 'half: the first round, 19 rows asked');
  const t = run(third);
  assert.equal([t.hits, t.searches, t.batches], [want(third), 1, 1], 'a third: one filtered search');
  assert.is(t.asked, 28, 'the rows the first round asked are not asked again by the search');
  assert.equal(run(tenth), { hits: want(tenth), searches: 0, asked: 98, batches: 3 }, 'a tenth (4 of the first 40 rows): the later rounds, rows 0..97 asked (97: the 10th passing)');
  // One passing row in the first round: the scan asks the rows entering its top k, in row order here (distance grows with the row).
  assert.equal(run(tight), { hits: want(tight), searches: 0, asked: 458, batches: 1 }, 'under 5%: the scan, no later round');
});

test('with HNSW every hit passes, recall against the exact filtered answer stays high, and the filter is asked only of rows the walk or the filtered search met, each once', async () => {
  const index = await hnswIndexFactory.build(ds.vectors, DIM, 'L2', { seed: 3 });
  for (const [fi, [expr, pass]] of FILTERS.entries()) {
    const c = counted(expr), visited = new Set<number>();
    const got = searchSealed([visiting(index, visited, { ef: 64 })], readOf(c.filter), ds.queries, { k: K, metric: 'L2', iterativeFilter: true });
    for (const hits of got) for (const h of hits) assert.ok(pass(h.pk as number), `${expr}: hit ${h.pk} passes`);
    const truth = ds.queries.map((q) => exact('L2', q, pass).map((h) => h.row));
    const recall = recallAtK(got.map((hits) => hits.map((h) => h.pk)), truth, K);
    assert.ok(recall >= 0.9, `${expr}: recall ${recall}`);
    assert.ok([...c.asked.values()].every((n) => n === 1), `${expr}: no row asked twice`);
    // A third or half passing: the index finds k passing rows (tighter filters here reach an eighth of this small
    // segment and walk it exactly), so the filter is asked of the rows its rounds handed out and the nodes hnswlib
    // handed its callback alone, a few hundred per query.
    if (fi < 2) assert.equal([...c.asked.keys()].filter((row) => !visited.has(row)), [], `${expr}: rows asked that the index never met`);
    if (fi < 2) assert.ok(c.calls() < (N * ds.queries.length) / 4, `${expr}: ${c.calls()} rows asked`);
  }
});

test('on a weak graph (M 4) a filter passing a third or half of the rows keeps the standard filtered search\'s recall', async () => {
  const index = await hnswIndexFactory.build(ds.vectors, DIM, 'L2', { seed: 3, M: 4, efConstruction: 16 });
  for (const [expr, pass] of FILTERS.slice(0, 2)) {
    const truth = ds.queries.map((q) => exact('L2', q, pass).map((h) => h.row));
    const recallOf = (iterativeFilter: boolean) => recallAtK(searchSealed([indexed(index, { ef: 64 })], readOf(counted(expr).filter), ds.queries, { k: K, metric: 'L2', iterativeFilter }).map((hits) => hits.map((h) => h.pk)), truth, K);
    const standard = recallOf(false), iterative = recallOf(true);
    // Rounds of unfiltered searches (the walk before) gave 0.882 against 0.930 for the filter passing a third here.
    assert.ok(iterative >= standard - 0.02, `${expr}: iterative recall ${iterative}, standard ${standard}`);
  }
});

test('standard filtering asks a tight filter of every row; iterative filtering only the rows its walk and scan meet', async () => {
  const index = await hnswIndexFactory.build(ds.vectors, DIM, 'L2', { seed: 3 });
  const expr = 'doc < 40', pass = (r: number) => doc[r]! < 40; // 4%: the standard search scans (under 5%)
  const std = counted(expr), it = counted(expr);
  const q = ds.queries.slice(0, 1);
  searchSealed([indexed(index, { ef: 16 })], readOf(std.filter), q, { k: K, metric: 'L2' });
  const got = searchSealed([indexed(index, { ef: 16 })], readOf(it.filter), q, { k: K, metric: 'L2', iterativeFilter: true });
  assert.is(got[0]!.length, K);
  for (const h of got[0]!) assert.ok(pass(h.pk as number));
  assert.ok(std.calls() >= N, `standard: ${std.calls()}`);
  assert.ok(it.calls() < N / 2, `iterative: ${it.calls()}`);
});

test('without an index the hint takes the scan, which asks the filter only of rows entering the top k: no more rows than the standard search', () => {
  for (const [expr] of FILTERS) {
    const std = counted(expr), it = counted(expr);
    searchSealed([{ seg, index: null }], readOf(std.filter), ds.queries, { k: K, metric: 'L2' });
    searchSealed([{ seg, index: null }], readOf(it.filter), ds.queries, { k: K, metric: 'L2', iterativeFilter: true });
    assert.ok(it.calls() <= std.calls(), `${expr}: ${it.calls()} rows asked, standard ${std.calls()}`);
    assert.ok([...it.asked.values()].every((n) => n === 1), `${expr}: each row once across the queries`);
  }
});

test('IVF_FLAT walks past its probed lists: a tight filter still gets k hits, where the filtered search comes back short', async () => {
  const index = await ivfFlatFactory.build(ds.vectors, DIM, 'L2', { nlist: 32, seed: 2 });
  const pass = (r: number) => doc[r]! < 10;
  const read = readOf(compileFilter(parseFilter('doc < 10'), schema));
  // A tiny segment share would scan; a filtered IVF search of one list sees few passing rows.
  const short = ds.queries.map((q) => index.search(q, K, { nprobe: 1, accept: pass }).length);
  assert.ok(short.some((n) => n < K), 'a filtered search of one list comes back short');
  const got = searchSealed([indexed(index, { nprobe: 1 })], read, ds.queries, { k: K, metric: 'L2', iterativeFilter: true });
  for (const hits of got) { assert.is(hits.length, K); for (const h of hits) assert.ok(pass(h.pk as number)); }
  const recall = recallAtK(got.map((hits) => hits.map((h) => h.pk)), ds.queries.map((q) => exact('L2', q, pass).map((h) => h.row)), K);
  assert.ok(recall >= 0.9, `recall ${recall}`);
});

test('a walk that ends short of k hands over to the exact walk: a filter passing no row near the queries still gets the exact answer', async () => {
  const index = await hnswIndexFactory.build(ds.vectors, DIM, 'L2', { seed: 3 });
  const [expr, pass] = FILTERS[3]!;
  const got = searchSealed([indexed(index)], readOf(compileFilter(parseFilter(expr), schema)), ds.queries, { k: K, metric: 'L2', iterativeFilter: true });
  got.forEach((hits, qi) => assert.equal(hits.map((h) => h.pk), exact('L2', ds.queries[qi]!, pass).map((h) => h.row)));
});

test('wideningWalk: rounds of twice the rows, each row handed out once, none past the limit', () => {
  const asked: number[] = [];
  const walk = wideningWalk(4, 20, (n) => { asked.push(n); return { hits: Array.from({ length: n }, (_, i) => ({ row: i, distance: i })), whole: false }; });
  const rows: number[] = [];
  for (let b = walk(); b.length > 0; b = walk()) rows.push(...b.map((h) => h.row));
  assert.equal(asked, [4, 8, 16]);
  assert.equal(rows, Array.from({ length: 16 }, (_, i) => i));
});

test('firstPassing asks the filter of the walk\'s rows in order and stops at k; memoRows asks each row once', () => {
  let calls = 0;
  const accept = memoRows((r) => { calls++; return r % 2 === 0; }, 100);
  const walk = blockWalk({ block: floatBlock(Float32Array.from({ length: 100 }, (_, i) => i), 1), count: 100, metric: 'L2', query: Float32Array.of(0) }, 4);
  assert.equal(firstPassing(walk, 3, accept, 'L2').map((h) => h.row), [0, 2, 4]);
  assert.is(calls, 5, 'rows 0..4 asked');
  for (let r = 0; r < 5; r++) accept(r);
  assert.is(calls, 5, 'answers cached');
});

test('hints: "iterative_filter" and "disable" are taken; any other value is a typed error', () => {
  assert.is(iterativeHint('iterative_filter'), true);
  assert.is(iterativeHint('disable'), false);
  assert.is(iterativeHint(undefined), false);
  for (const bad of ['iterative', 'ITERATIVE_FILTER', '', 1]) {
    try { iterativeHint(bad); assert.unreachable(`${String(bad)} taken`); } catch (e) {
      assert.instance(e, NuthatchError);
      assert.is((e as NuthatchError).code, 'InvalidArgument');
      assert.match((e as Error).message, 'not supported');
    }
  }
});

test.run();
