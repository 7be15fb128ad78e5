import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { searchBruteForce } from '../../actors/shared/vector/bruteForce.js';
import { distanceFn } from '../../actors/shared/vector/distance.js';
import { DecodeError, ValidationError } from '../../messages/errors.js';
import type { MetricType } from '../../messages/schema.js';
import { gaussianMixture, recallAtK } from '../../bench/support/dataset.js';
import { IvfIndex } from '../../runtime/vectorIndex/ivf/ivfIndex.js';
import { ivfRabitqFactory } from '../../runtime/vectorIndex/ivf/ivfFactory.js';
import { codeDot, encodeRow, queryTable, rotate, rotation } from '../../runtime/vectorIndex/ivf/rabitq.js';
import { buildRefine, refinedVector, REFINE_TYPES } from '../../runtime/vectorIndex/ivf/refineStore.js';
import { rejects } from '../support/rejects.js';

/**
 * IVF_RABITQ (1-bit RaBitQ codes in IVF lists) against brute force on a
 * clustered set: the rotation is orthogonal, estimates are unbiased and
 * close, recall is what binary codes give and refine lifts it to near exact.
 */
const DIM = 48, N = 4000, K = 10, NLIST = 32;
const ds = gaussianMixture({ n: N, dim: DIM, clusters: 40, sigma: 1, queries: 60, seed: 7 });
const truth = (metric: MetricType, accept?: (row: number) => boolean) =>
  searchBruteForce({ vectors: ds.vectors, dim: DIM, count: N, metric, queries: ds.queries, k: K, accept }).map((hs) => hs.map((h) => h.row));
const rowsOf = (idx: IvfIndex, opts: Parameters<IvfIndex['search']>[2]) => ds.queries.map((q) => idx.search(q, K, opts).map((h) => h.row));

test('the rotation is orthogonal: it keeps norms and inner products, over a padded dimension', () => {
  const P = rotation(DIM, 3);
  assert.is(P.D, 64);
  const a = rotate(P, ds.vectors, 0, DIM, new Float32Array(64)), b = rotate(P, ds.vectors, DIM, DIM, new Float32Array(64));
  const dot = (x: Float32Array, xo: number, y: Float32Array, yo: number, n: number) => { let s = 0; for (let i = 0; i < n; i++) s += x[xo + i]! * y[yo + i]!; return s; };
  assert.ok(Math.abs(dot(a, 0, a, 0, 64) - dot(ds.vectors, 0, ds.vectors, 0, DIM)) < 1e-3);
  assert.ok(Math.abs(dot(a, 0, b, 0, 64) - dot(ds.vectors, 0, ds.vectors, DIM, DIM)) < 1e-3);
  assert.equal(rotation(DIM, 3).signs, P.signs, 'rebuilt from its seed');
});

test('a code estimates <u, v> without bias: the mean error over many rows is near 0, each error bounded', () => {
  const D = 256, P = rotation(D, 11);
  let sumErr = 0, worst = 0;
  const rows = 400;
  for (let i = 0; i < rows; i++) {
    const o = ds.vectors.subarray((i * 5) % N * DIM, ((i * 5) % N + 1) * DIM), v = ds.queries[i % ds.queries.length]!;
    const pr = rotate(P, o, 0, DIM, new Float32Array(D)), pv = rotate(P, v, 0, DIM, new Float32Array(D));
    const codes = new Uint8Array(D / 8), terms = encodeRow(pr, new Float32Array(D), codes, 0);
    const estimate = terms.scale * codeDot(queryTable(pv), codes, 0, D / 8);
    let exact = 0;
    for (let j = 0; j < DIM; j++) exact += o[j]! * v[j]!;
    const norms = Math.sqrt(terms.r2) * Math.hypot(...v);
    sumErr += (estimate - exact) / norms;
    worst = Math.max(worst, Math.abs(estimate - exact) / norms);
  }
  assert.ok(Math.abs(sumErr / rows) < 0.02, `mean error ${sumErr / rows}`);
  assert.ok(worst < 0.35, `worst error ${worst}`);
});

for (const metric of ['L2', 'IP', 'COSINE'] as const) {
  test(`IVF_RABITQ ${metric}: recall without refine, near exact with FP32 refine at refine_k 5; refined distances exact`, async () => {
    const plain = await ivfRabitqFactory.build(ds.vectors, DIM, metric, { nlist: NLIST }) as IvfIndex;
    const exact = truth(metric);
    const r0 = recallAtK(rowsOf(plain, { nprobe: NLIST }), exact, K);
    assert.ok(r0 >= 0.45, `1-bit recall ${r0}`);
    const refined = await ivfRabitqFactory.build(ds.vectors, DIM, metric, { nlist: NLIST, refineType: 'FP32' }) as IvfIndex;
    const r1 = recallAtK(rowsOf(refined, { nprobe: NLIST, refineK: 1 }), exact, K);
    const r5 = recallAtK(rowsOf(refined, { nprobe: NLIST, refineK: 5 }), exact, K);
    assert.ok(r5 >= 0.95 && r5 >= r1, `refined recall ${r1} at refine_k 1, ${r5} at 5`);
    const dist = distanceFn(metric);
    for (const q of ds.queries.slice(0, 10)) {
      for (const h of refined.search(q, K, { nprobe: NLIST, refineK: 5 })) {
        const d = dist(ds.vectors, h.row * DIM, q, DIM);
        assert.ok(Math.abs(h.distance - d) <= 1e-4 * Math.max(1, Math.abs(d)), `${h.distance} vs ${d}`);
      }
    }
  });
}

test('query bits: 8 bits close to none, 1 bit worse; every refine type lifts recall; accept is honoured', async () => {
  const exact = truth('L2');
  const idx = await ivfRabitqFactory.build(ds.vectors, DIM, 'L2', { nlist: NLIST }) as IvfIndex;
  const full = recallAtK(rowsOf(idx, { nprobe: NLIST }), exact, K);
  const eight = recallAtK(rowsOf(idx, { nprobe: NLIST, rbqQueryBits: 8 }), exact, K);
  const one = recallAtK(rowsOf(idx, { nprobe: NLIST, rbqQueryBits: 1 }), exact, K);
  assert.ok(Math.abs(full - eight) < 0.03 && one < full, `none ${full}, 8 bits ${eight}, 1 bit ${one}`);
  for (const type of REFINE_TYPES) {
    const r = await ivfRabitqFactory.build(ds.vectors, DIM, 'L2', { nlist: NLIST, refineType: type }) as IvfIndex;
    const recall = recallAtK(rowsOf(r, { nprobe: NLIST, refineK: 4 }), exact, K);
    assert.ok(recall >= 0.9 && recall > full, `${type}: ${recall} (1-bit ${full})`);
  }
  const accept = (row: number) => row % 3 === 0;
  const got = rowsOf(idx, { nprobe: NLIST, accept });
  assert.ok(got.every((rows) => rows.length === K && rows.every(accept)));
  assert.equal(idx.search(ds.queries[0]!, K, { nprobe: NLIST, accept: () => false }), []);
});

test('refine copies read back close to the vectors (SQ6 packed six bits a value)', () => {
  const count = 50, v = new Float32Array(DIM);
  for (const type of REFINE_TYPES) {
    const s = buildRefine(type, ds.vectors, DIM, count);
    let worst = 0;
    for (let p = 0; p < count; p++) {
      refinedVector(s, p, DIM, v);
      for (let j = 0; j < DIM; j++) worst = Math.max(worst, Math.abs(v[j]! - ds.vectors[p * DIM + j]!));
    }
    const bound = { FP32: 0, FP16: 0.01, BF16: 0.06, SQ8: 0.05, SQ6: 0.2 }[type];
    assert.ok(worst <= bound, `${type}: worst error ${worst}`);
  }
});

test('the file round-trips every store (codes, terms, seed, refine copy); damage and a bad refine type are refused', async () => {
  for (const refineType of [undefined, 'SQ6', 'FP16', 'FP32'] as const) {
    const idx = await ivfRabitqFactory.build(ds.vectors, DIM, 'IP', { nlist: NLIST, seed: 5, ...(refineType ? { refineType } : {}) }) as IvfIndex;
    const bytes = await idx.serialize();
    const back = await ivfRabitqFactory.load(bytes, DIM, 'IP') as IvfIndex;
    for (const q of ds.queries.slice(0, 5)) assert.equal(back.search(q, K, { nprobe: 8, refineK: 3 }), idx.search(q, K, { nprobe: 8, refineK: 3 }), String(refineType));
    const bad = bytes.slice();
    bad[bad.length - 1]! ^= 1;
    await rejects(ivfRabitqFactory.load(bad, DIM, 'IP'), (e) => e instanceof DecodeError);
  }
  await rejects(ivfRabitqFactory.build(ds.vectors, DIM, 'L2', { nlist: NLIST, refineType: 'PQ' }), (e) => e instanceof ValidationError && /refine_type/.test((e as Error).message));
});

test.run();
