import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { getRecord, Keys, putRecord } from '../../actors/coordinator/shell/metaCodec.js';
import type { AliasRecord } from '../../actors/coordinator/shell/aliasDdl.js';
import { NuthatchError } from '../../messages/errors.js';
import type { CollectionRecord } from '../../messages/rpc/records.js';
import { NuthatchClient } from '../../runtime/client/client.js';
import { EmbeddedMeta } from '../../runtime/meta/embeddedMeta.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * Databases through the client API: two databases hold collections of one
 * name with their own rows, aliases and deletes; a database with collections
 * is not dropped; databases, their properties and what they hold survive a
 * restart, and a store from before databases loads into 'default'.
 */
const DIM = 4;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'tag', dataType: 'VarChar' as const, maxLength: 16 }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const rows = (n: number, seed: number, tag: string) => vectors(n, DIM, seed).map((vec, i) => ({ id: i, tag, vec }));
const codeOf = async (f: () => Promise<unknown>) => { try { await f(); return 'ok'; } catch (e) { return e instanceof NuthatchError ? e.code : String(e); } };
const all = { filter: 'id >= 0', outputFields: ['tag'], consistencyLevel: 'Strong' as const };
const ids = async (c: NuthatchClient, name: string) => (await c.query(name, all)).map((r) => r.id as number).sort((a, b) => a - b);
const tags = async (c: NuthatchClient, name: string) => [...new Set((await c.query(name, all)).map((r) => r.tag))];

test('two databases hold same-named collections apart: rows, searches, deletes, aliases; restart keeps them', async () => {
  let s = await tempStandalone();
  const { dataDir } = s;
  try {
    const dflt = s.client;
    await dflt.createDatabase('shop', { 'database.replica.number': 1, 'database.force.deny.writing': false });
    assert.equal(await dflt.listDatabases(), ['default', 'shop']);
    const d = await dflt.describeDatabase('shop');
    assert.is(d.dbName, 'shop');
    assert.ok(d.dbId > 1);
    assert.ok(Math.abs(d.createdTimestamp - Date.now()) < 60_000, 'created just now');
    assert.equal(d.properties, [{ key: 'database.force.deny.writing', value: 'false' }, { key: 'database.replica.number', value: '1' }]);
    assert.is(await codeOf(() => dflt.createDatabase('shop')), 'DatabaseExists');
    assert.is(await codeOf(() => dflt.createDatabase('bad-name')), 'InvalidArgument');

    const shop = new NuthatchClient(s.bus, { dbName: 'shop' });
    assert.is(shop.dbName, 'shop');
    await dflt.createCollection({ collectionName: 'docs', schema, metricType: 'L2', load: true });
    await shop.createCollection({ collectionName: 'docs', schema, metricType: 'L2', load: true });
    const mine = rows(10, 1, 'default'), theirs = rows(5, 2, 'shop');
    await dflt.insert('docs', mine);
    await shop.insert('docs', theirs);
    assert.equal(await dflt.listCollections(), ['docs']);
    assert.equal(await shop.listCollections(), ['docs']);
    assert.is.not((await dflt.describeCollection('docs')).collectionId, (await shop.describeCollection('docs')).collectionId);
    assert.equal([(await dflt.describeCollection('docs')).dbName, (await shop.describeCollection('docs')).dbName], ['default', 'shop']);

    // Same ids in both; each database reads its own rows.
    assert.equal(await ids(dflt, 'docs'), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(await ids(shop, 'docs'), [0, 1, 2, 3, 4]);
    assert.equal(await tags(shop, 'docs'), ['shop']);
    const hit = async (c: NuthatchClient, v: number[]) => (await c.search('docs', { data: [v], limit: 1, outputFields: ['tag'], consistencyLevel: 'Strong' }))[0]![0]!;
    assert.equal([(await hit(shop, theirs[3]!.vec)).id, (await hit(shop, theirs[3]!.vec)).fields.tag], [3, 'shop']);
    assert.equal([(await hit(dflt, mine[7]!.vec)).id, (await hit(dflt, mine[7]!.vec)).fields.tag], [7, 'default']);

    // A delete in one database leaves the other's row of the same id.
    await shop.delete('docs', { ids: [2] });
    assert.equal(await ids(shop, 'docs'), [0, 1, 3, 4]);
    assert.ok((await ids(dflt, 'docs')).includes(2));

    // Aliases are per database: the same alias name in each, each naming its own docs.
    await dflt.createAlias('docs', 'live');
    await shop.createAlias('docs', 'live');
    assert.equal(await tags(dflt, 'live'), ['default']);
    assert.equal(await tags(shop, 'live'), ['shop']);
    assert.equal(await shop.listAliases(), ['live']);
    assert.is(await codeOf(() => shop.renameCollection('docs', 'moved', 'default')), 'InvalidArgument', 'a collection with aliases stays in its database');

    // One client, two databases: its cached record of 'docs' is per database.
    const roaming = new NuthatchClient(s.bus);
    assert.is((await roaming.query('docs', { ...all, outputFields: ['count(*)'] }))[0]!['count(*)'], 10);
    await roaming.useDatabase('shop');
    assert.is(roaming.dbName, 'shop');
    assert.is((await roaming.query('docs', { ...all, outputFields: ['count(*)'] }))[0]!['count(*)'], 4);
    assert.is(await codeOf(() => roaming.useDatabase('nope')), 'DatabaseNotFound');
    assert.is(roaming.dbName, 'shop', 'a refused useDatabase leaves the current one');
    assert.is(await codeOf(() => new NuthatchClient(s.bus, { dbName: 'nope' }).listCollections()), 'DatabaseNotFound');

    // Sealed rows go through query nodes, which know collections by id.
    await shop.flush('docs');
    await dflt.flush('docs');
    await until(async () => (await shop.getLoadState('docs')).loadProgress === 100 && (await dflt.getLoadState('docs')).loadProgress === 100, 'flushed segments served', 30_000);
    assert.equal(await ids(shop, 'docs'), [0, 1, 3, 4]);
    assert.equal((await hit(shop, theirs[4]!.vec)).fields.tag, 'shop');

    // A move: a collection without aliases goes to another database with its rows.
    await shop.createCollection({ collectionName: 'extra', schema, metricType: 'L2', load: true });
    await shop.insert('extra', rows(3, 3, 'extra'));
    assert.is(await codeOf(() => shop.renameCollection('extra', 'docs', 'default')), 'CollectionExists');
    assert.is(await codeOf(() => shop.renameCollection('extra', 'x', 'nope')), 'DatabaseNotFound');
    await shop.renameCollection('extra', 'extra', 'default');
    assert.equal(await shop.listCollections(), ['docs']);
    assert.equal((await dflt.listCollections()).sort(), ['docs', 'extra']);
    assert.equal(await ids(dflt, 'extra'), [0, 1, 2]);
    assert.is((await dflt.describeCollection('extra')).dbName, 'default');
    assert.is(await codeOf(() => shop.query('extra', all)), 'CollectionNotFound');

    assert.is(await codeOf(() => dflt.dropDatabase('shop')), 'DatabaseNotEmpty');
    assert.is(await codeOf(() => dflt.dropDatabase('default')), 'InvalidArgument');
    await dflt.alterDatabaseProperties('shop', { 'database.max.collections': 8 });
    await dflt.dropDatabaseProperties('shop', ['database.force.deny.writing']);

    await s.stop();
    s = await tempStandalone({ dataDir });
    const again = new NuthatchClient(s.bus, { dbName: 'shop' });
    assert.equal(await s.client.listDatabases(), ['default', 'shop']);
    assert.equal((await s.client.describeDatabase('shop')).properties, [{ key: 'database.max.collections', value: '8' }, { key: 'database.replica.number', value: '1' }]);
    assert.is((await s.client.describeDatabase('shop')).dbId, d.dbId);
    assert.equal(await ids(again, 'docs'), [0, 1, 3, 4], 'after a restart');
    assert.equal(await tags(again, 'live'), ['shop']);
    assert.equal(await ids(s.client, 'docs'), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(await tags(s.client, 'live'), ['default']);
    assert.equal(await ids(s.client, 'extra'), [0, 1, 2]);

    // Emptied, it is dropped; then it is gone for every call.
    await again.dropAlias('live');
    await again.dropCollection('docs');
    await s.client.dropDatabase('shop');
    assert.equal(await s.client.listDatabases(), ['default']);
    assert.is(await codeOf(() => again.listCollections()), 'DatabaseNotFound');
    assert.is(await codeOf(() => again.query('docs', all)), 'DatabaseNotFound');
    assert.is(await codeOf(() => s.client.describeDatabase('shop')), 'DatabaseNotFound');
  } finally { await s.cleanup(); }
});

test('a metadata store from before databases loads: its collections and aliases are in default', async () => {
  let s = await tempStandalone();
  const { dataDir } = s;
  try {
    await s.client.createCollection({ collectionName: 'old', schema, metricType: 'L2', load: true });
    await s.client.createAlias('old', 'oldal');
    await s.client.insert('old', rows(4, 5, 'old'));
    await s.client.flush('old');
    await s.stop();
    // As an older nuthatch left it: no database records, records without dbName.
    const meta = await EmbeddedMeta.open(join(dataDir, 'meta'));
    const rec = (await getRecord<CollectionRecord>(meta, Keys.collection('default', 'old')))!;
    assert.is(rec.dbName, 'default');
    delete rec.dbName;
    await putRecord(meta, Keys.collection('default', 'old'), rec);
    await putRecord(meta, Keys.alias('default', 'oldal'), { alias: 'oldal', collection: 'old' } satisfies AliasRecord);
    await meta.delete(Keys.database('default'));
    await meta.close();

    s = await tempStandalone({ dataDir });
    assert.equal(await s.client.listDatabases(), ['default']);
    assert.equal(await s.client.listCollections(), ['old']);
    assert.equal(await ids(s.client, 'oldal'), [0, 1, 2, 3]);
    await s.client.createDatabase('other');
    const other = new NuthatchClient(s.bus, { dbName: 'other' });
    assert.is(await codeOf(() => other.query('old', all)), 'CollectionNotFound', 'old is in default only');
  } finally { await s.cleanup(); }
});

test.run();
