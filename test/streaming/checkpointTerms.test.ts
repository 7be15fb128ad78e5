import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpoint, type Checkpoint } from '../../actors/streaming-node/shell/checkpoint.js';
import { encodeValue } from '../../messages/valueCodec.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';

/**
 * Checkpoints are keyed by term, so an owner that was replaced without knowing
 * it (paused past its lease) cannot overwrite the newer owner's checkpoint.
 */
const ckpt = (term: number, applied: number): Checkpoint => ({ term, applied, replayFrom: applied + 1, vchannels: {}, shards: {} });

let dir = '', store: LocalObjectStore;
test.before.each(async () => { dir = await mkdtemp(join(tmpdir(), 'nuthatch-ckpt-terms-')); store = new LocalObjectStore(dir); });
test.after.each(async () => { await store.close(); await rm(dir, { recursive: true, force: true }); });

const keys = async (prefix = 'checkpoints/') => (await store.list(prefix)).map((o) => o.key);

test('the newest term wins, and its save drops older terms', async () => {
  await saveCheckpoint(store, 'dml_0', ckpt(3, 10));
  await saveCheckpoint(store, 'dml_0', ckpt(4, 20));
  assert.is((await loadCheckpoint(store, 'dml_0'))!.applied, 20);
  assert.equal(await keys(), ['checkpoints/dml_0/000000000004.ckpt']);
});

test('a stale owner saving after the new owner does not replace its checkpoint', async () => {
  assert.ok(await saveCheckpoint(store, 'dml_0', ckpt(4, 20)), 'the newest');
  assert.not.ok(await saveCheckpoint(store, 'dml_0', ckpt(3, 12)), 'the paused owner of term 3 wakes up: not the newest');
  const kept = (await loadCheckpoint(store, 'dml_0'))!;
  assert.equal([kept.term, kept.applied], [4, 20]);
  await saveCheckpoint(store, 'dml_0', ckpt(4, 25));
  assert.equal(await keys(), ['checkpoints/dml_0/000000000004.ckpt']);
});

test('terms order numerically, past one digit', async () => {
  await saveCheckpoint(store, 'dml_0', ckpt(10, 100));
  await saveCheckpoint(store, 'dml_0', ckpt(9, 90));
  assert.is((await loadCheckpoint(store, 'dml_0'))!.term, 10);
});

test('an unkeyed checkpoint from an older version is read, then replaced', async () => {
  await store.put('checkpoints/dml_0.ckpt', encodeValue(ckpt(2, 7)));
  assert.is((await loadCheckpoint(store, 'dml_0'))!.applied, 7);
  await saveCheckpoint(store, 'dml_0', ckpt(3, 9));
  assert.equal(await keys(), ['checkpoints/dml_0/000000000003.ckpt']);
});

test('pchannels sharing a name prefix keep apart', async () => {
  await saveCheckpoint(store, 'dml_1', ckpt(1, 1));
  await saveCheckpoint(store, 'dml_10', ckpt(5, 50));
  await store.put('checkpoints/dml_10.ckpt', encodeValue(ckpt(1, 2)));
  assert.is((await loadCheckpoint(store, 'dml_1'))!.applied, 1);
  await saveCheckpoint(store, 'dml_1', ckpt(2, 3));
  assert.equal(await keys(), ['checkpoints/dml_1/000000000002.ckpt', 'checkpoints/dml_10.ckpt', 'checkpoints/dml_10/000000000005.ckpt']);
  assert.is(await loadCheckpoint(store, 'dml_2'), undefined);
});

test.run();
