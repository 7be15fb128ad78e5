import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { distanceFn } from '../../actors/shared/vector/distance.js';
import { columnBlock, packVectorColumns } from '../../actors/shared/vector/vectorColumn.js';
import { fromFloat16Bits, toFloat16Bits } from '../../messages/halfFloat.js';
import { packRow, storedProblem, unpackRow, widenRow } from '../../messages/packedVectors.js';
import { rowsProblem, type CollectionSchema } from '../../messages/schema.js';
import { rng } from '../standalone/harness.js';

/**
 * Packed vector rows (Float16Vector, BFloat16Vector, BinaryVector,
 * Int8Vector): what users give becomes the bytes a row stores, reads back as
 * what is stored, and widens to float32 for searches; bad values are refused
 * with the row's name. Binary distances over widened bits equal a naive
 * popcount reference.
 */
const bytesOf = (v: Uint8Array | string) => { assert.instance(v, Uint8Array); return v as Uint8Array; };

test('Float16Vector: numbers are rounded to float16 and read back rounded; bytes and base64 give the same row', () => {
  const xs = [0.1, -2.5, 1000.3, 3e-6];
  const row = bytesOf(packRow('Float16Vector', 4, xs, 'v'));
  assert.is(row.length, 8, 'two bytes an element');
  const back = unpackRow('Float16Vector', 4, row);
  assert.equal(back, xs.map((x) => fromFloat16Bits(toFloat16Bits(x))));
  assert.equal(unpackRow('Float16Vector', 4, bytesOf(packRow('Float16Vector', 4, back, 'v'))), back, 'what is read back is what is stored');
  assert.equal(bytesOf(packRow('Float16Vector', 4, row, 'v')), row, 'raw bytes');
  assert.equal(bytesOf(packRow('Float16Vector', 4, Buffer.from(row).toString('base64'), 'v')), row, 'base64 bytes');
});

test('BFloat16Vector and Int8Vector rows', () => {
  const bf = bytesOf(packRow('BFloat16Vector', 3, [1e30, -0.1, 7], 'v'));
  const w = new Float32Array(3);
  widenRow('BFloat16Vector', 3, bf, w, 0);
  assert.ok(Math.abs(w[0]! - 1e30) / 1e30 < 2 ** -8, 'bfloat16 keeps float32 range');
  assert.is(w[2], 7);
  const i8 = bytesOf(packRow('Int8Vector', 4, [-128, -1, 0, 127], 'v'));
  assert.equal(unpackRow('Int8Vector', 4, i8), [-128, -1, 0, 127]);
});

test('bad values are refused, naming the row', () => {
  const says = (v: Uint8Array | string, re: RegExp) => { assert.type(v, 'string'); assert.match(v as string, re); };
  says(packRow('Float16Vector', 2, [1, NaN], 'row 3: f'), /row 3: f holds a non-finite or non-numeric value at 1/);
  says(packRow('Float16Vector', 2, [1, 70000], 'f'), /out of the float16 range/);
  says(packRow('BFloat16Vector', 2, [1, 1e39], 'f'), /non-finite|out of the bfloat16 range/);
  says(packRow('Float16Vector', 2, [1, 2, 3], 'f'), /dimension 3, the field's is 2/);
  says(packRow('Float16Vector', 2, 'not base64!', 'f'), /not base64/);
  says(packRow('Float16Vector', 2, new Uint8Array([0, 0x7c, 0, 0]), 'f'), /NaN or Infinity at 0/);
  says(packRow('BinaryVector', 16, [1, 256], 'b'), /integers in 0\.\.255/);
  says(packRow('BinaryVector', 16, [1, 2, 3], 'b'), /3 bytes; a BinaryVector of dim 16 is 2 bytes/);
  says(packRow('Int8Vector', 2, [1, 128], 'i'), /-128\.\.127/);
  says(packRow('Int8Vector', 2, [1, 1.5], 'i'), /-128\.\.127/);
  assert.match(storedProblem('Float16Vector', 2, new Float32Array(2), 'f')!, /must be 4 bytes/);
});

test('an insert payload with a bad packed row is refused by the schema check', () => {
  const schema: CollectionSchema = { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: 2 }, { name: 'h', dataType: 'Float16Vector', dim: 2 }] };
  const good = { count: 1, pks: [1], vectors: new Float32Array(2), fields: { h: [bytesOf(packRow('Float16Vector', 2, [1, 2], 'h'))] } };
  assert.is(rowsProblem(schema, good), null);
  assert.match(rowsProblem(schema, { ...good, fields: { h: [new Uint8Array(3)] } })!, /Float16Vector field 'h' at row 0 must be 4 bytes/);
  assert.match(rowsProblem(schema, { ...good, fields: {} })!, /needs one vector per row/);
});

/** Hamming and Jaccard by popcount over the packed bytes: the reference. */
function popcount(x: number): number { let n = 0; while (x) { n += x & 1; x >>= 1; } return n; }
function naive(a: Uint8Array, b: Uint8Array): { hamming: number; jaccard: number } {
  let diff = 0, both = 0, either = 0;
  for (let i = 0; i < a.length; i++) { diff += popcount(a[i]! ^ b[i]!); both += popcount(a[i]! & b[i]!); either += popcount(a[i]! | b[i]!); }
  return { hamming: diff, jaccard: either === 0 ? 0 : 1 - both / either };
}

test('binary rows widened to bits: HAMMING and JACCARD equal a popcount reference', () => {
  const r = rng(5), dim = 72, n = 50;
  const rows = Array.from({ length: n }, (_, i) => (i === 0 ? new Uint8Array(dim / 8) : Uint8Array.from({ length: dim / 8 }, () => Math.floor(r() * 256))));
  const block = columnBlock(rows, n, dim, 'BinaryVector');
  const q = rows[0]!, q2 = rows[7]!;
  for (const query of [q, q2]) {
    const qv = new Float32Array(dim);
    widenRow('BinaryVector', dim, query, qv, 0);
    for (let i = 0; i < n; i++) {
      const want = naive(rows[i]!, query);
      assert.is(distanceFn('HAMMING')(block, i * dim, qv, dim), want.hamming, `hamming row ${i}`);
      assert.ok(Math.abs(distanceFn('JACCARD')(block, i * dim, qv, dim) - want.jaccard) < 1e-12, `jaccard row ${i}`);
    }
  }
  assert.equal(unpackRow('BinaryVector', dim, rows[3]!), Array.from(rows[3]!), 'binary reads back as its bytes');
});

test('decoded packed rows are packed into one buffer per column; rows of several lengths are left alone', () => {
  const rows = [Uint8Array.of(1, 2), Uint8Array.of(3, 4), Uint8Array.of(5, 6)];
  const uneven = [Uint8Array.of(1), Uint8Array.of(2, 3), Uint8Array.of(4)];
  const fields: Record<string, unknown[]> = { h: [...rows], s: [...uneven] };
  packVectorColumns(fields, 3);
  assert.equal(fields.h!.map((v) => Array.from(v as Uint8Array)), rows.map((v) => Array.from(v)));
  assert.ok(fields.h!.every((v) => (v as Uint8Array).buffer === (fields.h![0] as Uint8Array).buffer), 'one buffer');
  assert.equal(fields.s, uneven, 'untouched');
});

test.run();
