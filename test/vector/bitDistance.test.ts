import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bitQuery, hammingBytes, jaccardBytes, packBits, popcount32 } from '../../actors/shared/vector/bitDistance.js';
import { searchBlock, searchBlockRows } from '../../actors/shared/vector/bruteForce.js';
import { bitScorer, rowScorer, type VectorBlock } from '../../actors/shared/vector/vectorBlock.js';
import { ValidationError } from '../../messages/errors.js';
import { widenRow } from '../../messages/packedVectors.js';
import type { MetricType } from '../../messages/schema.js';
import { mulberry32 } from '../../bench/support/dataset.js';
import { widenedBlock, widenedQuery, widenedSearch } from '../../bench/support/widenedSearch.js';

/**
 * The popcount kernel of BinaryVector fields against a per-bit reference and
 * against the widened float path it replaces: the same distances to the last
 * bit, the same rows in the same order (ties to the lower row), whether the
 * rows sit on 4-byte boundaries (word view) or not (assembled words and a
 * byte table for a row's last bytes).
 */
const DIMS = [8, 16, 24, 32, 40, 72, 136, 1000, 1024];
const METRICS: MetricType[] = ['HAMMING', 'JACCARD'];

/** Bit by bit, as the definition reads. */
function reference(a: Uint8Array, b: Uint8Array, metric: MetricType): number {
  let diff = 0, both = 0, either = 0;
  for (let i = 0; i < a.length * 8; i++) {
    const x = (a[i >> 3]! >> (7 - (i & 7))) & 1, y = (b[i >> 3]! >> (7 - (i & 7))) & 1;
    diff += x ^ y; both += x & y; either += x | y;
  }
  return metric === 'HAMMING' ? diff : either === 0 ? 0 : 1 - both / either;
}

/** n random rows of `size` bytes, some all zero, some all ones, some sparse, one a copy of another (ties). */
function rowsOf(n: number, size: number, seed: number): Uint8Array[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    if (i === 0) return new Uint8Array(size);
    if (i === 1) return new Uint8Array(size).fill(255);
    const sparse = i % 3 === 0;
    return Uint8Array.from({ length: size }, () => Math.floor(r() * 256) & (sparse ? Math.floor(r() * 256) & Math.floor(r() * 256) : 255));
  }).map((row, i, all) => (i === n - 1 ? all[5]!.slice() : row));
}

/** The rows as one block starting `skew` bytes into its buffer (0: aligned). */
function blockOf(rows: Uint8Array[], size: number, skew: number): Uint8Array {
  const buf = new Uint8Array(skew + rows.length * size);
  rows.forEach((row, i) => buf.set(row, skew + i * size));
  return buf.subarray(skew);
}

test('popcount32 counts the bits of any 32-bit word', () => {
  const r = mulberry32(1), words = [0, 1, 0x80000000, 0xffffffff, 0x7fffffff, 0x55555555, 0xaaaaaaaa, -1, -0x80000000];
  for (let i = 0; i < 2000; i++) words.push(Math.floor(r() * 2 ** 32));
  for (const w of words) assert.is(popcount32(w), popcountNaive(w), `word ${w}`);
  assert.is(popcount32(0xffffffff), 32);
  assert.is(popcount32(0x80000001), 2);
});
/** Bit by bit, of the word's 32-bit pattern (a negative int32 included). */
function popcountNaive(x: number): number { let n = 0; for (let b = 0; b < 32; b++) n += (x >>> b) & 1; return n; }

test('HAMMING and JACCARD over packed bytes equal the per-bit reference and the widened floats, at every dim and alignment', () => {
  const n = 23;
  for (const dim of DIMS) {
    const size = dim / 8, rows = rowsOf(n, size, dim);
    const widened = widenedBlock(rows, n, dim, 'BinaryVector');
    for (const skew of [0, 1, 2, 3]) {
      const bytes = blockOf(rows, size, skew);
      for (const metric of METRICS) {
        for (const query of [rows[0]!, rows[1]!, rows[4]!, rows[5]!]) {
          const qf = widenedQuery('BinaryVector', dim, query);
          const packed = rowScorer({ type: 'BinaryVector', dim, bytes }, metric, qf);
          const floats = rowScorer({ type: 'FloatVector', dim, vectors: widened }, metric, qf);
          for (let row = 0; row < n; row++) {
            const want = reference(rows[row]!, query, metric);
            assert.is(packed(row), want, `${metric} dim ${dim} skew ${skew} row ${row}`);
            assert.is(floats(row), want, `the widened path agrees: ${metric} dim ${dim} row ${row}`);
          }
        }
      }
    }
  }
});

test('the byte kernels alone (any offset) agree with the reference', () => {
  const r = mulberry32(9);
  for (const size of [1, 2, 3, 5, 7, 9, 17, 125]) {
    const a = Uint8Array.from({ length: size + 3 }, () => Math.floor(r() * 256)), b = Uint8Array.from({ length: size }, () => Math.floor(r() * 256));
    for (const off of [0, 1, 3]) {
      const row = a.subarray(off, off + size);
      assert.is(hammingBytes(a, off, bitQuery(b), size), reference(row, b, 'HAMMING'), `hamming ${size}@${off}`);
      assert.is(jaccardBytes(a, off, bitQuery(b), size), reference(row, b, 'JACCARD'), `jaccard ${size}@${off}`);
    }
  }
});

test('a widened query packs back to its bytes', () => {
  const q = Uint8Array.of(0x81, 0x00, 0xff, 0x5a);
  assert.equal(Array.from(packBits(widenedQuery('BinaryVector', 32, q))), Array.from(q));
});

test('brute force over packed bits returns what the widened search returned: rows, distances, order, ties, filters, ranges', () => {
  const n = 301;
  for (const dim of [24, 64, 136, 1000]) {
    const size = dim / 8, rows = rowsOf(n, size, 100 + dim);
    // Copies make ties: rows 10..19 repeat rows 0..9.
    for (let i = 10; i < 20; i++) rows[i] = rows[i - 10]!.slice();
    const widened = widenedBlock(rows, n, dim, 'BinaryVector');
    for (const skew of [0, 1]) {
      const block: VectorBlock = { type: 'BinaryVector', dim, bytes: blockOf(rows, size, skew) };
      for (const metric of METRICS) {
        const queries = [rows[3]!, rows[0]!, rows[200]!].map((q) => widenedQuery('BinaryVector', dim, q));
        const accept = (row: number) => row % 4 !== 1;
        const mid = reference(rows[7]!, rows[3]!, metric);
        const ranges = metric === 'HAMMING' ? [{ radius: mid + 1, rangeFilter: Math.max(0, mid - dim / 8) }] : [{ radius: Math.min(1, mid + 0.05), rangeFilter: Math.max(0, mid - 0.2) }];
        for (const k of [1, 10, 50, n]) {
          const what = `${metric} dim ${dim} skew ${skew} k ${k}`;
          assert.equal(searchBlock({ block, count: n, metric, queries, k }), widenedSearch({ block: widened, dim, count: n, metric, queries, k }), what);
          assert.equal(searchBlock({ block, count: n, metric, queries, k, accept }), widenedSearch({ block: widened, dim, count: n, metric, queries, k, accept }), `${what} filtered`);
          for (const range of ranges) {
            const got = searchBlock({ block, count: n, metric, queries, k, range });
            assert.equal(got, widenedSearch({ block: widened, dim, count: n, metric, queries, k, range }), `${what} ranged`);
            assert.ok(got[0]!.length > 0, `${what}: the range holds rows`);
          }
          const few = Int32Array.from({ length: 60 }, (_, i) => i * 5);
          assert.equal(searchBlockRows({ block, metric, rows: few, query: queries[0]!, k }), widenedSearch({ block: widened, dim, count: n, metric, queries: [queries[0]!], k, accept: (row) => row % 5 === 0 && row < 300 })[0], `${what} over some rows`);
        }
      }
    }
  }
});

test('a binary block is refused a float metric, and a query of another length', () => {
  const block: VectorBlock = { type: 'BinaryVector', dim: 16, bytes: new Uint8Array(8) };
  assert.throws(() => rowScorer(block, 'L2', new Float32Array(16)), (e: unknown) => e instanceof ValidationError);
  assert.throws(() => rowScorer(block, 'HAMMING', new Float32Array(8)), (e: unknown) => e instanceof ValidationError);
  assert.throws(() => bitScorer(block.bytes, 2, 'HAMMING', new Uint8Array(3)), (e: unknown) => e instanceof ValidationError);
  assert.throws(() => searchBlock({ block, count: 5, metric: 'HAMMING', queries: [], k: 1 }), (e: unknown) => e instanceof ValidationError, 'more rows than the bytes hold');
});

test('the widened reference reads bits high bit first, as packRow stores them', () => {
  const out = new Float32Array(8);
  widenRow('BinaryVector', 8, Uint8Array.of(0b10000001), out, 0);
  assert.equal(Array.from(out), [1, 0, 0, 0, 0, 0, 0, 1]);
});

test.run();
