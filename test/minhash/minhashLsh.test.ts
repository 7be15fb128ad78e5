import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DecodeError, ValidationError } from '../../messages/errors.js';
import { rejects } from '../support/rejects.js';
import { mulberry32 } from '../../bench/support/dataset.js';
import { bitScorer } from '../../actors/shared/vector/vectorBlock.js';
import { equalElements, mhJaccardScorer } from '../../actors/shared/vector/minhashDistance.js';
import { bandKeys, bandShape, candidateProbability } from '../../runtime/vectorIndex/minhashLsh/lshBands.js';
import { minhashLshFactory } from '../../runtime/vectorIndex/minhashLsh/minhashLshFactory.js';
import type { MinhashLshIndex } from '../../runtime/vectorIndex/minhashLsh/minhashLshIndex.js';

/**
 * MINHASH_LSH over signatures made under the MinHash model itself: a row
 * of similarity s to the query agrees with it on each value independently
 * with probability s. Then a row is a candidate with probability
 * 1 - (1 - s^r)^b; band keys are a function of the bytes alone; answers
 * with mh_search_with_jaccard are the exact MHJACCARD top-k of the
 * candidates; the file round-trips and a damaged one is refused.
 */
const widen = (bytes: Uint8Array): Float32Array => {
  const out = new Float32Array(bytes.length * 8);
  for (let i = 0; i < out.length; i++) out[i] = (bytes[i >> 3]! >> (7 - (i & 7))) & 1;
  return out;
};

function randomSig(r: () => number, values: number): Uint8Array {
  const out = new Uint8Array(values * 4);
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(r() * 256);
  return out;
}

/** A signature agreeing with `q` on each 32-bit value with probability s (else a fresh random value). */
function near(r: () => number, q: Uint8Array, s: number): Uint8Array {
  const out = q.slice();
  for (let v = 0; v < q.length / 4; v++) if (r() >= s) for (let j = 0; j < 4; j++) out[v * 4 + j] = Math.floor(r() * 256);
  return out;
}

async function indexOf(rows: Uint8Array[], dim: number, params: Record<string, unknown>): Promise<MinhashLshIndex> {
  const vectors = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => vectors.set(widen(row), i * dim));
  return await minhashLshFactory.build(vectors, dim, 'MHJACCARD', params) as MinhashLshIndex;
}

test('a row is a candidate with probability 1 - (1 - s^r)^b, within binomial bounds', async () => {
  const values = 32, bands = 8, r = values / bands, M = 1500, rand = mulberry32(3);
  const q = randomSig(rand, values);
  for (const s of [0.3, 0.5, 0.7, 0.9]) {
    const rows = Array.from({ length: M }, () => near(rand, q, s));
    const ix = await indexOf(rows, values * 32, { mhLshBand: bands });
    const hits = ix.candidates(q).length;
    const p = candidateProbability(s, r, bands), sd = Math.sqrt(M * p * (1 - p));
    assert.ok(Math.abs(hits - M * p) <= 4.5 * sd + 1, `s=${s}: ${hits} candidates of ${M}, expected ${(M * p).toFixed(1)}`);
    // The search's view agrees: every candidate is returned, no other row.
    const found = ix.search(widen(q), M);
    assert.is(found.length, hits);
  }
});

test('band keys depend on the band and its bytes alone; a build is the same bytes twice', async () => {
  const rand = mulberry32(9), shape = bandShape(64, 4, 4);
  const a = randomSig(rand, 16), b = a.slice();
  b[63] ^= 1; // the last value, in the last band
  const ka = bandKeys(a, shape), kb = bandKeys(b, shape);
  assert.equal(Array.from(ka.subarray(0, 3)), Array.from(kb.subarray(0, 3)));
  assert.is.not(ka[3], kb[3]);
  // The same bytes in two bands fall in unrelated buckets.
  const same = new Uint8Array(64).fill(7), ks = bandKeys(same, shape);
  assert.is(new Set(ks).size, 4);
  const rows = Array.from({ length: 50 }, () => randomSig(rand, 16));
  const one = await (await indexOf(rows, 512, { mhLshBand: 4 })).serialize(), two = await (await indexOf(rows, 512, { mhLshBand: 4 })).serialize();
  assert.equal(one, two);
});

test('mh_search_with_jaccard: the exact MHJACCARD top-k of the candidates; without: ranked by shared bands', async () => {
  const rand = mulberry32(11), values = 64, dim = values * 32, q = randomSig(rand, values);
  const rows = Array.from({ length: 400 }, (_, i) => near(rand, q, [0.2, 0.5, 0.8, 0.95][i % 4]!));
  const ix = await indexOf(rows, dim, { mhLshBand: 16 });
  const found = ix.candidates(q), cand = found.map((c) => c.row);
  const bandsOf = new Map(found.map((c) => [c.row, c.bands]));
  const exact = (row: number) => equalElements(rows[row]!, 0, q, dim / 8, 4) / values;
  const order = (score: (row: number) => number) => cand.map((row) => ({ row, distance: score(row) })).sort((x, y) => y.distance - x.distance || x.row - y.row);
  assert.equal(ix.search(widen(q), 30, { mhSearchWithJaccard: true }), order(exact).slice(0, 30));
  assert.equal(ix.search(widen(q), 30), order((row) => bandsOf.get(row)! / 16).slice(0, 30));
  // refine_k: only the refine_k best by shared bands are re-scored.
  const pool = order((row) => bandsOf.get(row)! / 16).slice(0, 40).map((h) => h.row);
  assert.equal(ix.search(widen(q), 10, { mhSearchWithJaccard: true, refineK: 40 }), pool.map((row) => ({ row, distance: exact(row) })).sort((x, y) => y.distance - x.distance || x.row - y.row).slice(0, 10));
  // accept: refused rows never come back.
  const odd = ix.search(widen(q), 30, { mhSearchWithJaccard: true, accept: (row) => row % 2 === 1 });
  assert.equal(odd, order(exact).filter((h) => h.row % 2 === 1).slice(0, 30));
  // Without raw data there is nothing to re-score from.
  const bare = await indexOf(rows, dim, { mhLshBand: 16, withRawData: false });
  assert.throws(() => bare.search(widen(q), 5, { mhSearchWithJaccard: true }), (e: unknown) => e instanceof ValidationError);
  assert.equal(bare.search(widen(q), 30), ix.search(widen(q), 30));
});

test('the index file round-trips; a damaged, truncated or other-dim file is a DecodeError', async () => {
  const rand = mulberry32(13), rows = Array.from({ length: 120 }, () => randomSig(rand, 16));
  for (const params of [{ mhLshBand: 4 }, { mhLshBand: 2, withRawData: false }, { mhLshBand: 8, mhElementBitWidth: 64 }]) {
    const ix = await indexOf(rows, 512, params), bytes = await ix.serialize();
    const back = await minhashLshFactory.load(bytes, 512, 'MHJACCARD');
    for (const q of [rows[3]!, near(rand, rows[7]!, 0.7)]) {
      assert.equal(back.search(widen(q), 10), ix.search(widen(q), 10));
      if (params.withRawData !== false) assert.equal(back.search(widen(q), 10, { mhSearchWithJaccard: true }), ix.search(widen(q), 10, { mhSearchWithJaccard: true }));
    }
    assert.equal(await back.serialize(), bytes);
    for (let i = 0; i < bytes.length; i += Math.max(1, Math.floor(bytes.length / 97))) {
      const bad = bytes.slice();
      bad[i] ^= 0x40;
      await rejects(minhashLshFactory.load(bad, 512, 'MHJACCARD'), (e: unknown) => e instanceof DecodeError);
    }
    await rejects(minhashLshFactory.load(bytes.subarray(0, bytes.length - 4), 512, 'MHJACCARD'), (e: unknown) => e instanceof DecodeError);
    await rejects(minhashLshFactory.load(bytes, 1024, 'MHJACCARD'), (e: unknown) => e instanceof DecodeError);
  }
});

test('build params are checked: bands divide the values, widths 8..64, MHJACCARD only', async () => {
  const rows = [new Uint8Array(64)];
  await rejects(indexOf(rows, 512, { mhLshBand: 3 }), (e: unknown) => e instanceof ValidationError && /mh_lsh_band/.test((e as Error).message));
  await rejects(indexOf(rows, 512, { mhElementBitWidth: 24 }), (e: unknown) => e instanceof ValidationError && /mh_element_bit_width/.test((e as Error).message));
  await rejects(minhashLshFactory.build(widen(rows[0]!), 512, 'HAMMING', {}), (e: unknown) => e instanceof ValidationError && /MHJACCARD/.test((e as Error).message));
});

test('MHJACCARD over packed rows equals a value-by-value count, for every width, aligned or not', () => {
  const rand = mulberry32(17), rowBytes = 16, count = 30;
  const data = new Uint8Array(count * rowBytes + 1);
  for (let i = 0; i < data.length; i++) data[i] = rand() < 0.5 ? 1 : Math.floor(rand() * 4);
  const q = data.slice(5 * rowBytes + 1, 6 * rowBytes + 1);
  for (const width of [1, 2, 4, 8]) {
    for (const off of [0, 1]) {
      const block = data.subarray(off, off + count * rowBytes);
      const score = mhJaccardScorer(block, rowBytes, q, width);
      const viaBits = bitScorer(block, rowBytes, 'MHJACCARD', q, width);
      for (let row = 0; row < count; row++) {
        let same = 0;
        for (let v = 0; v < rowBytes / width; v++) {
          let eq = true;
          for (let j = 0; j < width; j++) if (block[row * rowBytes + v * width + j] !== q[v * width + j]) eq = false;
          if (eq) same++;
        }
        assert.is(score(row), same / (rowBytes / width), `width ${width} offset ${off} row ${row}`);
        assert.is(viaBits(row), score(row));
      }
    }
  }
  assert.throws(() => mhJaccardScorer(data.subarray(0, 30), 10, data.subarray(0, 10), 4), (e: unknown) => e instanceof ValidationError);
});

test.run();
