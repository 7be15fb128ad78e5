import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { searchBruteForce } from '../../actors/shared/vector/bruteForce.js';
import { distanceFn, innerProduct, l2Squared } from '../../actors/shared/vector/distance.js';
import { unitVector } from '../../actors/shared/vector/unitVectors.js';
import { DecodeError, ValidationError } from '../../messages/errors.js';
import type { MetricType } from '../../messages/schema.js';
import { gaussianMixture, recallAtK } from '../../bench/support/dataset.js';
import { ivfFlatFactory, ivfPqFactory, scannFactory } from '../../runtime/vectorIndex/ivf/ivfFactory.js';
import type { IvfIndex } from '../../runtime/vectorIndex/ivf/ivfIndex.js';
import { byteTable, codeDistance, ipTable, rowTermL2 } from '../../runtime/vectorIndex/ivf/pqTables.js';
import { codeBytes, decodePq, encodePq, getCode, trainPq } from '../../runtime/vectorIndex/ivf/productQuantizer.js';
import type { PqStore } from '../../runtime/vectorIndex/ivf/pqStore.js';
import { rejects as rejectsWith } from '../support/rejects.js';

const rejects = (p: Promise<unknown>, type: new (...a: never[]) => Error, says: RegExp) => rejectsWith(p, (e) => e instanceof type && says.test(e.message));

/**
 * IVF_PQ and SCANN against brute force on a clustered set: codes decode to
 * vectors near the originals, table (ADC) distances equal the distances to
 * the decoded vectors, recall is what the code size gives, and SCANN's
 * re-ranking with the raw vectors lifts it to near exact with exact distances.
 */
const DIM = 32, N = 4000, K = 10, NLIST = 32;
const ds = gaussianMixture({ n: N, dim: DIM, clusters: 40, sigma: 1, queries: 50, seed: 5 });
const truth = (metric: MetricType, accept?: (row: number) => boolean) =>
  searchBruteForce({ vectors: ds.vectors, dim: DIM, count: N, metric, queries: ds.queries, k: K, accept }).map((hs) => hs.map((h) => h.row));
const rowsOf = (idx: IvfIndex, opts: Parameters<IvfIndex['search']>[2], k = K) => ds.queries.map((q) => idx.search(q, k, opts).map((h) => h.row));
const meanSquaredNorm = (() => { let s = 0; for (let i = 0; i < N; i++) s += l2Squared(ds.vectors, i * DIM, new Float32Array(DIM), DIM); return s / N; })();

test('codes pack m x nbits bits: each sub-space code reads back for every width 1..16', async () => {
  for (const nbits of [1, 3, 4, 5, 7, 8, 11, 16]) {
    const m = 8, bytes = codeBytes(m, nbits), codes = new Uint8Array(3 * bytes);
    const pq = await trainPq(ds.vectors, DIM, 300, m, nbits, 1);
    for (let r = 0; r < 3; r++) encodePq(pq, ds.vectors, r * DIM, codes, r * bytes);
    for (let r = 0; r < 3; r++) {
      const back = decodePq(pq, codes, r * bytes, new Float32Array(DIM));
      for (let s = 0; s < m; s++) {
        const c = getCode(codes, r * bytes, s, nbits);
        assert.ok(c < pq.ksub, `nbits ${nbits}: code ${c} < ksub ${pq.ksub}`);
        assert.equal(Array.from(back.subarray(s * 4, s * 4 + 4)), Array.from(pq.codebooks.subarray((s * pq.ksub + c) * 4, (s * pq.ksub + c + 1) * 4)));
      }
    }
  }
});

test('encode/decode error is bounded and falls as nbits grows; each code is the nearest centroid', async () => {
  const errors: number[] = [];
  for (const nbits of [2, 4, 8]) {
    const m = 8, pq = await trainPq(ds.vectors, DIM, N, m, nbits, 1), bytes = codeBytes(m, nbits), codes = new Uint8Array(bytes), out = new Float32Array(DIM);
    let err = 0;
    for (let r = 0; r < N; r += 7) {
      codes.fill(0);
      encodePq(pq, ds.vectors, r * DIM, codes, 0);
      err += l2Squared(decodePq(pq, codes, 0, out), 0, ds.vectors.subarray(r * DIM, (r + 1) * DIM), DIM);
      // No other centroid of sub-space 0 is nearer than the chosen one.
      const mine = l2Squared(pq.codebooks, getCode(codes, 0, 0, nbits) * 4, ds.vectors.subarray(r * DIM, r * DIM + 4), 4);
      for (let c = 0; c < pq.ksub; c++) assert.ok(l2Squared(pq.codebooks, c * 4, ds.vectors.subarray(r * DIM, r * DIM + 4), 4) >= mine - 1e-6);
    }
    errors.push(err / Math.ceil(N / 7) / meanSquaredNorm);
  }
  assert.ok(errors[0]! > errors[1]! && errors[1]! > errors[2]!, `relative errors ${errors}`);
  assert.ok(errors[2]! < 0.12, `8-bit relative squared error ${errors[2]}`);
});

test('ADC: a code\'s table distance equals the distance to its decoded vector (L2 by residual against a list centroid, IP), byte tables for 4 bits too', async () => {
  for (const nbits of [4, 6, 8]) {
    const m = 16, pq = await trainPq(ds.vectors, DIM, N, m, nbits, 2), bytes = codeBytes(m, nbits);
    const t = new Float32Array(m * pq.ksub), scan = nbits === 4 ? new Float32Array(bytes * 256) : t;
    const centroid = ds.vectors.subarray(5 * DIM, 6 * DIM), decoded = new Float32Array(DIM), shifted = new Float32Array(DIM);
    for (let i = 0; i < 20; i++) {
      const q = ds.queries[i]!, codes = new Uint8Array(bytes);
      encodePq(pq, ds.vectors, (i * 97) * DIM, codes, 0);
      decodePq(pq, codes, 0, decoded);
      for (let j = 0; j < DIM; j++) shifted[j] = decoded[j]! + centroid[j]!;
      // |q - c - r|^2 = |q - c|^2 + (|r|^2 + 2 <c, r>) - 2 <q, r>, the last from a table scaled by -2.
      ipTable(pq, q, t, -2);
      if (scan !== t) byteTable(pq, t, scan);
      const l2 = l2Squared(centroid, 0, q, DIM) + rowTermL2(pq, codes, 0, centroid, 0) + codeDistance(pq, scan, codes, 0), want = l2Squared(shifted, 0, q, DIM);
      assert.ok(Math.abs(l2 - want) <= 1e-4 * Math.max(1, want), `nbits ${nbits} L2 ${l2} vs ${want}`);
      ipTable(pq, q, t);
      if (scan !== t) byteTable(pq, t, scan);
      const ip = codeDistance(pq, scan, codes, 0), wantIp = innerProduct(decoded, 0, q, DIM);
      assert.ok(Math.abs(ip - wantIp) <= 1e-4 * Math.max(1, Math.abs(wantIp)), `nbits ${nbits} IP ${ip} vs ${wantIp}`);
    }
  }
});

test('IVF_PQ search distances are those of the decoded residual plus its centroid', async () => {
  const idx = await ivfPqFactory.build(ds.vectors, DIM, 'L2', { nlist: NLIST, pqM: 8 }) as IvfIndex;
  const store = idx.store as PqStore, bytes = codeBytes(8, 8), decoded = new Float32Array(DIM);
  const positionOf = new Map(Array.from(idx.lists.rows, (row, p) => [row, p]));
  const listOf = (p: number) => { let l = 0; while (idx.lists.offsets[l + 1]! <= p) l++; return l; };
  for (const q of ds.queries.slice(0, 10)) {
    for (const h of idx.search(q, K, { nprobe: NLIST })) {
      const p = positionOf.get(h.row)!, l = listOf(p);
      decodePq(store.pq, store.codes, p * bytes, decoded);
      for (let j = 0; j < DIM; j++) decoded[j]! += idx.lists.centroids[l * DIM + j]!;
      const want = l2Squared(decoded, 0, q, DIM);
      assert.ok(Math.abs(h.distance - want) <= 1e-4 * Math.max(1, want), `${h.distance} vs ${want}`);
    }
  }
});

for (const metric of ['L2', 'IP', 'COSINE'] as const) {
  test(`IVF_PQ ${metric}: recall@10 vs brute force grows with m and nprobe; SCANN re-ranked near exact with exact distances`, async () => {
    const exact = truth(metric);
    const small = await ivfPqFactory.build(ds.vectors, DIM, metric, { nlist: NLIST, pqM: 4, pqNbits: 8 }) as IvfIndex;
    const big = await ivfPqFactory.build(ds.vectors, DIM, metric, { nlist: NLIST, pqM: 16, pqNbits: 8 }) as IvfIndex;
    const rSmall = recallAtK(rowsOf(small, { nprobe: 8 }), exact, K), rBig = recallAtK(rowsOf(big, { nprobe: 8 }), exact, K);
    const rBigOne = recallAtK(rowsOf(big, { nprobe: 1 }), exact, K);
    assert.ok(rBig >= 0.7 && rBig > rSmall, `m 16: ${rBig}, m 4: ${rSmall}`);
    assert.ok(rBigOne < rBig, `nprobe 1: ${rBigOne}, nprobe 8: ${rBig}`);

    const scann = await scannFactory.build(ds.vectors, DIM, metric, { nlist: NLIST }) as IvfIndex;
    const plain = await scannFactory.build(ds.vectors, DIM, metric, { nlist: NLIST, withRawData: false }) as IvfIndex;
    const rPlain = recallAtK(rowsOf(plain, { nprobe: 8, reorderK: 100 }), exact, K);
    const rTopk = recallAtK(rowsOf(scann, { nprobe: 8 }), exact, K);
    const rReorder = recallAtK(rowsOf(scann, { nprobe: 8, reorderK: 100 }), exact, K);
    assert.ok(rReorder >= 0.95 && rReorder > rTopk, `reorder_k 100: ${rReorder}, reorder_k = topk: ${rTopk}`);
    assert.ok(rPlain < rReorder, `without raw data reorder_k is ignored: ${rPlain}`);
    const dist = distanceFn(metric);
    ds.queries.slice(0, 10).forEach((q) => scann.search(q, K, { nprobe: 8, reorderK: 50 }).forEach((h) => {
      const d = metric === 'COSINE' ? innerProduct(unitVector(ds.vectors.subarray(h.row * DIM, (h.row + 1) * DIM)), 0, unitVector(q), DIM) : dist(ds.vectors, h.row * DIM, q, DIM);
      assert.ok(Math.abs(h.distance - d) <= 1e-4 * Math.max(1, Math.abs(d)), `re-ranked distance ${h.distance} is exact ${d}`);
    }));
  });
}

test('with every list probed, SCANN re-ranking every row is the exact answer; filters are honoured', async () => {
  const scann = await scannFactory.build(ds.vectors, DIM, 'L2', { nlist: NLIST }) as IvfIndex;
  const flat = await ivfFlatFactory.build(ds.vectors, DIM, 'L2', { nlist: NLIST }) as IvfIndex;
  const even = (row: number) => row % 2 === 0;
  const got = rowsOf(scann, { nprobe: NLIST, reorderK: N, accept: even }), want = truth('L2', even);
  assert.equal(got, want);
  assert.equal(rowsOf(flat, { nprobe: NLIST, accept: even }), want);
  const pq = await ivfPqFactory.build(ds.vectors, DIM, 'L2', { nlist: NLIST, pqM: 8 }) as IvfIndex;
  assert.ok(rowsOf(pq, { nprobe: NLIST, accept: even }).flat().every(even));
});

test('serialize and load give the same answers; damaged or mismatched files are DecodeErrors', async () => {
  for (const [factory, params] of [[ivfPqFactory, { nlist: NLIST, pqM: 8, pqNbits: 5 }], [scannFactory, { nlist: NLIST }], [scannFactory, { nlist: NLIST, withRawData: false }]] as const) {
    const idx = await factory.build(ds.vectors, DIM, 'IP', params);
    const bytes = await idx.serialize();
    const back = await factory.load(bytes, DIM, 'IP');
    assert.equal(rowsOf(back as IvfIndex, { nprobe: 4, reorderK: 20 }), rowsOf(idx as IvfIndex, { nprobe: 4, reorderK: 20 }));
    const flipped = bytes.slice(); flipped[bytes.length - 3]! ^= 1;
    await rejects(factory.load(flipped, DIM, 'IP'), DecodeError, /checksum/);
    await rejects(factory.load(bytes, DIM, 'L2'), DecodeError, /metric/);
  }
  await rejects(ivfPqFactory.load(await (await scannFactory.build(ds.vectors, DIM, 'L2', { nlist: 4 })).serialize(), DIM, 'L2'), DecodeError, /not IVF_PQ/);
});

test('bad shapes are refused with typed errors; tiny segments train smaller codebooks', async () => {
  await rejects(ivfPqFactory.build(ds.vectors, DIM, 'L2', { nlist: 4 }), ValidationError, /IVF_PQ needs m/);
  await rejects(ivfPqFactory.build(ds.vectors, DIM, 'L2', { nlist: 4, pqM: 5 }), ValidationError, /m, the sub-quantizers, to divide dim 32/);
  await rejects(ivfPqFactory.build(ds.vectors, DIM, 'L2', { nlist: 4, pqM: 8, pqNbits: 17 }), ValidationError, /nbits in 1..16/);
  await rejects(scannFactory.build(new Float32Array(33 * 10), 33, 'L2', { nlist: 4 }), ValidationError, /SCANN needs an even dim/);
  const tiny = await ivfPqFactory.build(ds.vectors.subarray(0, 20 * DIM), DIM, 'L2', { nlist: 4, pqM: 8 }) as IvfIndex;
  assert.is((tiny.store as PqStore).pq.ksub, 20);
  assert.equal(tiny.search(ds.vectors.subarray(3 * DIM, 4 * DIM), 1, { nprobe: 4 }).map((h) => h.row), [3]);
  const empty = await scannFactory.build(new Float32Array(0), DIM, 'L2', {});
  assert.equal(empty.search(ds.queries[0]!, 5), []);
  assert.equal((await scannFactory.load(await empty.serialize(), DIM, 'L2')).search(ds.queries[0]!, 5), []);
});

test.run();
