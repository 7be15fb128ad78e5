import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { searchBlock, searchBlockRows } from '../../actors/shared/vector/bruteForce.js';
import { annsVectors, packVectorColumns } from '../../actors/shared/vector/vectorColumn.js';
import { blockBytes, type VectorBlock } from '../../actors/shared/vector/vectorBlock.js';
import { ValidationError } from '../../messages/errors.js';
import { packRow, packedRowBytes, type PackedVectorType } from '../../messages/packedVectors.js';
import type { MetricType } from '../../messages/schema.js';
import { mulberry32 } from '../../bench/support/dataset.js';
import { widenedBlock, widenedQuery, widenedSearch } from '../../bench/support/widenedSearch.js';

/**
 * Int8Vector, Float16Vector and BFloat16Vector searched from their bytes
 * (packedDistance.ts) return what the widened float32 block returned: the
 * same rows, order and distances to the last bit; and a search reads a packed
 * field's bytes as they are held, with no float copy.
 */
const TYPES: PackedVectorType[] = ['Int8Vector', 'Float16Vector', 'BFloat16Vector'];
const METRICS: MetricType[] = ['L2', 'IP', 'COSINE'];

function rowsOf(type: PackedVectorType, n: number, dim: number, seed: number): Uint8Array[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const v = Array.from({ length: dim }, () => (type === 'Int8Vector' ? Math.floor(r() * 256) - 128 : (r() - 0.5) * (i % 7 === 0 ? 1000 : 3)));
    const row = packRow(type, dim, i === 2 ? v.map(() => 0) : v, `row ${i}`);
    if (typeof row === 'string') throw new Error(row);
    return row;
  });
}

test('int8 and half rows searched in place equal the widened search, at odd and even dims', () => {
  const n = 157;
  for (const type of TYPES) {
    for (const dim of [1, 3, 7, 8, 33, 128]) {
      const rows = rowsOf(type, n, dim, dim * 13 + type.length);
      rows[20] = rows[10]!.slice(); // a tie
      const widened = widenedBlock(rows, n, dim, type);
      const size = packedRowBytes(type, dim), bytes = new Uint8Array(n * size);
      rows.forEach((row, i) => bytes.set(row, i * size));
      const block: VectorBlock = { type, dim, bytes };
      // Queries as the client sends them (rounded as rows are), and one of any float32s: sums that round, so the order of the sums counts.
      const raw = mulberry32(dim), anyFloats = Float32Array.from({ length: dim }, () => (raw() - 0.5) * Math.PI * (raw() < 0.5 ? 1e-7 : 1));
      const queries = [...[rows[10]!, rows[2]!, rows[99]!].map((q) => widenedQuery(type, dim, q)), anyFloats];
      for (const metric of METRICS) {
        for (const k of [1, 10, n]) {
          const what = `${type} dim ${dim} ${metric} k ${k}`;
          assert.equal(searchBlock({ block, count: n, metric, queries, k }), widenedSearch({ block: widened, dim, count: n, metric, queries, k }), what);
          const accept = (row: number) => row % 3 !== 0;
          assert.equal(searchBlock({ block, count: n, metric, queries, k, accept }), widenedSearch({ block: widened, dim, count: n, metric, queries, k, accept }), `${what} filtered`);
          const few = Int32Array.of(0, 2, 10, 20, 50, 99, 156);
          assert.equal(searchBlockRows({ block, metric, rows: few, query: queries[0]!, k }), widenedSearch({ block: widened, dim, count: n, metric, queries: [queries[0]!], k, accept: (row) => few.includes(row) })[0], `${what} some rows`);
        }
      }
      // Halves read off a 2-byte boundary (a block inside a larger buffer) are still read right.
      const skewed = new Uint8Array(bytes.length + 1); skewed.set(bytes, 1);
      assert.equal(searchBlock({ block: { type, dim, bytes: skewed.subarray(1) }, count: n, metric: 'L2', queries, k: 5 }), widenedSearch({ block: widened, dim, count: n, metric: 'L2', queries, k: 5 }), `${type} dim ${dim} unaligned`);
    }
  }
});

test('a packed field is searched from its bytes: the block is the column\'s own buffer, no float copy', () => {
  const n = 40;
  for (const [type, dim] of [['BinaryVector', 136], ['Int8Vector', 12], ['Float16Vector', 12]] as const) {
    const rows = type === 'BinaryVector' ? Array.from({ length: n }, (_, i) => new Uint8Array(dim / 8).fill(i)) : rowsOf(type, n, dim, 3);
    const fields: Record<string, unknown[]> = { p: rows.map((r) => r.slice()) };
    packVectorColumns(fields, n);
    const block = annsVectors({ count: n, vectors: new Float32Array(0), fields }, { field: 'p', dim, packed: type }, 0);
    assert.is(block.type, type);
    assert.is(blockBytes(block), n * packedRowBytes(type, dim), `${type}: its bytes, not ${n * dim * 4} of floats`);
    assert.is(block.type !== 'FloatVector' ? block.bytes.buffer : undefined, (fields.p![0] as Uint8Array).buffer, `${type}: the rows' own buffer`);
    // A column with a missing row (a nullable field's) is packed compact on first search: the missing row holds no bytes.
    const holes: unknown[] = rows.map((r, i) => (i === 3 ? null : r.slice()));
    const again = annsVectors({ count: n, vectors: new Float32Array(0), fields: { p: holes } }, { field: 'p', dim, packed: type }, 0);
    const bytes = again.type !== 'FloatVector' ? again.bytes : new Uint8Array(0);
    const size = packedRowBytes(type, dim);
    assert.is(bytes.length, (n - 1) * size, 'a missing row holds no bytes');
    assert.is(again.map!.slots[3], -1, 'its row maps to no slot');
    assert.equal(Array.from(bytes.subarray(3 * size, 4 * size)), Array.from(rows[4]!), 'row 4 is the fourth slot');
    assert.is(holes[3], null, 'and stays missing');
    assert.is((holes[4] as Uint8Array).buffer, bytes.buffer, 'present rows become views of the block');
  }
});

test('a float metric on bits, or a binary metric on int8 or halves, is a ValidationError', () => {
  for (const type of TYPES) {
    assert.throws(() => searchBlock({ block: { type, dim: 8, bytes: new Uint8Array(64) }, count: 1, metric: 'HAMMING', queries: [new Float32Array(8)], k: 1 }), (e: unknown) => e instanceof ValidationError, type);
  }
});

test.run();
