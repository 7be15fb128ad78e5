import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchClient } from '../../runtime/client/client.js';
import { startDatabaseReplication, type DatabaseReplicationHandle, type DatabaseReplicationOptions } from '../../runtime/replication/databaseReplicator.js';
import { checkpointedCollections, loadCheckpoint, saveCheckpoint } from '../../runtime/replication/checkpointStore.js';
import { until } from '../support/until.js';
import { tempStandalone } from './harness.js';
import { indexParams, rows, schema, type System } from './replicationFixture.js';

/**
 * Replication of a whole database between two standalone systems in this
 * process: every collection of the source database is mirrored in the
 * target's database of that name (made when absent), collections made while
 * it runs join, load state follows, a dropped one is dropped on the target, one made again under
 * that name is mirrored afresh, a renamed one is renamed, one excluded stays
 * out, and one dropped while nothing replicated is dropped at the next start.
 */
let src: System, dst: System, from: NuthatchClient, to: NuthatchClient;

/** Every visible row of a collection, by id (the target's loaded first). */
async function allRows(c: NuthatchClient, name: string): Promise<string> {
  const got = await c.query(name, { filter: 'id >= 0', outputFields: ['*'], consistencyLevel: 'Strong', limit: 0 });
  return JSON.stringify(got.sort((a, b) => (a.id as number) - (b.id as number)));
}
/** The target collection is loaded by the replicator, as its source is. */
async function load(name: string): Promise<void> {
  // Loaded once a read is served (the load state says loaded before its delegators are placed).
  const served = async () => { try { await to.query(name, { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Eventually' }); return true; } catch { return false; } };
  await until(async () => (await to.hasCollection(name)) && (await to.getLoadState(name)).loadState === 'LoadStateLoaded' && await served(), `target ${name} loaded as its source`, 30_000);
}
async function make(name: string, tag: string, n = 20): Promise<bigint> {
  await from.createCollection({ collectionName: name, schema, metricType: 'L2', shardsNum: 2, indexParams, load: true });
  return (await from.insert(name, rows(0, n, tag))).tso;
}
const start = (extra: Partial<DatabaseReplicationOptions> = {}): DatabaseReplicationHandle => startDatabaseReplication({
  source: { client: from, bus: src.bus }, target: { client: to, meta: dst.meta }, pollMs: 20, discoverMs: 100, ...extra,
});
const stateOf = (h: DatabaseReplicationHandle, name: string) => h.collections().find((c) => c.collection === name)?.state;

test.before(async () => {
  src = await tempStandalone({ pchannels: 2 });
  dst = await tempStandalone({ pchannels: 2 });
  await src.client.createDatabase('shop');
  from = new NuthatchClient(src.bus, { dbName: 'shop' });
  to = new NuthatchClient(dst.bus, { dbName: 'shop' });
});
test.after(async () => { await src?.cleanup(); await dst?.cleanup(); });

test('every collection of the database is mirrored: new ones join, drops, remakes and renames follow, exclusions stay out', async () => {
  await make('a', 'a');
  await make('b', 'b');
  await make('skip', 's');
  let h = start({ include: (n) => n !== 'skip' });
  let last = (await from.insert('a', rows(100, 5, 'a2'))).tso;
  await h.until(last);
  assert.ok((await dst.client.listDatabases()).includes('shop'), 'the target database is made');
  await load('a'); await load('b');
  assert.is(await allRows(to, 'a'), await allRows(from, 'a'));
  assert.is(await allRows(to, 'b'), await allRows(from, 'b'));

  // A collection made while replicating joins.
  last = await make('c', 'c', 30);
  await from.delete('c', { ids: [1, 2] });
  last = (await from.upsert('c', rows(5, 3, 'up'))).tso;
  await h.until(last);
  await load('c');
  assert.is(await allRows(to, 'c'), await allRows(from, 'c'), 'a new collection is mirrored');

  // Dropped on the source: dropped on the target; made again under the name: mirrored afresh.
  await from.releaseCollection('b');
  await from.dropCollection('b');
  await until(async () => stateOf(h, 'b') === 'dropped', 'b dropped', 30_000);
  assert.not.ok(await to.hasCollection('b'), 'b dropped on the target');
  last = await make('b', 'new', 7);
  await h.until(last);
  await load('b');
  assert.is(await allRows(to, 'b'), await allRows(from, 'b'), 'the remade collection holds only its own rows');
  assert.ok(JSON.parse(await allRows(to, 'b')).every((r: { tag: string }) => r.tag === 'new'));

  // Renamed on the source: the mirror follows, and writes under the new name land in it.
  await from.renameCollection('a', 'a2');
  last = (await from.insert('a2', rows(200, 4, 'after'))).tso;
  await until(async () => (await to.hasCollection('a2')) && !(await to.hasCollection('a')), 'a renamed on the target', 30_000);
  await h.until(last);
  await load('a2');
  assert.is(await allRows(to, 'a2'), await allRows(from, 'a2'), 'the renamed collection converges');
  assert.not.ok(await to.hasCollection('skip'), 'an excluded collection is not replicated');
  assert.equal(h.collections().filter((x) => x.state === 'replicating').map((x) => x.collection).sort(), ['a2', 'b', 'c']);

  // Released on the source: released on the target; loaded again with a field set: loaded so.
  await from.releaseCollection('c');
  await until(async () => (await to.getLoadState('c')).loadState === 'LoadStateNotLoad', 'c released on the target', 30_000);
  await from.loadCollection('c', { loadFields: ['id', 'vec'] });
  await until(async () => (await to.getLoadState('c')).loadState === 'LoadStateLoaded', 'c loaded again on the target', 30_000);
  assert.equal((await to.getLoadState('c')).loadFields, ['id', 'vec'], 'with the source\'s field set');

  // Dropped while nothing replicated: the next start drops its mirror.
  await h.stop();
  await from.releaseCollection('c');
  await from.dropCollection('c');
  h = start({ include: (n) => n !== 'skip' });
  last = (await from.insert('b', rows(50, 2, 'new'))).tso;
  await h.until(last);
  assert.not.ok(await to.hasCollection('c'), 'the orphaned mirror is dropped');
  assert.equal((await checkpointedCollections(dst.meta, 'shop')).sort(), ['a2', 'b'], 'checkpoints of the live mirrors only');
  assert.is(await allRows(to, 'b'), await allRows(from, 'b'));
  await h.stop();
});

test('a collection renamed while nothing replicated keeps its mirror, renamed, which resumes from its checkpoint (also after a crash mid-move)', async () => {
  const only = { include: (n: string) => n.startsWith('r') };
  let h = start(only);
  await h.until(await make('r1', 'r'));
  const mirror = (await to.describeCollection('r1')).collectionId;
  await h.stop();
  await from.renameCollection('r1', 'r2');
  let last = (await from.insert('r2', rows(100, 3, 'after'))).tso;
  const logs: string[] = [];
  h = start({ ...only, log: (...a: unknown[]) => logs.push(a.join(' ')) });
  await h.until(last);
  assert.not.ok(await to.hasCollection('r1'), 'the old name is gone on the target');
  assert.is((await to.describeCollection('r2')).collectionId, mirror, 'the mirror was renamed, not dropped and made again');
  assert.ok(logs.some((l) => /replicating r2 .* from its checkpoint/.test(l)), logs.join('\n'));
  await load('r2');
  assert.is(await allRows(to, 'r2'), await allRows(from, 'r2'));

  // Renamed again while stopped, and a replicator that crashed after renaming the mirror but before moving its checkpoint.
  await h.stop();
  await from.renameCollection('r2', 'r3');
  await to.renameCollection('r2', 'r3');
  last = (await from.insert('r3', rows(200, 2, 'later'))).tso;
  h = start(only);
  await h.until(last);
  assert.equal((await checkpointedCollections(dst.meta, 'shop')).filter((n) => n.startsWith('r')), ['r3'], 'the checkpoint moved to the new name');
  assert.is((await to.describeCollection('r3')).collectionId, mirror);
  await load('r3');
  assert.is(await allRows(to, 'r3'), await allRows(from, 'r3'));

  // And one that crashed after copying the checkpoint to the new name, before dropping the old copy.
  await h.stop();
  await from.renameCollection('r3', 'r4');
  await to.renameCollection('r3', 'r4');
  await saveCheckpoint(dst.meta, { db: 'shop', collection: 'r4' }, (await loadCheckpoint(dst.meta, { db: 'shop', collection: 'r3' }))!);
  last = (await from.insert('r4', rows(300, 2, 'last'))).tso;
  h = start(only);
  await h.until(last);
  assert.equal((await checkpointedCollections(dst.meta, 'shop')).filter((n) => n.startsWith('r')), ['r4'], 'the old copy is dropped');
  await load('r4');
  assert.is(await allRows(to, 'r4'), await allRows(from, 'r4'));
  await h.stop();
});

test('two collections that swapped names (while stopped, then while replicating) keep their mirrors, renamed by collection id', async () => {
  const only = { include: (n: string) => /^s\d$/.test(n) };
  const swap = async (x: string, y: string) => {
    await from.renameCollection(x, 'swap_tmp');
    await from.renameCollection(y, x);
    await from.renameCollection('swap_tmp', y);
  };
  let h = start(only);
  await make('s1', 'one');
  await h.until(await make('s2', 'two'));
  const mirrors = { s1: (await to.describeCollection('s1')).collectionId, s2: (await to.describeCollection('s2')).collectionId };
  await h.stop();
  await swap('s1', 's2');
  let last = (await from.insert('s1', rows(100, 3, 'after'))).tso;
  const logs: string[] = [];
  h = start({ ...only, log: (...a: unknown[]) => logs.push(a.join(' ')) });
  await h.until(last);
  assert.is((await to.describeCollection('s2')).collectionId, mirrors.s1, 'the mirror of the old s1 is now s2');
  assert.is((await to.describeCollection('s1')).collectionId, mirrors.s2, 'the mirror of the old s2 is now s1');
  assert.ok(logs.some((l) => /replicating s1 .* from its checkpoint/.test(l)) && logs.some((l) => /replicating s2 .* from its checkpoint/.test(l)), logs.join('\n'));
  assert.not.ok(logs.some((l) => /dropped target collection/.test(l)), logs.join('\n'));
  for (const n of ['s1', 's2']) { await load(n); assert.is(await allRows(to, n), await allRows(from, n), `${n} converges`); }

  // Swapped back while the replicator runs.
  await swap('s1', 's2');
  last = (await from.insert('s2', rows(200, 2, 'live'))).tso;
  await until(async () => (await to.describeCollection('s1').catch(() => undefined))?.collectionId === mirrors.s1, 'the mirrors swapped back', 30_000);
  await h.until(last);
  assert.is((await to.describeCollection('s2')).collectionId, mirrors.s2);
  assert.equal((await to.listCollections()).filter((n) => /^(s\d|_)/.test(n)).sort(), ['s1', 's2'], 'no parked mirror left');
  for (const n of ['s1', 's2']) { await load(n); assert.is(await allRows(to, n), await allRows(from, n), `${n} converges after the live swap`); }
  await h.stop();
});

test.run();
