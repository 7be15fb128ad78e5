import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PrimaryKey } from '../../messages/schema.js';
import { refused } from '../support/rejects.js';
import { tempStandalone, vectors } from './harness.js';
import { V2Client } from '../http/support/v2Client.js';

/**
 * An upsert on an autoID collection (without allow_insert_auto_id), as in
 * Milvus: each row names by its key the row it replaces; that row is deleted
 * and the new one inserted under a generated key, which the upsert returns.
 * A key not stored replaces nothing (the row is inserted). Over two shards,
 * so a row's old and new keys mostly hash to different shards.
 */
const DIM = 4;
const vecs = vectors(40, DIM, 5);
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true, autoId: true },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
    { name: 'n', dataType: 'Int64' as const },
  ],
};

test('an autoID upsert replaces the rows its keys name with rows under generated keys', async () => {
  const s = await tempStandalone({ port: 0 });
  const c = s.client;
  const all = async () => (await c.query('a', { filter: 'n >= 0', outputFields: ['n'], consistencyLevel: 'Strong', limit: 100 })).map((r) => [r.id, r.n] as [PrimaryKey, number]).sort((x, y) => x[1] - y[1]);
  try {
    await c.createCollection({ collectionName: 'a', schema, metricType: 'L2', shardsNum: 2, indexParams: [{ indexName: 'v', fieldName: 'vec', indexType: 'FLAT', params: {} }], load: true });
    const first = await c.insert('a', Array.from({ length: 10 }, (_, i) => ({ vec: vecs[i]!, n: i })));
    const old = first.ids;
    const up = await c.upsert('a', [0, 3, 7].map((i) => ({ id: old[i]!, vec: vecs[20 + i]!, n: 100 + i })));
    assert.is(up.count, 3);
    assert.ok(up.ids.every((k) => !old.includes(k)) && new Set(up.ids).size === 3, `new generated keys: ${up.ids} beside ${old}`);
    const rows = await all();
    assert.is(rows.length, 10, 'each replaced row is gone, its replacement there');
    assert.equal(rows.filter(([, n]) => n >= 100).map(([id, n]) => [id, n]), [[up.ids[0], 100], [up.ids[1], 103], [up.ids[2], 107]]);
    assert.equal((await c.get('a', [old[0]!, old[3]!, old[7]!], { consistencyLevel: 'Strong' })).length, 0, 'the replaced keys read nothing');
    const search = await c.search('a', { data: [vecs[23]!], limit: 1, outputFields: ['n'], consistencyLevel: 'Strong' });
    assert.equal(search[0]!.map((h) => [h.id, h.fields.n]), [[up.ids[1], 103]]);

    // A key not stored replaces nothing: the row is inserted.
    const fresh = await c.upsert('a', [{ id: 123_456_789, vec: vecs[30]!, n: 200 }]);
    assert.ok(fresh.ids[0] !== 123_456_789);
    assert.is((await all()).length, 11);

    // Refused, nothing written: a row without its key, a key of the wrong type, a key twice.
    await refused(c.upsert('a', [{ id: old[1]!, vec: vecs[31]!, n: 300 }, { vec: vecs[32]!, n: 301 }]), /every row/);
    await refused(c.upsert('a', [{ id: 'x', vec: vecs[31]!, n: 300 }]), /every row/);
    await refused(c.upsert('a', [{ id: old[1]!, vec: vecs[31]!, n: 300 }, { id: old[1]!, vec: vecs[32]!, n: 301 }]), /duplicate/);
    const after = await all();
    assert.is(after.length, 11);
    assert.ok(after.some(([id, n]) => id === old[1] && n === 1), 'the row a refused upsert named is still there');

    // Through REST: upsertIds are the generated keys.
    const body = await new V2Client(s.http!.url).ok('/entities/upsert', { collectionName: 'a', data: [{ id: old[2], vec: vecs[33], n: 400 }] });
    assert.is(body.upsertCount, 1);
    assert.ok(body.upsertIds[0] !== old[2]);
    assert.equal((await c.get('a', [body.upsertIds[0]!], { outputFields: ['n'], consistencyLevel: 'Strong' })).map((r) => r.n), [400]);
    assert.equal(await c.get('a', [old[2]!], { consistencyLevel: 'Strong' }), []);
  } finally { await s.cleanup(); }
});

test.run();
