import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { startStandalone } from '../../runtime/standalone/standalone.js';
import { vectors } from './harness.js';

/**
 * A streaming node persists a recovery checkpoint and, on start, folds only the
 * log after it; the rows of growing segments are re-read from the checkpoint's
 * replay-from position, so nothing is lost and nothing is applied twice.
 */
const DIM = 4;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };

async function boot(dataDir: string, lines: string[]) {
  return startStandalone({ dataDir, log: (...a) => lines.push(a.map(String).join(' ')), streaming: { checkpointMs: 100 } });
}

const replayed = (lines: string[]) => lines.map((l) => /replayed (\d+) messages/.exec(l)).filter(Boolean).map((m) => Number(m![1]));

test('after a checkpoint, a restart replays only what came after it', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'nuthatch-ckpt-'));
  try {
    let lines: string[] = [];
    let s = await boot(dataDir, lines);
    await s.client.createCollection({ collectionName: 'c', schema, metricType: 'L2', load: true });
    const vs = vectors(100, DIM, 9);
    for (let b = 0; b < 10; b++) await s.client.insert('c', vs.slice(b * 10, b * 10 + 10).map((vec, i) => ({ id: b * 10 + i, vec })));
    await s.client.delete('c', { ids: [5, 6] });
    await new Promise((r) => setTimeout(r, 400)); // a checkpoint is written every 100 ms while dirty
    const before = await s.client.search('c', { data: [vs[42]!], limit: 3, consistencyLevel: 'Strong' });
    await s.stop();

    lines = [];
    s = await boot(dataDir, lines);
    const counts = replayed(lines);
    assert.is(counts.length, 4, 'every pchannel reopened');
    // Everything before the checkpoint is restored, not replayed: at most the fence ticks of the last session remain.
    for (const n of counts) assert.ok(n <= 2, `replayed ${n} messages after the checkpoint`);
    assert.equal((await s.client.getCollectionStats('c')).rowCount, 98);
    const after = await s.client.search('c', { data: [vs[42]!], limit: 3, consistencyLevel: 'Strong' });
    assert.equal(after[0]!.map((h) => h.id), before[0]!.map((h) => h.id));
    assert.equal(await s.client.get('c', [5, 6, 7]), [{ id: 7 }]);
    // Writes continue after recovery, and a second restart still agrees.
    await s.client.insert('c', [{ id: 1000, vec: [1, 1, 1, 1] }]);
    await s.stop();
    lines = [];
    s = await boot(dataDir, lines);
    assert.equal((await s.client.getCollectionStats('c')).rowCount, 99);
    await s.stop();
  } finally { await rm(dataDir, { recursive: true, force: true }); }
});

test('a long delete log is archived out of the checkpoint, and a restart still applies all of it', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'nuthatch-ckpt-'));
  try {
    let lines: string[] = [];
    let s = await boot(dataDir, lines);
    await s.client.createCollection({ collectionName: 'c', schema, metricType: 'L2', shardsNum: 1, load: true });
    const vs = vectors(100, DIM, 3);
    await s.client.insert('c', vs.map((vec, id) => ({ id, vec })));
    // 40,000 deletes: ids 0..49 exist, the rest delete nothing (still logged).
    await s.client.delete('c', { ids: Array.from({ length: 40_000 }, (_, i) => (i < 50 ? i : 1000 + i)) });
    await new Promise((r) => setTimeout(r, 400)); // a checkpoint is written every 100 ms while dirty
    await s.stop();
    const objects = new LocalObjectStore(join(dataDir, 'objects'));
    const archived = (await objects.list('deletes/')).map((o) => o.key);
    await objects.close();
    assert.ok(archived.length >= 1 && archived.every((k) => k.endsWith('.del')), `archives: ${archived.join(', ')}`);

    lines = [];
    s = await boot(dataDir, lines);
    for (const n of replayed(lines)) assert.ok(n <= 2, `replayed ${n} messages after the checkpoint`);
    assert.equal((await s.client.getCollectionStats('c')).rowCount, 50);
    assert.equal(await s.client.get('c', [0, 49, 50, 99]), [{ id: 50 }, { id: 99 }]);
    // Dropping the collection frees its archives once a checkpoint no longer lists them.
    await s.client.dropCollection('c');
    const left = async () => { const o = new LocalObjectStore(join(dataDir, 'objects')); try { return (await o.list('deletes/')).length; } finally { await o.close(); } };
    for (let i = 0; i < 100 && await left() > 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.is(await left(), 0, 'archives of the dropped collection are freed');
    await s.stop();
    lines = [];
    s = await boot(dataDir, lines);
    assert.equal(await s.client.listCollections(), []);
    await s.stop();
  } finally { await rm(dataDir, { recursive: true, force: true }); }
});

test('delete archives no checkpoint lists are removed after the tolerance; listed ones stay readable', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'nuthatch-ckpt-'));
  const objects = new LocalObjectStore(join(dataDir, 'objects'));
  const TOLERANCE_MS = 1000;
  const start = () => startStandalone({ dataDir, log: () => {}, streaming: { checkpointMs: 100, archiveSweep: { intervalMs: 100, toleranceMs: TOLERANCE_MS } } });
  let s = await start();
  try {
    await s.client.createCollection({ collectionName: 'c', schema, metricType: 'L2', shardsNum: 1, load: true });
    const vs = vectors(100, DIM, 4);
    await s.client.insert('c', vs.map((vec, id) => ({ id, vec })));
    await s.client.delete('c', { ids: Array.from({ length: 20_000 }, (_, i) => (i < 30 ? i : 1000 + i)) });
    const archives = async () => (await objects.list('deletes/')).map((o) => o.key);
    let listed: string[] = [];
    for (let i = 0; i < 100 && listed.length === 0; i++) { await new Promise((r) => setTimeout(r, 50)); listed = await archives(); }
    assert.is(listed.length, 1, `one archive: ${listed.join(', ')}`);
    const vchannelDir = listed[0]!.slice(0, listed[0]!.lastIndexOf('/') + 1);
    // An archive whose checkpoint was never stored (its owner died first), and one of a pchannel no node here owns.
    const stray = `${vchannelDir}000000000000-000000000007.del`, foreign = 'deletes/dml_99_1v0/000000000000-000000000001.del';
    const planted = Date.now();
    await objects.put(stray, new Uint8Array([1]));
    await objects.put(foreign, new Uint8Array([1]));
    // Sweeps follow checkpoints, and checkpoints follow writes.
    for (let i = 0; (await archives()).includes(stray); i++) {
      assert.ok(i < 200, 'the stray archive is removed');
      await s.client.insert('c', [{ id: 5000 + i, vec: [0, 0, 0, i] }]);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(Date.now() - planted >= TOLERANCE_MS, 'not before the tolerance');
    assert.equal((await archives()).sort(), [listed[0]!, foreign].sort(), 'the listed archive and the foreign one stay');
    const rows = (await s.client.getCollectionStats('c')).rowCount;
    await s.stop();
    s = await start();
    assert.is((await s.client.getCollectionStats('c')).rowCount, rows, 'the listed archive still restores every delete');
    assert.equal(await s.client.get('c', [0, 29, 30]), [{ id: 30 }]);
  } finally { await s.stop(); await objects.close(); await rm(dataDir, { recursive: true, force: true }); }
});

test.run();
