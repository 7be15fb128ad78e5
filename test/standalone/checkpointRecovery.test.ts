import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

test.run();
