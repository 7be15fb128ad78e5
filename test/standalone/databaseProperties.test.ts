import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError } from '../../messages/errors.js';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import { client } from '../../runtime/rpc/typedBus.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * The database properties nuthatch acts on: database.max.collections caps
 * creates; database.force.deny.writing / .reading turn writes / reads of every
 * collection of the database away, at once for a client that cached the
 * collection (the coordinator announces the change), and are lifted by
 * dropping them; bad values are refused.
 */
const DIM = 4;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const rows = vectors(20, DIM, 3).map((vec, id) => ({ id, vec }));
const codeOf = async (f: () => Promise<unknown>) => { try { await f(); return 'ok'; } catch (e) { return e instanceof NuthatchError ? e.code : String(e); } };
const create = (name: string) => ({ collectionName: name, schema, metricType: 'L2' as const, shardsNum: 1, indexParams: [{ indexName: 'v', fieldName: 'vec', indexType: 'FLAT', params: {} }], load: true });

test('max collections, force deny writing and reading, per database', async () => {
  const s = await tempStandalone();
  try {
    await s.client.createDatabase('lab', { 'database.max.collections': 2 });
    const lab = s.client.database('lab');
    await lab.createCollection(create('a'));
    await lab.createCollection(create('b'));
    assert.is(await codeOf(() => lab.createCollection(create('c'))), 'DatabaseLimitExceeded');
    await s.client.createCollection(create('c')); // 'default' has no cap
    await lab.dropCollection('b');
    await lab.createCollection(create('c'));

    await lab.insert('a', rows);
    const search = () => lab.search('a', { data: [rows[3]!.vec], limit: 1, consistencyLevel: 'Strong' });
    assert.is((await search())[0]![0]!.id, 3);

    await s.client.alterDatabaseProperties('lab', { 'database.force.deny.writing': true });
    assert.is(await codeOf(() => lab.insert('a', [{ id: 99, vec: rows[0]!.vec }])), 'ForceDenied', 'a cached record learns of the switch');
    assert.is(await codeOf(() => lab.upsert('a', [{ id: 1, vec: rows[0]!.vec }])), 'ForceDenied');
    assert.is(await codeOf(() => lab.delete('a', { ids: [1] })), 'ForceDenied');
    assert.is((await search())[0]![0]!.id, 3, 'reads still served');
    assert.is(await codeOf(() => s.client.insert('c', [{ id: 1, vec: rows[0]!.vec }])), 'ok', "another database's collection of that name still takes writes");

    await s.client.alterDatabaseProperties('lab', { 'database.force.deny.reading': 'TRUE' });
    assert.is(await codeOf(search), 'ForceDenied');
    assert.is(await codeOf(() => lab.query('a', { filter: 'id >= 0', limit: 5 })), 'ForceDenied');
    assert.is(await codeOf(() => lab.get('a', [1])), 'ForceDenied');

    await s.client.dropDatabaseProperties('lab', ['database.force.deny.writing', 'database.force.deny.reading']);
    await lab.insert('a', [{ id: 99, vec: rows[0]!.vec }]);
    assert.is((await lab.get('a', [99])).length, 1, 'writes and reads served again');

    // database.replica.number: the replicas of a load that names none (here 1 query node serves them all).
    const coord = client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT);
    await s.client.alterDatabaseProperties('lab', { 'database.replica.number': 2, 'database.max.collections': 3 });
    await lab.createCollection({ ...create('r1'), load: false });
    await lab.loadCollection('r1');
    assert.is((await coord('describeCollection', { dbName: 'lab', name: 'r1' })).replicas, 2, 'a load takes the database replica number');
    await lab.releaseCollection('a');
    await lab.loadCollection('a', { replicas: 1 });
    assert.is((await coord('describeCollection', { dbName: 'lab', name: 'a' })).replicas, 1, 'a load naming replicas keeps its own');
    assert.is((await coord('describeCollection', { name: 'c' })).replicas, undefined, "'default' has no replica number");
    assert.is(await codeOf(() => s.client.alterDatabaseProperties('lab', { 'database.replica.number': 0 })), 'InvalidArgument');
    assert.is(await codeOf(() => s.client.alterDatabaseProperties('lab', { 'database.max.collections': 0 })), 'InvalidArgument');
    assert.is(await codeOf(() => s.client.alterDatabaseProperties('lab', { 'database.force.deny.writing': 'maybe' })), 'InvalidArgument');
  } finally { await s.cleanup(); }
});

test.run();
