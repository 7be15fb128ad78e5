/**
 * Nullable vector fields over the HTTP API of a standalone (Milvus 2.6's):
 * `nullable: true` on a vector field in create and in fields/add; rows that
 * omit it or give null read null and are never search hits; a given vector
 * is still checked; IS NULL on a vector field is refused.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempStandalone, vectors } from '../standalone/harness.js';
import { V2Client } from './support/v2Client.js';

const N = 30;
const base = vectors(N, 2, 1), opt = vectors(N, 4, 2), bits = Array.from({ length: N }, (_, i) => [i, 255 - i]);
const has = (id: number) => id % 2 === 0;
const popcount = (v: number) => { let n = 0; for (; v; v >>= 1) n += v & 1; return n; };
const hamming = (a: number[], c: number[]) => a.reduce((sum, v, i) => sum + popcount(v ^ c[i]!), 0);

test('nullable vector fields over REST: create, insert without them, search only rows having them, add one to a live collection', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    const http = new V2Client(s.http!.url);
    const fields = [
      { fieldName: 'id', dataType: 'Int64', isPrimary: true },
      { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: 2 } },
      { fieldName: 'opt', dataType: 'FloatVector', elementTypeParams: { dim: 4 }, nullable: true },
    ];
    await http.ok('/collections/create', { collectionName: 'c', schema: { fields }, indexParams: [{ fieldName: 'vec', metricType: 'L2' }, { fieldName: 'opt', indexName: 'opt_idx', metricType: 'L2' }] });
    await http.waitLoaded('c');
    const d = await http.ok('/collections/describe', { collectionName: 'c' });
    assert.is(d.fields.find((f: { name: string }) => f.name === 'opt').nullable, true);
    await http.fails('/entities/insert', { collectionName: 'c', data: [{ id: 99, vec: base[0], opt: [1, 2] }] }, /opt/);
    await http.fails('/entities/insert', { collectionName: 'c', data: [{ id: 99, opt: opt[0] }] }, /missing the vector field 'vec'/);
    const rows = Array.from({ length: N }, (_, i) => ({ id: i, vec: base[i], ...(has(i) ? { opt: opt[i] } : i % 3 ? { opt: null } : {}) }));
    assert.is((await http.ok('/entities/insert', { collectionName: 'c', data: rows })).insertCount, N);
    const all = await http.ok('/entities/query', { collectionName: 'c', filter: 'id >= 0', outputFields: ['opt'], consistencyLevel: 'Strong' });
    assert.is(all.length, N, 'nothing refused was written');
    for (const r of all) assert.equal(r.opt, has(r.id) ? opt[r.id]!.map(Math.fround) : null);
    const hits = await http.ok('/entities/search', { collectionName: 'c', annsField: 'opt', data: [opt[3]], limit: 100, consistencyLevel: 'Strong' });
    assert.equal(hits.map((h: { id: number }) => h.id).sort((a: number, b: number) => a - b), Array.from({ length: N }, (_, i) => i).filter(has));
    await http.fails('/entities/query', { collectionName: 'c', filter: 'opt is null' }, /cannot test vector field 'opt'/);

    // Added to the live collection: every row reads null until given one.
    assert.equal(await http.ok('/collections/fields/add', { collectionName: 'c', schema: { fieldName: 'b', dataType: 'BinaryVector', elementTypeParams: { dim: 16 }, nullable: true } }), {});
    await http.fails('/collections/fields/add', { collectionName: 'c', schema: { fieldName: 'v2', dataType: 'FloatVector', elementTypeParams: { dim: 4 } } }, /must be nullable/);
    await http.ok('/entities/upsert', { collectionName: 'c', data: [5, 6].map((id) => ({ ...rows[id], b: bits[id] })) });
    const bs = await http.ok('/entities/query', { collectionName: 'c', filter: 'id < 8', outputFields: ['b'], consistencyLevel: 'Strong' });
    assert.equal(bs.map((r: { id: number; b: unknown }) => [r.id, r.b]).sort((a: [number], b: [number]) => a[0] - b[0]), Array.from({ length: 8 }, (_, id) => [id, id === 5 || id === 6 ? bits[id] : null]));
    const byB = await http.ok('/entities/search', { collectionName: 'c', annsField: 'b', data: [bits[5]], limit: 10, consistencyLevel: 'Strong' });
    assert.equal(byB.map((h: { id: number; distance: number }) => [h.id, h.distance]), [[5, 0], [6, hamming(bits[5]!, bits[6]!)]], 'only the back-filled rows, by HAMMING');
  } finally { await s.cleanup(); }
});

test.run();
