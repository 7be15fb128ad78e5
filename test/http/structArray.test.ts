/**
 * Array of Structs over the HTTP API of a standalone, as Milvus REST v2
 * clients speak it: create with `elementDataType: "Struct"` and sub-`fields`,
 * describe, insert, get the chunks back, search `chunks[emb]` with embedding
 * lists (rows flushed and growing), and bad rows and searches refused.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempStandalone } from '../standalone/harness.js';
import { BAD_INPUT, V2Client } from './support/v2Client.js';

const rows = Array.from({ length: 30 }, (_, i) => ({
  id: i, vec: [i, 1, 0, 0],
  // Row i's chunks point along axis i % 3 and (i + 1) % 3, scaled by how far into the list they are.
  chunks: [0, 1].map((j) => ({ note: `r${i}c${j}`, emb: [0, 1, 2].map((a) => (a === (i + j) % 3 ? 1 : 0.1 * (j + 1))) })),
}));
const fields = [
  { fieldName: 'id', dataType: 'Int64', isPrimary: true },
  { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: 4 } },
  {
    fieldName: 'chunks', dataType: 'Array', elementDataType: 'Struct', elementTypeParams: { max_capacity: 3 },
    fields: [{ fieldName: 'note', dataType: 'VarChar', elementTypeParams: { max_length: 16 } }, { fieldName: 'emb', dataType: 'FloatVector', elementTypeParams: { dim: 3 } }],
  },
];
const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0) / Math.hypot(...a) / Math.hypot(...b);
const score = (q: number[][], id: number) => q.reduce((s, qv) => s + Math.max(...rows[id]!.chunks.map((c) => cos(c.emb, qv))), 0);

test('Array of Structs over HTTP: create, describe, insert, get, embedding-list search before and after flush, refusals', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    const http = new V2Client(s.http!.url);
    await http.ok('/collections/create', { collectionName: 'c', schema: { fields }, indexParams: [{ fieldName: 'vec', metricType: 'L2' }] });
    await http.waitLoaded('c');
    const d = await http.ok('/collections/describe', { collectionName: 'c' });
    const chunks = d.fields.find((f: { name: string }) => f.name === 'chunks');
    assert.equal([chunks.type, chunks.elementType, chunks.params], ['Array', 'Struct', [{ key: 'max_capacity', value: '3' }]]);
    assert.equal(chunks.fields, [{ name: 'note', type: 'VarChar', description: '', params: [{ key: 'max_length', value: '16' }] }, { name: 'emb', type: 'FloatVector', description: '', params: [{ key: 'dim', value: '3' }] }]);
    assert.is((await http.ok('/entities/insert', { collectionName: 'c', data: rows.slice(0, 20) })).insertCount, 20);
    await http.ok('/collections/flush', { collectionName: 'c' });
    await http.ok('/entities/insert', { collectionName: 'c', data: rows.slice(20) });

    const got = await http.ok('/entities/get', { collectionName: 'c', id: [4, 25], outputFields: ['chunks'] });
    assert.equal(got.sort((a: { id: number }, b: { id: number }) => a.id - b.id), [4, 25].map((id) => ({ id, chunks: rows[id]!.chunks.map((c) => ({ note: c.note, emb: c.emb.map(Math.fround) })) })));

    const q = [[1, 0, 0], [0, 0.2, 1]];
    const want = rows.map((r) => ({ id: r.id, score: score(q, r.id) })).sort((a, b) => b.score - a.score || a.id - b.id).slice(0, 5);
    const hits = await http.ok('/entities/search', { collectionName: 'c', annsField: 'chunks[emb]', data: [q], limit: 5, outputFields: ['chunks[note]'], searchParams: { metricType: 'MAX_SIM_COSINE' }, consistencyLevel: 'Strong' });
    assert.equal(hits.map((h: { id: number }) => h.id), want.map((w) => w.id));
    hits.forEach((h: { id: number; distance: number; chunks: unknown }, i: number) => {
      assert.ok(Math.abs(h.distance - want[i]!.score) < 1e-5, `score ${h.distance} vs ${want[i]!.score}`);
      assert.equal(h.chunks, rows[h.id]!.chunks.map((c) => ({ note: c.note })));
    });

    await http.fails('/entities/insert', { collectionName: 'c', data: [{ ...rows[0], id: 99, chunks: [{ note: 'x', emb: [1, 2] }] }] }, /has dimension 2, the sub-field's is 3/, BAD_INPUT);
    await http.fails('/entities/insert', { collectionName: 'c', data: [{ ...rows[0], id: 99, chunks: [5] }] }, /must be an object/, BAD_INPUT);
    await http.fails('/entities/search', { collectionName: 'c', annsField: 'chunks[emb]', data: [[[1, 0]]], limit: 3 }, /dimension 2/, BAD_INPUT);
    await http.fails('/entities/search', { collectionName: 'c', annsField: 'chunks[emb]', data: [q], limit: 3, searchParams: { metricType: 'L2' } }, /MAX_SIM/, BAD_INPUT);
    await http.fails('/collections/create', { collectionName: 'bad', schema: { fields: [fields[0], fields[1], { ...fields[2], fields: [{ fieldName: 'j', dataType: 'JSON' }] }] } }, /a Struct's field types/, BAD_INPUT);
    assert.equal(await http.ok('/entities/get', { collectionName: 'c', id: [99] }), []);
  } finally { await s.cleanup(); }
});

test.run();
