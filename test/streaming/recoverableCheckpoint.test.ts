import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRecoverableCheckpoint, saveCheckpoint, type Checkpoint } from '../../actors/streaming-node/shell/checkpoint.js';
import { NuthatchError } from '../../messages/errors.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { LocalWalBackend } from '../../runtime/wal/local/index.js';

/**
 * Recovery starts from the newest checkpoint and reads the log from its replay
 * point. A log truncated past that point cannot rebuild the state: recovery
 * refuses with StorageMismatch instead of starting with less.
 */
const ckpt = (term: number, replayFrom: number): Checkpoint => ({ term, applied: replayFrom + 5, replayFrom, vchannels: {}, shards: {} });

let dir = '', store: LocalObjectStore, wal: LocalWalBackend, first = 0;
test.before.each(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nuthatch-recoverable-'));
  store = new LocalObjectStore(join(dir, 'objects'));
  wal = new LocalWalBackend(join(dir, 'wal'), { segmentBytes: 1024 });
  const w = await wal.openWriter('dml_0', 1);
  for (let i = 0; i < 40; i++) await w.append({ tso: BigInt(i + 1), payload: new Uint8Array(200).fill(i) });
  await wal.truncate('dml_0', 20);
  first = await wal.firstPosition('dml_0');
});
test.after.each(async () => { await wal.close(); await store.close(); await rm(dir, { recursive: true, force: true }); });

test('a checkpoint whose replay point the log still holds is returned', async () => {
  assert.ok(first > 0 && first <= 20, `the log starts at ${first}`);
  await saveCheckpoint(store, 'dml_0', ckpt(1, 25));
  assert.is((await loadRecoverableCheckpoint(store, wal, 'dml_0'))!.replayFrom, 25);
});

test('a log cut past the checkpoint\'s replay point is refused', async () => {
  await saveCheckpoint(store, 'dml_0', ckpt(1, first - 1));
  try {
    await loadRecoverableCheckpoint(store, wal, 'dml_0');
    assert.unreachable('recovery started with less');
  } catch (e) {
    assert.instance(e, NuthatchError);
    assert.is((e as NuthatchError).code, 'StorageMismatch');
    assert.match((e as Error).message, /replays from/);
  }
});

test('a truncated log without any checkpoint is refused', async () => {
  try {
    await loadRecoverableCheckpoint(store, wal, 'dml_0');
    assert.unreachable('recovery started from nothing');
  } catch (e) {
    assert.is((e as NuthatchError).code, 'StorageMismatch');
    assert.match((e as Error).message, /no checkpoint/);
  }
});

test('an untruncated log needs no checkpoint', async () => {
  assert.is(await loadRecoverableCheckpoint(store, wal, 'dml_1'), undefined);
});

test.run();
