/**
 * Float16Vector, BFloat16Vector, BinaryVector and Int8Vector over the HTTP
 * API of a standalone, as Milvus REST v2 clients send them: halves as lists
 * of floats or base64 of their little-endian bytes, binary vectors as lists
 * of bytes or base64, int8 as lists of integers; searched by each field's
 * index and metric before and after a flush; read back as numbers (binary
 * as its bytes); bad values refused with nothing written.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromBFloat16Bits, fromFloat16Bits, toBFloat16Bits, toFloat16Bits } from '../../messages/halfFloat.js';
import { tempStandalone, vectors } from '../standalone/harness.js';
import { until } from '../support/until.js';
import { V2Client } from './support/v2Client.js';

const N = 40;
const f16 = (x: number) => fromFloat16Bits(toFloat16Bits(x));
const bf16 = (x: number) => fromBFloat16Bits(toBFloat16Bits(x));
const f16Base64 = (v: number[]) => { const b = Buffer.alloc(v.length * 2); v.forEach((x, i) => b.writeUInt16LE(toFloat16Bits(x), i * 2)); return b.toString('base64'); };

const fields = [
  { fieldName: 'id', dataType: 'Int64', isPrimary: true },
  { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: 2 } },
  { fieldName: 'h', dataType: 'Float16Vector', elementTypeParams: { dim: '4' } },
  { fieldName: 'b', dataType: 'BFloat16Vector', elementTypeParams: { dim: 4 } },
  { fieldName: 'x', dataType: 'BinaryVector', elementTypeParams: { dim: 16 } },
];
const h = vectors(N, 4, 1), b = vectors(N, 4, 2), base = vectors(N, 2, 3);
const x = Array.from({ length: N }, (_, i) => [i, (i * 37) & 0xff]);
const rows = Array.from({ length: N }, (_, i) => ({
  id: i, vec: base[i], h: i % 2 ? f16Base64(h[i]!) : h[i], b: b[i], x: i % 3 ? x[i] : Buffer.from(x[i]!).toString('base64'),
}));
const popcount = (v: number) => { let n = 0; for (; v; v >>= 1) n += v & 1; return n; };
const hamming = (a: number[], c: number[]) => a.reduce((s, v, i) => s + popcount(v ^ c[i]!), 0);

test('packed vector fields over REST: create, describe, insert as floats, bytes or base64, query and search before and after flush', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    const http = new V2Client(s.http!.url);
    await http.ok('/collections/create', {
      collectionName: 'c', schema: { fields }, indexParams: [
        { fieldName: 'vec', metricType: 'L2' },
        { fieldName: 'h', indexName: 'h_idx', metricType: 'L2', indexType: 'FLAT' },
        { fieldName: 'b', indexName: 'b_idx', metricType: 'IP', params: { index_type: 'HNSW', M: 8, efConstruction: 64 } },
        { fieldName: 'x', indexName: 'x_idx', metricType: 'HAMMING', indexType: 'BIN_FLAT' },
      ],
    });
    await http.waitLoaded('c');
    const d = await http.ok('/collections/describe', { collectionName: 'c' });
    const field = (n: string) => d.fields.find((f: { name: string }) => f.name === n);
    assert.equal([field('h').type, field('h').params], ['Float16Vector', [{ key: 'dim', value: '4' }]]);
    assert.equal([field('b').type, field('x').type], ['BFloat16Vector', 'BinaryVector']);

    await http.fails('/entities/insert', { collectionName: 'c', data: [{ ...rows[0], id: 99, h: [1, 2, 3, 1e5] }] }, /out of the float16 range/);
    await http.fails('/entities/insert', { collectionName: 'c', data: [{ ...rows[0], id: 99, x: [1, 2, 3] }] }, /BinaryVector of dim 16 is 2 bytes/);
    await http.fails('/entities/insert', { collectionName: 'c', data: [{ ...rows[0], id: 99, b: 'not base64!' }] }, /not base64/);
    assert.is((await http.ok('/entities/insert', { collectionName: 'c', data: rows })).insertCount, N);

    const check = async (stage: string) => {
      const all = await http.ok('/entities/query', { collectionName: 'c', filter: 'id >= 0', outputFields: ['h', 'b', 'x'], consistencyLevel: 'Strong' });
      assert.is(all.length, N, `${stage}: nothing refused was written`);
      for (const r of all) {
        assert.equal(r.h, h[r.id]!.map(f16), `${stage}: float16 read back as rounded numbers`);
        assert.equal(r.b, b[r.id]!.map(bf16), `${stage}: bfloat16 read back as rounded numbers`);
        assert.equal(r.x, x[r.id], `${stage}: binary read back as its bytes`);
      }
      const hq = h[7]!.map((v) => v + 0.001);
      const [byH] = [await http.ok('/entities/search', { collectionName: 'c', annsField: 'h', data: [f16Base64(hq)], limit: 3, consistencyLevel: 'Strong' })];
      assert.is(byH[0].id, 7, `${stage}: a base64 float16 query finds its row`);
      const byFloats = await http.ok('/entities/search', { collectionName: 'c', annsField: 'h', data: [hq], limit: 3, consistencyLevel: 'Strong' });
      assert.equal(byFloats, byH, `${stage}: the same query as floats`);
      const byB = await http.ok('/entities/search', { collectionName: 'c', annsField: 'b', data: [b[4]], limit: 1, searchParams: { metricType: 'IP', params: { ef: 64 } }, consistencyLevel: 'Strong' });
      const bestIp = Math.max(...b.map((v) => v.reduce((sum, e, i) => sum + bf16(e) * bf16(b[4]![i]!), 0)));
      assert.ok(Math.abs(byB[0].distance - bestIp) < 1e-3, `${stage}: bfloat16 IP search`);
      const xq = [5, 3];
      const byX = await http.ok('/entities/search', { collectionName: 'c', annsField: 'x', data: [Buffer.from(xq).toString('base64')], limit: 5, searchParams: { metricType: 'HAMMING' }, consistencyLevel: 'Strong' });
      const want = x.map((v) => hamming(v, xq)).sort((p, q) => p - q).slice(0, 5);
      assert.equal(byX.map((r: { distance: number }) => r.distance), want, `${stage}: HAMMING distances of the nearest bytes`);
      byX.forEach((r: { id: number; distance: number }) => assert.is(r.distance, hamming(x[r.id]!, xq)));
      const byXList = await http.ok('/entities/search', { collectionName: 'c', annsField: 'x', data: [xq], limit: 5, consistencyLevel: 'Strong' });
      assert.equal(byXList.map((r: { distance: number }) => r.distance), want, `${stage}: the same binary query as a list of bytes`);
      await http.fails('/entities/search', { collectionName: 'c', annsField: 'x', data: [[1, 2, 3]], limit: 1 }, /holds 3 bytes/);
    };
    await check('growing');
    await http.ok('/collections/flush', { collectionName: 'c' });
    await until(async () => (await http.ok('/indexes/describe', { collectionName: 'c', indexName: 'b_idx' }))[0].indexedRows === N
      && (await http.ok('/collections/get_load_state', { collectionName: 'c' })).loadProgress === 100, 'the flushed segment indexed and served', 60_000);
    await check('sealed');
  } finally { await s.cleanup(); }
});

test('a BinaryVector-only collection over REST: its index names HAMMING, a search needs no annsField', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    const http = new V2Client(s.http!.url);
    await http.ok('/collections/create', {
      collectionName: 'bo', schema: { fields: [fields[0], { fieldName: 'x', dataType: 'BinaryVector', elementTypeParams: { dim: 16 } }] },
      indexParams: [{ fieldName: 'x', indexType: 'BIN_FLAT' }],
    });
    await http.waitLoaded('bo');
    assert.equal((await http.ok('/indexes/describe', { collectionName: 'bo', indexName: 'x' }))[0].metricType, 'HAMMING');
    await http.ok('/entities/insert', { collectionName: 'bo', data: x.map((v, id) => ({ id, x: Buffer.from(v).toString('base64') })) });
    const hits = await http.ok('/entities/search', { collectionName: 'bo', data: [x[12]], limit: 1, outputFields: ['x'], consistencyLevel: 'Strong' });
    assert.equal(hits, [{ id: 12, distance: 0, x: x[12] }]);
  } finally { await s.cleanup(); }
});

test('Int8Vector over REST: lists of integers in and out, searched by HNSW', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    const http = new V2Client(s.http!.url);
    const iv = Array.from({ length: N }, (_, i) => [i - 20, (i * 7) % 128, -((i * 3) % 128), 1]);
    await http.ok('/collections/create', {
      collectionName: 'i8', schema: { fields: [fields[0], fields[1], { fieldName: 'v', dataType: 'Int8Vector', elementTypeParams: { dim: 4 } }] },
      indexParams: [{ fieldName: 'vec', metricType: 'L2' }, { fieldName: 'v', metricType: 'L2', indexType: 'HNSW', params: { M: 8, efConstruction: 64 } }],
    });
    await http.waitLoaded('i8');
    await http.fails('/entities/insert', { collectionName: 'i8', data: [{ id: 1, vec: [0, 0], v: [1, 2, 3, 200] }] }, /-128\.\.127/);
    await http.ok('/entities/insert', { collectionName: 'i8', data: iv.map((v, id) => ({ id, vec: base[id], v })) });
    const hits = await http.ok('/entities/search', { collectionName: 'i8', annsField: 'v', data: [iv[9]], limit: 1, outputFields: ['v'], consistencyLevel: 'Strong' });
    assert.equal(hits, [{ id: 9, distance: 0, v: iv[9] }]);
  } finally { await s.cleanup(); }
});

test.run();
