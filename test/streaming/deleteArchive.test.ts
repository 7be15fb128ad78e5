import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint, persistShard, saveCheckpoint, type Checkpoint } from '../../actors/streaming-node/shell/checkpoint.js';
import { snapshotDeletes, unreferenced, writeArchive, type ArchivedDeletes } from '../../actors/streaming-node/shell/deleteArchive.js';
import { addDelete, evolveShard, newShard } from '../../actors/streaming-node/core/shardData.js';
import { newMessage } from '../../messages/types.js';
import { DecodeError } from '../../messages/errors.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';

/**
 * A shard's delete log is stored in immutable runs plus a short tail: a
 * checkpoint no longer rewrites the whole log, and loading it gives back every
 * entry in sequence order.
 */
const V = 'dml_0_100v0';
let dir = '', store: LocalObjectStore;
test.before.each(async () => { dir = await mkdtemp(join(tmpdir(), 'nuthatch-delarch-')); store = new LocalObjectStore(dir); });
test.after.each(async () => { await store.close(); await rm(dir, { recursive: true, force: true }); });

function shardWith(n: number) {
  const s = newShard(V, 100);
  for (let i = 0; i < n; i++) addDelete(s, { pk: i % 3 === 0 ? `k${i}` : i, tso: BigInt(1000 + i) });
  return s;
}

/** Saves a checkpoint of `s` the way the owner does, returning the archives now stored. */
async function checkpointOf(s: ReturnType<typeof shardWith>, archives: ArchivedDeletes[], min: number): Promise<ArchivedDeletes[]> {
  const d = snapshotDeletes(V, s, archives, min);
  if (d.write) await writeArchive(store, d.write);
  const c: Checkpoint = { term: 1, applied: 9, replayFrom: 10, vchannels: {}, shards: { [V]: persistShard(s, d) } };
  await saveCheckpoint(store, 'dml_0', c);
  return d.archives;
}

const storedBytes = async (prefix: string) => (await store.list(prefix)).reduce((n, o) => n + o.size, 0);

test('a short log stays in the checkpoint; a long run goes to an archive once', async () => {
  const s = shardWith(90);
  let archives = await checkpointOf(s, [], 100);
  assert.equal(archives, []);
  assert.is((await loadCheckpoint(store, 'dml_0'))!.shards[V]!.deletes.length, 90);
  for (let i = 90; i < 250; i++) addDelete(s, { pk: i, tso: BigInt(1000 + i) });
  archives = await checkpointOf(s, archives, 100);
  assert.equal(archives.map((a) => [a.from, a.to]), [[0, 250]]);
  for (let i = 250; i < 260; i++) addDelete(s, { pk: i, tso: BigInt(1000 + i) });
  archives = await checkpointOf(s, archives, 100);
  assert.equal(archives.map((a) => [a.from, a.to]), [[0, 250]], 'the tail of 10 is not archived');
  const loaded = (await loadCheckpoint(store, 'dml_0'))!.shards[V]!;
  const plain = (l: typeof s.deletes) => l.map((e) => [e.pk, e.tso]);
  assert.equal(plain(loaded.deletes), plain(s.deletes), 'every entry, in sequence order');
});

test('the checkpoint holds only the tail: its size no longer grows with the log', async () => {
  const s = shardWith(50_000);
  const archives = await checkpointOf(s, [], 16_384);
  const small = await storedBytes('checkpoints/');
  for (let i = 0; i < 100; i++) addDelete(s, { pk: 10_000_000 + i, tso: 5n });
  await checkpointOf(s, archives, 16_384);
  const after = await storedBytes('checkpoints/');
  assert.ok(small < 4096 && after < 8192, `checkpoint of 50,000 deletes: ${small} bytes, then ${after}`);
  assert.ok(await storedBytes('deletes/') > 50_000 * 8, 'the archive holds the log');
  assert.is((await loadCheckpoint(store, 'dml_0'))!.shards[V]!.deletes.length, 50_100);
});

test('a missing archive fails the load instead of giving a shorter log', async () => {
  const s = shardWith(300);
  const archives = await checkpointOf(s, [], 100);
  await store.delete(archives[0]!.key);
  try {
    await loadCheckpoint(store, 'dml_0');
    assert.unreachable('loaded without its archive');
  } catch (e) {
    assert.instance(e, DecodeError);
    assert.match((e as Error).message, /missing/);
  }
});

test('a dropped collection\'s shard clears its log, and its archives are no longer referenced', async () => {
  const s = shardWith(300);
  const archives = await checkpointOf(s, [], 100);
  const drop = newMessage('DropCollection', V, { collectionId: 100 });
  drop.header.tso = 5000n;
  drop.header.walPosition = 77;
  evolveShard(s, drop);
  assert.is(s.deletes.length, 0);
  assert.is(s.deleteIndex.size, 0);
  const after = await checkpointOf(s, archives, 100);
  assert.equal(after, []);
  assert.equal(unreferenced(new Map([[V, archives]]), new Map([[V, after]])), [archives[0]!.key]);
  assert.equal((await loadCheckpoint(store, 'dml_0'))!.shards[V]!.deletes, []);
});

test.run();
