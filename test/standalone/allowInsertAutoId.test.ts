import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { refused } from '../support/rejects.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * allow_insert_auto_id (Milvus 2.6): an autoID collection with it set keeps
 * the keys rows give, on insert, upsert and bulk import, and generates the
 * others; without it, an insert's given key is refused and nothing is written
 * (an upsert then replaces the row its key names: autoIdUpsert.test.ts).
 */
const DIM = 4;
const vecs = vectors(50, DIM, 3);
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true, autoId: true },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
    { name: 'n', dataType: 'Int64' as const },
  ],
};

test('given keys are kept and missing ones generated only while allow_insert_auto_id is set', async () => {
  const s = await tempStandalone();
  const c = s.client;
  const count = async () => (await c.query('a', { filter: 'n >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)'];
  try {
    await c.createCollection({ collectionName: 'a', schema, metricType: 'L2', indexParams: [{ indexName: 'v', fieldName: 'vec', indexType: 'FLAT', params: {} }], load: true });
    await refused(c.insert('a', [{ id: 5, vec: vecs[0]!, n: 0 }]), /auto-generated|autoId/);
    assert.is(await count(), 0, 'a refused write writes nothing');

    await c.alterCollectionProperties('a', { allow_insert_auto_id: true });
    assert.equal((await c.describeCollection('a')).properties, [{ key: 'allow_insert_auto_id', value: 'true' }]);
    const mixed = await c.insert('a', [{ id: 1_000_000, vec: vecs[1]!, n: 1 }, { vec: vecs[2]!, n: 2 }, { id: 2_000_000, vec: vecs[3]!, n: 3 }, { vec: vecs[4]!, n: 4 }]);
    assert.equal([mixed.ids[0], mixed.ids[2]], [1_000_000, 2_000_000], 'given keys kept in place');
    assert.ok(mixed.ids[1] !== mixed.ids[3] && ![1_000_000, 2_000_000].includes(mixed.ids[1] as number), `generated keys ${mixed.ids}`);
    const byKey = await c.get('a', [1_000_000, 2_000_000, mixed.ids[1]!], { outputFields: ['n'], consistencyLevel: 'Strong' });
    assert.equal(byKey.map((r) => [r.id, r.n]).sort((x, y) => (x[1] as number) - (y[1] as number)), [[1_000_000, 1], [mixed.ids[1], 2], [2_000_000, 3]]);
    // Upsert replaces by the given key; a row without one is refused (nothing written).
    await c.upsert('a', [{ id: 1_000_000, vec: vecs[5]!, n: 10 }]);
    assert.equal((await c.get('a', [1_000_000], { outputFields: ['n'], consistencyLevel: 'Strong' })).map((r) => r.n), [10]);
    await refused(c.upsert('a', [{ id: 7, vec: vecs[6]!, n: 11 }, { vec: vecs[6]!, n: 12 }]), /every row/);
    assert.is(await count(), 4);

    // A partial upsert names its rows by key: with the property set, an autoID collection takes it too.
    await c.upsert('a', [{ id: 2_000_000, n: 30 }], undefined, { partialUpdate: true });
    const merged = await c.get('a', [2_000_000], { outputFields: ['n', 'vec'], consistencyLevel: 'Strong' });
    assert.equal([merged[0]!.n, (merged[0]!.vec as number[]).map(Math.fround)], [30, Array.from(new Float32Array(vecs[3]!))]);
    await c.dropCollectionProperties('a', ['allow_insert_auto_id']);
    await refused(c.upsert('a', [{ id: 2_000_000, n: 31 }], undefined, { partialUpdate: true }), /allow_insert_auto_id/);
    assert.equal((await c.describeCollection('a')).properties, []);
    await refused(c.insert('a', [{ id: 3_000_000, vec: vecs[7]!, n: 20 }]), /auto-generated|autoId/);
    await refused(c.alterCollectionProperties('a', { allow_insert_auto_id: 'yes' }), /true or false/);
    assert.is(await count(), 4);
  } finally { await s.cleanup(); }
});

test('a bulk import into an autoID collection with allow_insert_auto_id keeps the file\'s keys', async () => {
  const s = await tempStandalone();
  const c = s.client;
  try {
    await c.createCollection({ collectionName: 'imp', schema, metricType: 'L2', properties: { allow_insert_auto_id: 'true' }, indexParams: [{ indexName: 'v', fieldName: 'vec', indexType: 'FLAT', params: {} }], load: true });
    const rows = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? { vec: vecs[i]!, n: i } : { id: 500 + i, vec: vecs[i]!, n: i }));
    const files = new LocalObjectStore(join(s.dataDir, 'objects'));
    await files.put('in/rows.json', new TextEncoder().encode(JSON.stringify({ rows })));
    await files.close();
    const { jobId } = await c.createImportJob({ collectionName: 'imp', files: [['in/rows.json']] });
    for (let i = 0; i < 600; i++) {
      const p = await c.getImportJobProgress(jobId);
      if (p.state === 'Completed') break;
      if (p.state === 'Failed') assert.unreachable(p.reason);
      await new Promise((r) => setTimeout(r, 100));
    }
    const stored = await c.query('imp', { filter: 'n >= 0', outputFields: ['n'], consistencyLevel: 'Strong', limit: 100 });
    assert.is(stored.length, 30);
    for (const r of stored) if ((r.n as number) % 3 !== 0) assert.is(r.id, 500 + (r.n as number), `row ${r.n} keeps its key`);
    assert.is(new Set(stored.map((r) => r.id)).size, 30);
  } finally { await s.cleanup(); }
});

test.run();
