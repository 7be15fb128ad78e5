import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BlackBoxContext } from './blackbox.js';
import { Code, vec, type V2Client } from './support/v2Client.js';

/** Polls get_load_state in a database until the collection is loaded. */
async function waitLoaded(client: V2Client, dbName: string, collectionName: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if ((await client.ok('/collections/get_load_state', { dbName, collectionName })).loadState === 'LoadStateLoaded') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.unreachable(`${dbName}.${collectionName} did not load`);
}

/**
 * Databases over REST: /databases/* and `dbName` on the other routes. A
 * database of this run holds a collection named as the suite's quick one
 * (in 'default'), with other rows and another dimension.
 */
export function databaseTests(s: Test<BlackBoxContext>): void {
  s('databases: create, list, describe, alter and drop_properties', async ({ client, quick }) => {
    const db = `${quick}_db`;
    assert.equal(await client.ok('/databases/create', { dbName: db, properties: { 'database.replica.number': 1 } }), {});
    const list: string[] = await client.ok('/databases/list', {});
    assert.ok(list.includes('default') && list.includes(db));
    const d = await client.ok('/databases/describe', { dbName: db });
    assert.is(d.dbName, db);
    assert.type(d.dbID, 'number');
    assert.type(d.createdTimestamp, 'number');
    assert.equal(d.properties, [{ key: 'database.replica.number', value: '1' }]);
    await client.fails('/databases/create', { dbName: db }, /already exists/, [Code.DatabaseExists]);
    await client.fails('/databases/create', {}, /dbName/, [Code.InvalidArgument]);
    await client.fails('/databases/create', { dbName: 'a-b' }, /database name/, [Code.InvalidArgument]);
    await client.fails('/databases/describe', { dbName: `${db}_nope` }, /database not found/, [Code.DatabaseNotFound]);
    assert.equal(await client.ok('/databases/alter', { dbName: db, properties: { 'database.max.collections': '5' } }), {});
    assert.equal(await client.ok('/databases/drop_properties', { dbName: db, propertyKeys: ['database.replica.number'] }), {});
    assert.equal((await client.ok('/databases/describe', { dbName: db })).properties, [{ key: 'database.max.collections', value: '5' }]);
  });

  s('dbName scopes collections, entities and aliases: a same-named collection in another database is another collection', async ({ client, quick }) => {
    const db = `${quick}_db`;
    await client.ok('/collections/create', { dbName: db, collectionName: quick, dimension: 4 });
    await waitLoaded(client, db, quick);
    assert.equal(await client.ok('/collections/list', { dbName: db }), [quick]);
    assert.is((await client.ok('/collections/describe', { dbName: db, collectionName: quick })).fields.find((f: any) => f.name === 'vector').params.find((p: any) => p.key === 'dim').value, '4');
    assert.is((await client.ok('/collections/describe', { collectionName: quick })).fields.find((f: any) => f.name === 'vector').params.find((p: any) => p.key === 'dim').value, '8');

    await client.ok('/entities/insert', { dbName: db, collectionName: quick, data: [{ id: 1, vector: vec(1, 4) }, { id: 2, vector: vec(2, 4) }] });
    const idsIn = async (dbName: string) => (await client.ok('/entities/query', { dbName, collectionName: quick, filter: 'id in [1, 2]', consistencyLevel: 'Strong' })).map((r: any) => r.id).sort();
    assert.equal(await idsIn(db), [1, 2]);
    const hits = await client.ok('/entities/search', { dbName: db, collectionName: quick, data: [vec(2, 4)], limit: 1, consistencyLevel: 'Strong' });
    assert.is(hits[0].id, 2);
    // Each database's schema: a 4-dim vector is right in one and wrong in the other.
    await client.fails('/entities/search', { collectionName: quick, data: [vec(2, 4)], limit: 1 }, /dimension|8/);
    await client.ok('/entities/delete', { dbName: db, collectionName: quick, filter: 'id in [1]' });
    assert.equal(await idsIn(db), [2]);
    assert.equal((await client.ok('/entities/get', { collectionName: quick, id: 1, consistencyLevel: 'Strong' })).length, 1, 'default\'s row 1 stays');

    const alias = `${quick}_dbal`;
    await client.ok('/aliases/create', { dbName: db, collectionName: quick, aliasName: alias });
    assert.equal(await client.ok('/aliases/describe', { dbName: db, aliasName: alias }), { dbName: db, aliasName: alias, collectionName: quick });
    await client.fails('/aliases/describe', { aliasName: alias }, /alias/, [Code.AliasNotFound]);
    assert.equal(await client.ok('/aliases/list', { dbName: db }), [alias]);
    assert.equal((await client.ok('/entities/query', { dbName: db, collectionName: alias, filter: 'id >= 0', consistencyLevel: 'Strong' })).map((r: any) => r.id), [2]);

    await client.fails('/databases/drop', { dbName: db }, /not empty/, [Code.DatabaseNotEmpty]);
    await client.fails('/entities/insert', { dbName: `${db}_nope`, collectionName: quick, data: [{ id: 3, vector: vec(3, 4) }] }, /database not found/, [Code.DatabaseNotFound]);
  });

  s('rename with newDbName moves a collection to another database; an emptied database is dropped', async ({ client, quick }) => {
    const db = `${quick}_db`, mv = `${quick}_mv`;
    await client.ok('/collections/create', { dbName: db, collectionName: mv, dimension: 4 });
    await waitLoaded(client, db, mv);
    await client.ok('/entities/insert', { dbName: db, collectionName: mv, data: [{ id: 7, vector: vec(7, 4) }] });
    await client.fails('/collections/rename', { dbName: db, collectionName: quick, newCollectionName: quick, newDbName: 'default' }, /already exists/, [Code.CollectionExists]);
    assert.equal(await client.ok('/collections/rename', { dbName: db, collectionName: mv, newCollectionName: mv, newDbName: 'default' }), {});
    assert.not.ok((await client.ok('/collections/list', { dbName: db })).includes(mv));
    assert.equal((await client.ok('/entities/query', { collectionName: mv, filter: 'id >= 0', consistencyLevel: 'Strong' })).map((r: any) => r.id), [7]);
    await client.ok('/collections/drop', { collectionName: mv });

    await client.ok('/aliases/drop', { dbName: db, aliasName: `${quick}_dbal` });
    await client.ok('/collections/drop', { dbName: db, collectionName: quick });
    assert.equal(await client.ok('/databases/drop', { dbName: db }), {});
    assert.not.ok((await client.ok('/databases/list', {})).includes(db));
    await client.fails('/collections/list', { dbName: db }, /database not found/, [Code.DatabaseNotFound]);
    await client.fails('/databases/drop', { dbName: 'default' }, /default/, [Code.InvalidArgument]);
    assert.ok((await client.ok('/collections/list', {})).includes(quick), 'default\'s collection of that name stays');
  });
}
