import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { searchBruteForce } from '../../actors/shared/vector/bruteForce.js';
import { DecodeError, ValidationError } from '../../messages/errors.js';
import type { MetricType } from '../../messages/schema.js';
import { mulberry32, recallAtK } from '../../bench/support/dataset.js';
import { diskannFactory } from '../../runtime/vectorIndex/diskann/diskannFactory.js';
import type { DiskannIndex } from '../../runtime/vectorIndex/diskann/diskannIndex.js';
import { encodePq, pqCodeBytes, pqDistance, pqTable, trainPq } from '../../runtime/vectorIndex/diskann/productQuantizer.js';
import { buildVamana, l2Rows, medoidOf } from '../../runtime/vectorIndex/diskann/vamana.js';
import { rejects } from '../support/rejects.js';

/**
 * DISKANN's parts and the whole against brute force on uniform random
 * vectors (the hard case for a graph): the Vamana graph keeps its degree
 * bound, PQ distances are exact when every row is its own centroid, and
 * the index, built with Milvus's default params and searched at the
 * default search_list, finds >= 0.9 of the true top 10 for L2, IP and
 * COSINE, in memory and from its local file alike.
 */
const DIM = 32, N = 2500, K = 10;
const rand = mulberry32(5);
const vectors = new Float32Array(N * DIM).map(() => rand() * 2 - 1);
const queries = Array.from({ length: 50 }, () => new Float32Array(DIM).map(() => rand() * 2 - 1));
const truth = (metric: MetricType, accept?: (row: number) => boolean) =>
  searchBruteForce({ vectors, dim: DIM, count: N, metric, queries, k: K, accept }).map((hs) => hs.map((h) => h.row));
const rowsOf = (idx: { search: DiskannIndex['search'] }, opts: Parameters<DiskannIndex['search']>[2] = {}) => queries.map((q) => idx.search(q, K, opts).map((h) => h.row));

let dir = '';
test.before(async () => { dir = await mkdtemp(join(tmpdir(), 'nuthatch-diskann-test-')); });
test.after(async () => { await rm(dir, { recursive: true, force: true }); });

test('the Vamana graph: every row has at most max_degree distinct neighbours, none itself; the entry point is the medoid', async () => {
  for (const maxDegree of [8, 56]) {
    const g = await buildVamana(vectors, DIM, { maxDegree, buildList: 40 });
    let total = 0;
    for (let r = 0; r < N; r++) {
      const d = g.degrees[r]!, list = Array.from(g.neighbours.subarray(r * maxDegree, r * maxDegree + d));
      assert.ok(d >= 1 && d <= maxDegree, `row ${r} has degree ${d}`);
      assert.is(new Set(list).size, d, `row ${r} lists a neighbour twice`);
      assert.ok(list.every((u) => u !== r && u >= 0 && u < N), `row ${r} lists itself or a row out of range`);
      total += d;
    }
    // alpha 1.2 keeps long edges: rows are not all cut to a handful.
    assert.ok(total / N > maxDegree / 4, `mean degree ${total / N} at max_degree ${maxDegree}`);
    assert.is(g.medoid, medoidOf(vectors, DIM, N));
  }
});

test('robust prune: on a line, alpha 1 keeps the next rows only; alpha 1.2 also the first row 12 away, which no nearer row occludes', async () => {
  // With a build list over every row, each prune sees them all. Row r+1 occludes r+c when alpha (c-1)^2 <= c^2,
  // which at alpha 1.2 holds up to c = 11: row r+12 is kept, and occludes every row past it. The lists are symmetric.
  const line = Float32Array.from({ length: 40 }, (_, i) => i);
  const expect = (alpha: number, r: number) => (alpha === 1 ? [r - 1, r + 1] : [r - 12, r - 1, r + 1, r + 12]).filter((u) => u >= 0 && u < 40);
  for (const alpha of [1, 1.2]) {
    const g = await buildVamana(line, 1, { maxDegree: 8, buildList: 64, alpha });
    for (let r = 0; r < 40; r++) {
      assert.equal(Array.from(g.neighbours.subarray(r * 8, r * 8 + g.degrees[r]!)).sort((a, b) => a - b), expect(alpha, r), `row ${r} at alpha ${alpha}`);
    }
  }
  assert.is(l2Rows(line, 3, 7, 1), 16);
});

test('PQ: code bytes follow pq_code_budget_gb_ratio; with a centroid per row, PQ distances are the exact squared L2', async () => {
  assert.equal([pqCodeBytes(128, 0.125), pqCodeBytes(128, 0.25), pqCodeBytes(128, 0.001), pqCodeBytes(3, 0.25)], [64, 128, 1, 3]);
  for (const bad of [0, 0.3, -1, Number.NaN]) assert.throws(() => pqCodeBytes(128, bad), (e: unknown) => e instanceof ValidationError);
  const few = vectors.subarray(0, 200 * DIM);
  const pq = await trainPq(few, DIM, 8, 1);
  assert.is(pq.ksub, 200);
  const codes = await encodePq(pq, few);
  const table = pqTable(pq, queries[0]!);
  for (let r = 0; r < 200; r += 17) {
    const exact = l2Rows(Float32Array.of(...queries[0]!, ...few.subarray(r * DIM, (r + 1) * DIM)), 0, 1, DIM);
    assert.ok(Math.abs(pqDistance(table, pq.ksub, codes, r, pq.m) - exact) < 1e-3 * exact, `row ${r}`);
  }
});

test('PQ over many rows: its distances rank rows close to the exact order', async () => {
  const pq = await trainPq(vectors, DIM, DIM / 2, 1);
  const codes = await encodePq(pq, vectors);
  const table = pqTable(pq, queries[1]!);
  const byPq = Array.from({ length: N }, (_, r) => r).sort((a, b) => pqDistance(table, pq.ksub, codes, a, pq.m) - pqDistance(table, pq.ksub, codes, b, pq.m));
  const top50 = searchBruteForce({ vectors, dim: DIM, count: N, metric: 'L2', queries: [queries[1]!], k: 50 })[0]!.map((h) => h.row);
  const pqTop = new Set(byPq.slice(0, 100)), recall = top50.filter((r) => pqTop.has(r)).length / 50;
  assert.ok(recall >= 0.8, `PQ top 100 holds ${recall} of the true top 50`);
});

for (const metric of ['L2', 'IP', 'COSINE'] as const) {
  test(`DISKANN ${metric}: default params, default search_list: recall@10 >= 0.9; loaded from its file it answers alike`, async () => {
    const f = diskannFactory(dir);
    const built = await f.build(vectors, DIM, metric) as DiskannIndex;
    assert.is(built.parts.maxDegree, 56);
    assert.is(built.parts.pq.m, DIM / 2, 'the default budget: an eighth of the raw bytes');
    const exact = truth(metric);
    const got = rowsOf(built);
    const recall = recallAtK(got, exact, K);
    assert.ok(recall >= 0.9, `recall ${recall}`);
    // Exact distances from the records: each hit's distance is its true one.
    const hit = built.search(queries[0]!, 1)[0]!;
    const want = searchBruteForce({ vectors, dim: DIM, count: N, metric, queries: [queries[0]!], k: N })[0]!.find((h) => h.row === hit.row)!;
    assert.ok(Math.abs(hit.distance - want.distance) < 1e-4, `${hit.distance} vs ${want.distance}`);
    const bytes = await built.serialize();
    const before = readdirSync(dir).length;
    const loaded = await f.load(bytes, DIM, metric) as DiskannIndex;
    assert.is(readdirSync(dir).length, before + 1, 'one local file per loaded index');
    assert.equal(rowsOf(loaded), got);
    assert.equal(await loaded.serialize(), bytes, 'the local file holds the records as stored');
    assert.ok(loaded.residentBytes < bytes.length / 4, `resident ${loaded.residentBytes} of ${bytes.length} bytes`);
    // A longer list finds more.
    assert.ok(recallAtK(rowsOf(loaded, { searchList: 64 }), exact, K) >= recall);
  });
}

test('DISKANN with a filter: only accepted rows; a tight filter walks on until the answer is exact', async () => {
  const f = diskannFactory(dir);
  const idx = await f.load(await (await f.build(vectors, DIM, 'L2', { maxDegree: 24, searchListSize: 50 })).serialize(), DIM, 'L2');
  const half = (r: number) => r % 2 === 0;
  const got = rowsOf(idx, { accept: half, searchList: 32 });
  assert.ok(got.flat().every(half));
  const recall = recallAtK(got, truth('L2', half), K);
  assert.ok(recall >= 0.9, `recall ${recall} under a filter passing half the rows`);
  const few = (r: number) => r % 97 === 3;
  assert.equal(rowsOf(idx, { accept: few }), truth('L2', few));
});

test('a load sweeps the directory of files a dead process left (a crash), never a live one\'s', async () => {
  const own = join(dir, 'sweep');
  mkdirSync(own, { recursive: true });
  // Past Linux's largest pid: no such process.
  writeFileSync(join(own, '999999999-1.diskann'), 'left by a crash');
  writeFileSync(join(own, `${process.pid}-999999.diskann`), 'ours');
  const f = diskannFactory(own);
  await f.load(await (await f.build(vectors.subarray(0, 50 * DIM), DIM, 'L2')).serialize(), DIM, 'L2');
  const names = readdirSync(own);
  assert.not.ok(names.includes('999999999-1.diskann'));
  assert.ok(names.includes(`${process.pid}-999999.diskann`));
  assert.is(names.length, 2);
});

test('DISKANN edge cases: k above the rows, one row, no rows', async () => {
  const f = diskannFactory(dir);
  const five = await f.build(vectors.subarray(0, 5 * DIM), DIM, 'L2');
  assert.equal(five.search(queries[0]!, 10).map((h) => h.row).sort(), [0, 1, 2, 3, 4]);
  const one = await f.load(await (await f.build(vectors.subarray(0, DIM), DIM, 'COSINE')).serialize(), DIM, 'COSINE');
  assert.equal(one.search(queries[0]!, 3).map((h) => h.row), [0]);
  const none = await f.load(await (await f.build(new Float32Array(0), DIM, 'IP')).serialize(), DIM, 'IP');
  assert.equal(none.search(queries[0]!, 3), []);
});

test('DISKANN refuses bad params and damaged or mismatched files with typed errors', async () => {
  const f = diskannFactory(dir);
  const small = vectors.subarray(0, 300 * DIM);
  for (const maxDegree of [0, 513, 2.5]) await rejects(f.build(small, DIM, 'L2', { maxDegree }), (e) => e instanceof ValidationError && /max_degree/.test((e as Error).message));
  await rejects(f.build(small, DIM, 'L2', { searchListSize: 0 }), (e) => e instanceof ValidationError);
  await rejects(f.build(small, DIM, 'L2', { pqCodeBudgetGbRatio: 0.5 }), (e) => e instanceof ValidationError);
  await rejects(f.build(small, DIM, 'HAMMING'), (e) => e instanceof ValidationError);
  const bytes = await (await f.build(small, DIM, 'L2', { maxDegree: 16 })).serialize();
  await rejects(f.load(bytes, DIM + 1, 'L2'), (e) => e instanceof DecodeError);
  await rejects(f.load(bytes, DIM, 'IP'), (e) => e instanceof DecodeError);
  for (const at of [3, 60, bytes.length - 2]) {
    const bad = bytes.slice();
    bad[at]! ^= 0x40;
    await rejects(f.load(bad, DIM, 'L2'), (e) => e instanceof DecodeError);
  }
  await rejects(f.load(bytes.subarray(0, bytes.length - 4), DIM, 'L2'), (e) => e instanceof DecodeError);
});

test.run();
