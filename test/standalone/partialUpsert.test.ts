import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { refused } from '../support/rejects.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * Upsert in merge mode (Milvus 2.6's partial_update): a row names its key and
 * the fields it changes; the stored vector, scalars and dynamic keys stay, for
 * rows in files and rows still growing; a key not stored yet must come whole.
 */
const DIM = 4;
const schema = {
  enableDynamicField: true,
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
    { name: 'color', dataType: 'VarChar' as const, maxLength: 8, nullable: true },
    { name: 'n', dataType: 'Int64' as const, defaultValue: 5 },
  ],
};
const vecs = vectors(60, DIM, 4);

test('a partial upsert changes only the fields it gives, on sealed and growing rows', async () => {
  const s = await tempStandalone({ streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } });
  try {
    const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'FLAT', params: {} }];
    await s.client.createCollection({ collectionName: 'pu', schema, metricType: 'L2', shardsNum: 2, indexParams, load: true });
    const row = (id: number) => ({ id, vec: vecs[id]!, color: 'red', n: id, tag: `t${id}` });
    await s.client.insert('pu', Array.from({ length: 20 }, (_, id) => row(id)));
    await s.client.flush('pu');
    await until(async () => (await s.client.getLoadState('pu')).loadProgress === 100, 'sealed rows served', 30_000);
    await s.client.insert('pu', Array.from({ length: 20 }, (_, i) => row(20 + i))); // growing

    // 5 (in a file) and 25 (growing): color only; 6: n only, color cleared; 26: a new vector.
    await s.client.upsert('pu', [{ id: 5, color: 'blue' }, { id: 25, color: 'blue' }, { id: 6, n: 60, color: null }, { id: 26, vec: vecs[50]! }], undefined, { partialUpdate: true });
    const got = await s.client.get('pu', [5, 6, 25, 26], { outputFields: ['*'], consistencyLevel: 'Strong' });
    const byId = new Map(got.map((r) => [r.id as number, r]));
    assert.is(got.length, 4, 'one row per key');
    for (const id of [5, 25]) {
      const r = byId.get(id)!;
      assert.equal([r.color, r.n, r.tag], ['blue', id, `t${id}`], `row ${id}: color changed, n and the dynamic key kept`);
      assert.equal((r.vec as number[]).map((x) => Math.fround(x)), vecs[id]!.map((x) => Math.fround(x)), `row ${id}: vector kept`);
    }
    assert.equal([byId.get(6)!.color, byId.get(6)!.n, byId.get(6)!.tag], [null, 60, 't6']);
    assert.equal((byId.get(26)!.vec as number[]).map((x) => Math.fround(x)), vecs[50]!.map((x) => Math.fround(x)), 'a new vector replaces the old');
    assert.equal([byId.get(26)!.color, byId.get(26)!.n], ['red', 26]);
    const [hits] = await s.client.search('pu', { data: [vecs[5]!], limit: 1, outputFields: ['color'], consistencyLevel: 'Strong' });
    assert.equal([hits![0]!.id, hits![0]!.fields.color], [5, 'blue'], 'the kept vector still finds the row');
    assert.is((await s.client.query('pu', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)'], 40, 'no row added or lost');

    // A key not stored yet must come whole: nothing of the batch is written.
    await refused(s.client.upsert('pu', [{ id: 7, color: 'green' }, { id: 99, color: 'green' }], undefined, { partialUpdate: true }), /vec/);
    assert.is((await s.client.get('pu', [7], { outputFields: ['color'] }))[0]!.color, 'red', 'the refused batch changed nothing');
    await s.client.upsert('pu', [{ id: 99, vec: vecs[59]!, color: 'green' }], undefined, { partialUpdate: true });
    assert.equal((await s.client.get('pu', [99], { outputFields: ['color', 'n'] })).map((r) => [r.color, r.n]), [['green', 5]], 'a whole new row is inserted, its default filled');
    await refused(s.client.upsert('pu', [{ id: 5, color: 'x' }, { id: 5, color: 'y' }], undefined, { partialUpdate: true }), /twice/);
    await refused(s.client.upsert('pu', [{ color: 'x' }], undefined, { partialUpdate: true }), /primary key/);
    await refused(s.client.upsert('pu', [{ id: 5, color: 7 }], undefined, { partialUpdate: true }), /color/);
  } finally { await s.cleanup(); }
});

test('concurrent partial upserts of one row each keep their field: none is lost to another\'s stale read', async () => {
  const s = await tempStandalone();
  try {
    const FIELDS = 8;
    const wide = {
      fields: [
        { name: 'id', dataType: 'Int64' as const, isPrimary: true },
        { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
        ...Array.from({ length: FIELDS }, (_, i) => ({ name: `f${i}`, dataType: 'Int64' as const, nullable: true })),
      ],
    };
    await s.client.createCollection({ collectionName: 'race', schema: wide, metricType: 'L2', shardsNum: 2, indexParams: [{ indexName: 'v', fieldName: 'vec', indexType: 'FLAT', params: {} }], load: true });
    const KEYS = [1, 2, 3, 4];
    await s.client.insert('race', KEYS.map((id) => ({ id, vec: vecs[id]! })));
    // Each writer sets its own field on every key, all at once, three rounds: a read-merge-write that overwrote
    // another's commit unseen would leave that field at its older value.
    for (let round = 1; round <= 3; round++) {
      await Promise.all(Array.from({ length: FIELDS }, (_, w) => s.client.upsert('race', KEYS.map((id) => ({ id, [`f${w}`]: round * 100 + w })), undefined, { partialUpdate: true })));
      const rows = await s.client.get('race', KEYS, { outputFields: ['*'], consistencyLevel: 'Strong' });
      assert.is(rows.length, KEYS.length);
      for (const row of rows) {
        assert.equal(Array.from({ length: FIELDS }, (_, w) => row[`f${w}`]), Array.from({ length: FIELDS }, (_, w) => round * 100 + w), `round ${round}, key ${row.id}`);
      }
    }
  } finally { await s.cleanup(); }
});

test.run();
