import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { getRecord, Keys, putRecord } from '../../actors/coordinator/shell/metaCodec.js';
import { NuthatchError } from '../../messages/errors.js';
import type { CollectionRecord } from '../../messages/rpc/records.js';
import { NuthatchClient } from '../../runtime/client/client.js';
import { EmbeddedMeta } from '../../runtime/meta/embeddedMeta.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * Renaming a collection: its rows, index and aliases go with it, the old name
 * is free at once (also for another client that had it cached), and a rename
 * a crash cut off is finished by the next coordinator.
 */
const DIM = 4;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const rows = (from: number, n: number) => vectors(n, DIM, from).map((vec, i) => ({ id: from + i, vec }));
const notFound = async (f: () => Promise<unknown>) => {
  try { await f(); return false; } catch (e) { return e instanceof NuthatchError && e.code === 'CollectionNotFound'; }
};

test('a renamed collection keeps its rows and aliases under the new name; the old name is free, for every client', async () => {
  let s = await tempStandalone();
  const { dataDir } = s;
  try {
    await s.client.createCollection({ collectionName: 'a', schema, metricType: 'L2', load: true });
    await s.client.createAlias('a', 'al');
    await s.client.insert('a', rows(0, 10));
    const other = new NuthatchClient(s.bus);
    assert.is((await other.get('a', [3])).length, 1, 'another client has a\'s record cached');
    const deaf = new NuthatchClient(s.bus, { followCatalog: false, nameTtlMs: 300 });
    assert.is((await deaf.get('a', [3])).length, 1);

    await s.client.renameCollection('a', 'b');
    const d = await s.client.describeCollection('b');
    assert.is(d.collectionName, 'b');
    assert.equal(d.aliases, ['al']);
    assert.equal((await s.client.describeAlias('al')).collectionName, 'b');
    assert.is((await s.client.query('b', { filter: 'id >= 0', consistencyLevel: 'Strong' })).length, 10);
    assert.is((await s.client.query('al', { filter: 'id >= 0', consistencyLevel: 'Strong' })).length, 10);
    assert.ok(await notFound(() => s.client.insert('a', rows(50, 1))));
    assert.not.ok(await s.client.hasCollection('a'));
    await until(() => notFound(() => other.get('a', [3])), 'the other client to forget a', 10_000);
    // One that missed the announcement notices when its cached record expires.
    await until(() => notFound(() => deaf.get('a', [3])), 'a client without announcements to find a gone', 10_000);
    await s.client.insert('b', rows(100, 5));
    assert.is((await other.query('b', { filter: 'id >= 0', consistencyLevel: 'Strong' })).length, 15);

    await s.client.createCollection({ collectionName: 'a', schema, metricType: 'L2', load: true });
    assert.equal(await s.client.query('a', { filter: 'id >= 0', consistencyLevel: 'Strong' }), [], 'a new a starts empty');
    try { await s.client.renameCollection('b', 'a'); assert.unreachable('renamed onto a taken name'); } catch (e) { assert.is((e as NuthatchError).code, 'CollectionExists'); }
    try { await s.client.renameCollection('al', 'c'); assert.unreachable('renamed through an alias'); } catch (e) { assert.match((e as Error).message, /rename a collection by its own name/); }

    // The shards know the new name too (a RenameCollection in their log): their errors name b, after a restart too.
    const notLoaded = async () => { try { await s.client.query('b', { filter: 'id >= 0' }); } catch (e) { return (e as Error).message; } return 'answered'; };
    await s.client.releaseCollection('b');
    assert.match(await notLoaded(), /collection b is not loaded/);

    await s.stop();
    s = await tempStandalone({ dataDir });
    assert.match(await notLoaded(), /collection b is not loaded/, 'the log replayed names it b');
    await s.client.loadCollection('b');
    assert.equal((await s.client.listCollections()).sort(), ['a', 'b']);
    assert.is((await s.client.query('al', { filter: 'id >= 0', consistencyLevel: 'Strong' })).length, 15, 'after a restart too');
  } finally { await s.cleanup(); }
});

test('a rename cut off after the new record was written is finished at the next start', async () => {
  let s = await tempStandalone();
  const { dataDir } = s;
  try {
    await s.client.createCollection({ collectionName: 'x', schema, metricType: 'L2', load: true });
    await s.client.createAlias('x', 'xl');
    await s.client.insert('x', rows(0, 4));
    await s.stop();
    // What the first step of renaming x to y leaves: y written, x and its alias not yet changed.
    const meta = await EmbeddedMeta.open(join(dataDir, 'meta'));
    const x = (await getRecord<CollectionRecord>(meta, Keys.collection('default', 'x')))!;
    await putRecord(meta, Keys.collection('default', 'y'), { ...x, name: 'y', renamedFrom: 'x' });
    await meta.close();
    s = await tempStandalone({ dataDir });
    assert.equal(await s.client.listCollections(), ['y']);
    assert.equal((await s.client.describeAlias('xl')).collectionName, 'y');
    assert.is((await s.client.query('xl', { filter: 'id >= 0', consistencyLevel: 'Strong' })).length, 4);
  } finally { await s.cleanup(); }
});

test('renames sent at once: one of a collection\'s renames wins, one name goes to one collection, and every shard names its collection as the catalogue does', async () => {
  const s = await tempStandalone();
  const codeOf = (r: PromiseSettledResult<unknown>) => r.status === 'fulfilled' ? 'ok' : (r.reason as NuthatchError).code;
  // The shards' name for a collection, as their refusal to read it unloaded gives it.
  const shardName = async (name: string) => {
    await s.client.releaseCollection(name);
    try { await s.client.query(name, { filter: 'id >= 0' }); } catch (e) { return /collection (\S+) is not loaded/.exec((e as Error).message)?.[1]; }
    return 'answered';
  };
  try {
    for (const name of ['a', 'x', 'y']) await s.client.createCollection({ collectionName: name, schema, metricType: 'L2', load: true });
    const field = { name: 'f', dataType: 'Int64' as const, nullable: true };
    const one = await Promise.allSettled([s.client.renameCollection('a', 'b'), s.client.renameCollection('a', 'c'), s.client.addCollectionField('a', field)]);
    const won = codeOf(one[0]) === 'ok' ? 'b' : 'c';
    assert.equal([codeOf(one[0]), codeOf(one[1])].sort(), ['CollectionNotFound', 'ok'], 'one rename of a wins; the other finds a gone');
    if (codeOf(one[2]) === 'ok') assert.ok((await s.client.describeCollection(won)).schema.fields.some((f) => f.name === 'f'), 'the field added goes with the rename');
    else assert.is(codeOf(one[2]), 'CollectionNotFound');

    const two = await Promise.allSettled([s.client.renameCollection('x', 't'), s.client.renameCollection('y', 't')]);
    assert.equal(two.map(codeOf).sort(), ['CollectionExists', 'ok'], 'one collection takes t');
    const lost = codeOf(two[0]) === 'ok' ? 'y' : 'x';
    assert.equal((await s.client.listCollections()).sort(), [won, lost, 't'].sort());
    for (const name of [won, lost, 't']) assert.is(await shardName(name), name, `the shards of ${name} name it ${name}`);
  } finally { await s.cleanup(); }
});

test.run();
