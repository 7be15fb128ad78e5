import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decideCreateCollection, findCollection, type Catalog } from '../../actors/coordinator/core/catalog.js';
import {
  allCollections, collectionAt, collectionById, decideAlterDatabase, isLive, stillCatalogued, stillLive, decideCreateDatabase, decideDropDatabase, defaultDatabase, emptyDatabase, namespaceOf,
} from '../../actors/coordinator/core/databases.js';
import { decideCreateAlias } from '../../actors/coordinator/core/aliases.js';
import { decideRename, unfinishedRenames } from '../../actors/coordinator/core/rename.js';
import { MAX_DATABASES } from '../../messages/database.js';
import { NuthatchError } from '../../messages/errors.js';
import type { CollectionRecord } from '../../messages/rpc/records.js';

/** Databases as pure decisions over the catalogue: namespaces keyed by (database, name). */

const rec = (name: string, collectionId: number, extra: Partial<CollectionRecord> = {}) => ({ name, collectionId, state: 'created', ...extra }) as CollectionRecord;
const code = (f: () => unknown) => { try { f(); return 'ok'; } catch (e) { return e instanceof NuthatchError ? e.code : String(e); } };

/** default holds docs (1) with alias live; shop holds its own docs (2) and items (3). */
function catalog(): Catalog {
  const c: Catalog = { databases: new Map() };
  const dflt = emptyDatabase(defaultDatabase(1n));
  dflt.byName.set('docs', rec('docs', 1));
  dflt.aliases.set('live', 'docs');
  const shop = emptyDatabase({ name: 'shop', id: 50, createdTso: 2n, properties: {} });
  shop.byName.set('docs', rec('docs', 2, { dbName: 'shop' }));
  shop.byName.set('items', rec('items', 3, { dbName: 'shop' }));
  c.databases.set('default', dflt).set('shop', shop);
  return c;
}

test('a name means a collection within its database: same names, different collections', () => {
  const c = catalog();
  assert.is(collectionAt(c, { db: 'default', name: 'docs' }).collectionId, 1);
  assert.is(collectionAt(c, { db: 'shop', name: 'docs' }).collectionId, 2);
  assert.is(collectionAt(c, { db: 'default', name: 'live' }).collectionId, 1, 'an alias resolves in its database');
  assert.is(code(() => collectionAt(c, { db: 'shop', name: 'live' })), 'CollectionNotFound', 'and only there');
  assert.is(code(() => collectionAt(c, { db: 'default', name: 'items' })), 'CollectionNotFound');
  assert.is(code(() => collectionAt(c, { db: 'nope', name: 'docs' })), 'DatabaseNotFound');
  assert.equal(allCollections(c).map((r) => r.collectionId).sort(), [1, 2, 3]);
  assert.is(collectionById(c, 3)?.name, 'items');
  assert.is(collectionById(c, 9), undefined);
});

test('a collection is created in its database, whatever other databases hold', () => {
  const c = catalog();
  const spec = { collectionName: 'items', metricType: 'L2' as const, schema: { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'v', dataType: 'FloatVector' as const, dim: 4 }] } };
  const r = decideCreateCollection(namespaceOf(c, 'default'), spec, 10, ['p0'], 5n, 'default');
  assert.is(r.dbName, 'default');
  assert.is(code(() => decideCreateCollection(namespaceOf(c, 'shop'), spec, 10, ['p0'], 5n, 'shop')), 'CollectionExists');
  assert.is(code(() => decideCreateAlias(namespaceOf(c, 'shop'), 'live', 'items')), 'ok', 'alias names are per database too');
});

test('create: a valid new name, properties kept as strings, at most MAX_DATABASES', () => {
  const c = catalog();
  assert.equal(decideCreateDatabase(c, 'books', { 'database.replica.number': 2, 'database.force.deny.writing': false }, 77, 9n),
    { name: 'books', id: 77, createdTso: 9n, properties: { 'database.replica.number': '2', 'database.force.deny.writing': 'false' } });
  assert.equal(decideCreateDatabase(c, 'books', undefined, 77, 9n).properties, {});
  assert.is(code(() => decideCreateDatabase(c, 'shop', {}, 1, 1n)), 'DatabaseExists');
  assert.is(code(() => decideCreateDatabase(c, 'default', {}, 1, 1n)), 'DatabaseExists');
  assert.is(code(() => decideCreateDatabase(c, 'bad-name', {}, 1, 1n)), 'InvalidArgument');
  assert.is(code(() => decideCreateDatabase(c, '', {}, 1, 1n)), 'InvalidArgument');
  assert.is(code(() => decideCreateDatabase(c, 'x', { k: { nested: 1 } }, 1, 1n)), 'InvalidArgument');
  assert.is(code(() => decideCreateDatabase(c, 'x', ['a'], 1, 1n)), 'InvalidArgument');
  for (let i = c.databases.size; i < MAX_DATABASES; i++) c.databases.set(`d${i}`, emptyDatabase({ name: `d${i}`, id: i, createdTso: 1n, properties: {} }));
  assert.is(code(() => decideCreateDatabase(c, 'onemore', {}, 1, 1n)), 'DatabaseLimitExceeded');
});

test('drop: never default, only an existing database, only once it holds no collection', () => {
  const c = catalog();
  assert.is(code(() => decideDropDatabase(c, 'default')), 'InvalidArgument');
  assert.is(code(() => decideDropDatabase(c, 'nope')), 'DatabaseNotFound');
  assert.is(code(() => decideDropDatabase(c, 'shop')), 'DatabaseNotEmpty');
  const shop = namespaceOf(c, 'shop');
  shop.byName.delete('docs');
  shop.byName.get('items')!.state = 'dropping';
  assert.is(code(() => decideDropDatabase(c, 'shop')), 'DatabaseNotEmpty', 'a collection still being dropped counts');
  shop.byName.clear();
  assert.is(decideDropDatabase(c, 'shop').name, 'shop');
});

test('alter: sets and unsets properties; keys it does not hold are ignored', () => {
  const c = catalog();
  namespaceOf(c, 'shop').record.properties = { a: '1', b: '2' };
  assert.equal(decideAlterDatabase(c, 'shop', { b: 3, c: 'x' }, ['a', 'zzz']).properties, { b: '3', c: 'x' });
  assert.equal(namespaceOf(c, 'shop').record.properties, { a: '1', b: '2' }, 'a decision changes nothing itself');
  assert.is(code(() => decideAlterDatabase(c, 'nope', {}, [])), 'DatabaseNotFound');
  assert.is(code(() => decideAlterDatabase(c, 'shop', { k: null }, [])), 'InvalidArgument');
});

test('rename to another database: to a free name there, and only without aliases', () => {
  const c = catalog();
  const [dflt, shop] = [namespaceOf(c, 'default'), namespaceOf(c, 'shop')];
  assert.is(decideRename(shop, 'items', 'items', dflt).rec.collectionId, 3, 'the same name in another database is a move');
  assert.is(code(() => decideRename(shop, 'docs', 'docs', dflt)), 'CollectionExists');
  assert.is(code(() => decideRename(shop, 'items', 'live', dflt)), 'CollectionExists', 'an alias name of the target database');
  assert.is(code(() => decideRename(dflt, 'docs', 'docs2', shop)), 'InvalidArgument', 'docs has alias live: drop it first');
  assert.is(code(() => decideRename(shop, 'items', 'items')), 'InvalidArgument', 'the same name in the same database');
  assert.is(findCollection(shop, 'items').collectionId, 3, 'a decision moves nothing itself');
});

test('unfinishedRenames across databases: the old key of a moved record goes; same names elsewhere stay', () => {
  const moved = [rec('a', 1, { dbName: 'one' }), rec('a', 1, { dbName: 'two', renamedFrom: 'a', renamedFromDb: 'one' }), rec('a', 2, { dbName: 'three' })];
  assert.equal(unfinishedRenames(moved, []), { stale: [{ db: 'one', name: 'a' }], repoint: [] });
  // A record renamed within 'two' does not make one of the same name in 'one' stale.
  const within = [rec('a', 1, { dbName: 'one' }), rec('b', 1, { dbName: 'two', renamedFrom: 'a' })];
  assert.equal(unfinishedRenames(within, []).stale, []);
  // Records from before databases (no dbName) are in 'default'.
  const old = [rec('x', 4), rec('y', 4, { dbName: 'default', renamedFrom: 'x' })];
  assert.equal(unfinishedRenames(old, [{ db: 'default', alias: 'xl', collection: 'x' }]), { stale: [{ db: 'default', name: 'x' }], repoint: [{ db: 'default', alias: 'xl', collection: 'y' }] });
});

test('a record is saved only while catalogued, and takes DDL only while live: not once dropped, being dropped, or made again', () => {
  const c = catalog();
  const docs = collectionAt(c, { db: 'shop', name: 'docs' });
  assert.equal([isLive(c, docs), code(() => stillCatalogued(c, docs)), code(() => stillLive(c, docs))], [true, 'ok', 'ok']);
  docs.state = 'dropping';
  assert.equal([isLive(c, docs), code(() => stillCatalogued(c, docs)), code(() => stillLive(c, docs))], [false, 'ok', 'CollectionNotFound'], 'a drop may still save it; DDL may not');
  namespaceOf(c, 'shop').byName.delete('docs');
  assert.equal([isLive(c, docs), code(() => stillCatalogued(c, docs))], [false, 'CollectionNotFound'], 'dropped');
  namespaceOf(c, 'shop').byName.set('docs', rec('docs', 9, { dbName: 'shop' }));
  assert.equal([isLive(c, docs), code(() => stillCatalogued(c, docs))], [false, 'CollectionNotFound'], 'made again: the old record writes over nothing');
  assert.is(code(() => stillCatalogued(c, rec('docs', 1))), 'CollectionNotFound', 'a copy is not the catalogued record');
});

test.run();
