import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { embListBlock, embListPath, maxSimScore, searchEmbLists, subVectors, type EmbListMetric } from '../../actors/shared/vector/maxSim.js';
import { embListCandidates } from '../../actors/query-node/core/sealedEmbList.js';
import type { SealedSegment } from '../../actors/shared/segment/segmentFile.js';
import { ValidationError } from '../../messages/errors.js';
import { mulberry32 } from '../../bench/support/dataset.js';

const rand = mulberry32(11);
const vec = (dim: number) => Float32Array.from({ length: dim }, () => rand() * 2 - 1);
const list = (n: number, dim: number) => Array.from({ length: n }, () => vec(dim));

// The reference, written from the definition: for each query vector the best pair value, summed.
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const pair: Record<EmbListMetric, (a: Float32Array, b: Float32Array) => number> = {
  MAX_SIM_IP: dot,
  MAX_SIM_COSINE: (a, b) => dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b)),
  MAX_SIM_L2: (a, b) => a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0),
};
const larger = (m: EmbListMetric) => m !== 'MAX_SIM_L2';
function naiveScore(q: Float32Array[], row: Float32Array[], m: EmbListMetric): number {
  return q.reduce((s, qv) => s + row.map((d) => pair[m](d, qv)).reduce((a, b) => (larger(m) ? Math.max(a, b) : Math.min(a, b))), 0);
}
function naiveTop(rows: Float32Array[][], q: Float32Array[], m: EmbListMetric, k: number, accept?: (r: number) => boolean) {
  return rows.map((r, row) => ({ row, distance: r.length ? naiveScore(q, r, m) : NaN }))
    .filter((h) => !Number.isNaN(h.distance) && (!accept || accept(h.row)))
    .sort((a, b) => (larger(m) ? b.distance - a.distance : a.distance - b.distance) || a.row - b.row).slice(0, k);
}

test('the score sums, over query vectors, the best pair value in the row (a worked example)', () => {
  const q = [Float32Array.of(1, 0), Float32Array.of(0, 1)];
  const row = [Float32Array.of(0.9, 0.1), Float32Array.of(0.1, 0.9), Float32Array.of(0.5, 0.5)];
  assert.ok(Math.abs(maxSimScore(q, row, 'MAX_SIM_IP')! - 1.8) < 1e-6);
  // L2 takes the smallest distance per query vector: 0.01 + 0.01 each side.
  assert.ok(Math.abs(maxSimScore(q, row, 'MAX_SIM_L2')! - 0.04) < 1e-6);
  assert.equal(maxSimScore(q, [], 'MAX_SIM_COSINE'), undefined);
});

test('exact search equals score-every-row-and-sort, for every MAX_SIM metric, with a filter and empty rows', () => {
  const dim = 6;
  const rows = Array.from({ length: 150 }, (_, r) => (r % 17 === 0 ? [] : list(1 + Math.floor(rand() * 5), dim)));
  const queries = [list(1, dim), list(3, dim), list(4, dim)];
  for (const metric of ['MAX_SIM_COSINE', 'MAX_SIM_IP', 'MAX_SIM_L2'] as const) {
    for (const k of [1, 10, 200]) {
      for (const accept of [undefined, (r: number) => r % 3 !== 1]) {
        const got = searchEmbLists({ count: rows.length, listOf: (r) => rows[r], queries, dim, k, metric, ...(accept ? { accept } : {}) });
        queries.forEach((q, qi) => {
          const want = naiveTop(rows, q, metric, k, accept);
          assert.equal(got[qi]!.map((h) => h.row), want.map((h) => h.row), `${metric} k ${k}`);
          got[qi]!.forEach((h, i) => assert.ok(Math.abs(h.distance - want[i]!.distance) < 1e-5, `${metric}: ${h.distance} vs ${want[i]!.distance}`));
        });
      }
    }
  }
});

test('a query list that is empty or of the wrong dimension is refused', () => {
  const base = { count: 1, listOf: () => [vec(3)], dim: 3, k: 1, metric: 'MAX_SIM_IP' as const };
  assert.throws(() => searchEmbLists({ ...base, queries: [[]] }), (e: unknown) => e instanceof ValidationError);
  assert.throws(() => searchEmbLists({ ...base, queries: [[vec(4)]] }), (e: unknown) => e instanceof ValidationError && /dim 3/.test(e.message));
});

test('subVectors reads one sub-field of a stored Struct list', () => {
  const a = vec(2), b = vec(2);
  assert.equal(subVectors([{ t: 'x', v: a }, { t: 'y', v: b }], 'v'), [a, b]);
  assert.equal(subVectors(null, 'v'), undefined);
});

test('candidate rows: only those are scored, exactly, and the filter still applies', () => {
  const dim = 4, rows = Array.from({ length: 40 }, () => list(3, dim)), q = [list(2, dim)];
  const pool = [5, 17, 3, 30, 17];
  const got = searchEmbLists({ count: rows.length, listOf: (r) => rows[r], queries: q, dim, k: 3, metric: 'MAX_SIM_L2', rows: pool, accept: (r) => r !== 30 })[0]!;
  const want = [...new Set(pool)].filter((r) => r !== 30).map((row) => ({ row, distance: naiveScore(q[0]!, rows[row]!, 'MAX_SIM_L2') })).sort((a, b) => a.distance - b.distance).slice(0, 3);
  assert.equal(got.map((h) => h.row), want.map((h) => h.row));
});

test('embListBlock numbers elements row after row; an index hit maps back to its row (embListCandidates)', () => {
  const e = (x: number) => Float32Array.of(x, x);
  const column = [[{ v: e(1) }, { v: e(2) }], [], [{ v: e(3) }]];
  const { vectors, rowOf } = embListBlock(column, 3, 'v', 2);
  assert.equal(Array.from(vectors), [1, 1, 2, 2, 3, 3]);
  assert.equal(Array.from(rowOf), [0, 0, 2]);
  const seg = { count: 3, fields: { chunks: column } } as unknown as SealedSegment;
  // A stand-in index: element 2 for the first query vector, element 1 for the second.
  const asked: number[] = [];
  const index = { search: (q: Float32Array, k: number) => { asked.push(k); return [{ row: q[0] === 9 ? 2 : 1, distance: 0 }]; } };
  const candidates = embListCandidates(index, seg, { field: 'chunks', sub: 'v', dim: 2 }, 7);
  assert.equal([...candidates([Float32Array.of(9, 9), Float32Array.of(0, 0)])].sort(), [0, 2]);
  assert.equal(asked, [7, 7], 'ef elements per query vector');
  assert.equal(embListPath('chunks[v]'), { field: 'chunks', sub: 'v' });
  assert.is(embListPath('chunks'), undefined);
});

test.run();
