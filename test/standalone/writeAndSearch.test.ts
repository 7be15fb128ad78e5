import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError } from '../../messages/errors.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * The whole write -> WAL -> search path in one process: growing data searched by
 * the delegator, then the same data after flush, index build and load on the
 * query node; deletes by TSO; upsert; reads at every consistency level.
 */
const DIM = 8;
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
    { name: 'color', dataType: 'VarChar' as const, maxLength: 16 },
    { name: 'n', dataType: 'Int32' as const },
  ],
};

function rows(from: number, count: number, seed: number) {
  const vs = vectors(count, DIM, seed);
  return vs.map((vec, i) => ({ id: from + i, vec, color: (from + i) % 2 ? 'red' : 'blue', n: from + i }));
}

test('insert, search growing, flush, index, search sealed: same answers', async () => {
  const s = await tempStandalone({ streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } });
  try {
    await s.client.createCollection({ collectionName: 'books', schema, metricType: 'L2', shardsNum: 2, indexParams: [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW', params: { M: 16, efConstruction: 100 } }], load: true });
    const data = rows(0, 500, 1);
    const ins = await s.client.insert('books', data);
    assert.is(ins.count, 500);
    const q = data[17]!.vec;
    const growing = await s.client.search('books', { data: [q], limit: 5, outputFields: ['color', 'n'], consistencyLevel: 'Strong' });
    assert.is(growing[0]!.length, 5);
    assert.is(growing[0]![0]!.id, 17);
    assert.is(growing[0]![0]!.fields.color, 'red');
    const filtered = await s.client.search('books', { data: [q], limit: 5, filter: 'color == "blue" and n < 100', outputFields: ['n'], consistencyLevel: 'Strong' });
    for (const h of filtered[0]!) { assert.ok((h.id as number) % 2 === 0); assert.ok((h.fields.n as number) < 100); }
    assert.equal((await s.client.getCollectionStats('books')).rowCount, 500);

    await s.client.flush('books');
    // Wait until the sealed segments are indexed and served by the query node.
    for (let i = 0; i < 200; i++) {
      const idx = await s.client.describeIndex('books');
      const load = await s.client.getLoadState('books');
      if (idx[0]!.indexState === 'Finished' && idx[0]!.totalRows === 500 && load.loadProgress === 100) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const idx = await s.client.describeIndex('books');
    assert.is(idx[0]!.indexedRows, 500);
    const sealed = await s.client.search('books', { data: [q], limit: 5, outputFields: ['color', 'n'], consistencyLevel: 'Strong' });
    assert.equal(sealed[0]!.map((h) => h.id), growing[0]!.map((h) => h.id));
    assert.equal((await s.client.getCollectionStats('books')).rowCount, 500);
  } finally { await s.cleanup(); }
});

test('a delete hides only rows inserted before it; upsert replaces atomically', async () => {
  const s = await tempStandalone();
  try {
    await s.client.createCollection({ collectionName: 'c', schema, metricType: 'L2', load: true });
    await s.client.insert('c', rows(0, 50, 2));
    const del = await s.client.delete('c', { ids: [3, 4] });
    assert.is(del.count, 2);
    const got = await s.client.get('c', [3, 4, 5], { outputFields: ['n'] });
    assert.equal(got.map((r) => r.id), [5]);
    // Re-inserting a deleted key makes it visible again: the delete hid only older rows.
    await s.client.insert('c', [{ id: 3, vec: new Array(DIM).fill(0.5), color: 'green', n: 333 }]);
    assert.equal((await s.client.get('c', [3], { outputFields: ['n', 'color'] })).map((r) => r.n), [333]);
    await s.client.upsert('c', [{ id: 5, vec: new Array(DIM).fill(0.25), color: 'pink', n: 555 }]);
    const five = await s.client.get('c', [5], { outputFields: ['n', 'color'] });
    assert.equal(five, [{ id: 5, n: 555, color: 'pink' }]);
    const byFilter = await s.client.delete('c', { filter: 'n >= 40 and n < 45' });
    assert.is(byFilter.count, 5);
    assert.equal((await s.client.getCollectionStats('c')).rowCount, 50 - 2 + 1 - 5);
    const q = await s.client.query('c', { filter: 'color == "pink"', outputFields: ['n'], consistencyLevel: 'Strong' });
    assert.equal(q, [{ id: 5, n: 555 }]);
  } finally { await s.cleanup(); }
});

test('a delete of more ids than one message holds is split, and every id is deleted', async () => {
  const s = await tempStandalone();
  try {
    await s.client.createCollection({ collectionName: 'c', schema, metricType: 'L2', shardsNum: 2, load: true });
    await s.client.insert('c', rows(0, 100, 4));
    // 1.2 million Int64 ids are about 9.6 MB: more than one 4 MB message per shard.
    const ids = Array.from({ length: 1_200_000 }, (_, i) => (i < 50 ? i : 1000 + i));
    const del = await s.client.delete('c', { ids });
    assert.is(del.count, ids.length);
    assert.equal((await s.client.getCollectionStats('c')).rowCount, 50);
    const left = await s.client.query('c', { filter: 'n < 100', outputFields: ['n'], limit: 100, consistencyLevel: 'Strong' });
    assert.equal(left.map((r) => r.id).sort((a, b) => Number(a) - Number(b)), Array.from({ length: 50 }, (_, i) => 50 + i));
  } finally { await s.cleanup(); }
});

test('consistency levels: Session sees its own writes; Eventually never waits', async () => {
  const s = await tempStandalone();
  try {
    await s.client.createCollection({ collectionName: 'c', schema, metricType: 'IP', load: true, consistencyLevel: 'Session' });
    await s.client.insert('c', rows(0, 20, 3));
    const session = await s.client.query('c', { outputFields: ['count(*)'], consistencyLevel: 'Session' });
    assert.equal(session, [{ 'count(*)': 20 }]);
    const eventually = await s.client.query('c', { outputFields: ['count(*)'], consistencyLevel: 'Eventually' });
    assert.ok((eventually[0]!['count(*)'] as number) <= 20);
    const bounded = await s.client.query('c', { outputFields: ['count(*)'], consistencyLevel: 'Bounded' });
    assert.ok((bounded[0]!['count(*)'] as number) <= 20);
  } finally { await s.cleanup(); }
});

test('DML after drop, unknown collection and partition: typed errors, nothing lost', async () => {
  const s = await tempStandalone();
  try {
    await s.client.createCollection({ collectionName: 'keep', schema, metricType: 'L2', load: true });
    await s.client.createCollection({ collectionName: 'gone', schema, metricType: 'L2', load: true });
    await s.client.insert('keep', rows(0, 10, 4));
    const r = await s.client.describeCollection('gone');
    await s.client.dropCollection('gone');
    const e1 = await s.client.insert('gone', rows(0, 1, 5)).catch((e) => e);
    assert.instance(e1, NuthatchError);
    assert.is(e1.code, 'CollectionNotFound');
    const e2 = await s.client.insert('keep', rows(100, 1, 6), 'nope').catch((e) => e);
    assert.is(e2.code, 'PartitionNotFound');
    const e3 = await s.client.insert('keep', [{ id: 1, vec: [1, 2], color: 'x', n: 1 }]).catch((e) => e);
    assert.is(e3.code, 'InvalidArgument');
    assert.match(e3.message, /dimension/);
    assert.ok(r.vchannels.length === 1);
    assert.equal((await s.client.getCollectionStats('keep')).rowCount, 10);
  } finally { await s.cleanup(); }
});

test.run();
