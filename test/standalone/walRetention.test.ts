import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { retentionPolicy } from '../../actors/streaming-node/core/walRetention.js';
import { startStandalone } from '../../runtime/standalone/standalone.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { LocalWalBackend } from '../../runtime/wal/local/index.js';
import { until } from '../support/until.js';
import { vectors } from './harness.js';

/**
 * WAL retention: once a checkpoint no longer needs the log before a position
 * (its segments are flushed and served from object storage), the streaming node
 * truncates the log there, keeping the history the policy asks for. A restart
 * from the truncated log has every row; a log kept forever is never cut.
 */
const DIM = 16, ROWS = 3000;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };

type Kind = 'local' | 'object';

async function boot(dataDir: string, keepMs: number, lines: string[], kind: Kind = 'local') {
  return startStandalone({
    dataDir, pchannels: 1, log: (...a) => lines.push(a.map(String).join(' ')),
    wal: kind === 'object' ? { kind: 'object' } : { kind: 'local', dir: join(dataDir, 'wal'), segmentBytes: 64 * 1024 },
    streaming: { checkpointMs: 100, walRetention: retentionPolicy(keepMs) },
  });
}

/** The WAL's storage units: segment files of the local WAL, fragment objects of the object WAL. */
async function walFiles(dataDir: string, kind: Kind = 'local'): Promise<string[]> {
  if (kind === 'local') return (await readdir(join(dataDir, 'wal', 'dml_0'))).filter((n) => n.endsWith('.wal')).sort();
  const objects = new LocalObjectStore(join(dataDir, 'objects'));
  try { return (await objects.list('wal/')).map((o) => o.key); } finally { await objects.close(); }
}

/** Inserts ROWS rows in 30 messages (into a growing segment: it holds the log until flushed). */
async function ingest(s: Awaited<ReturnType<typeof boot>>, vs: number[][]) {
  await s.client.createCollection({ collectionName: 'c', schema, metricType: 'L2', load: true });
  for (let b = 0; b < ROWS; b += 100) await s.client.insert('c', vs.slice(b, b + 100).map((vec, i) => ({ id: b + i, vec })));
}

for (const kind of ['local', 'object'] as const) test(`${kind} WAL keeping no history: the flushed log is cut, its storage freed, and a restart has every row`, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'nuthatch-retention-'));
  let s: Awaited<ReturnType<typeof boot>> | undefined;
  try {
    const lines: string[] = [];
    s = await boot(dataDir, 0, lines, kind);
    const vs = vectors(ROWS, DIM, 5);
    await ingest(s, vs);
    const before = await walFiles(dataDir, kind);
    assert.ok(before.length >= 2, `${before.length} WAL storage units after ingest`);
    await s.client.flush('c');
    // Cut past every insert: the segment was flushed and handed off to the query node.
    // A cut waits for a later append to succeed (proof of ownership): keep writing deletes of nothing.
    const cutPast = () => {
      const m = lines.map((l) => /\[dml_0#\d+\] truncated the WAL before (\d+) \(asked (\d+)\)/.exec(l)).filter(Boolean).at(-1);
      return m && Number(m[2]) > ROWS / 100 ? Number(m[1]) : undefined;
    };
    for (let k = 0; !cutPast() && k < 600; k++) { await s.client.delete('c', { ids: [1_000_000 + k] }); await new Promise((r) => setTimeout(r, 50)); }
    await until(() => cutPast() !== undefined, 'the WAL to be truncated past the inserts', 30_000);
    const cut = cutPast()!;
    const after = await walFiles(dataDir, kind);
    assert.ok(!after.includes(before[0]!), 'the first storage unit was deleted');
    assert.ok(after.length < before.length, `${before.length} files before, ${after.length} after`);
    await s.client.insert('c', [{ id: ROWS, vec: vs[0]! }]);
    await s.client.delete('c', { ids: [7] });
    await s.stop();
    s = undefined;

    if (kind === 'local') {
      const wal = new LocalWalBackend(join(dataDir, 'wal'));
      const first = await wal.firstPosition('dml_0');
      await wal.close();
      assert.ok(first > 0 && first >= cut, `the log starts at ${first} (the node logged ${cut})`);
    }

    lines.length = 0;
    s = await boot(dataDir, 0, lines, kind);
    assert.is((await s.client.getCollectionStats('c')).rowCount, ROWS);
    assert.equal(await s.client.get('c', [6, 7, 8]), [{ id: 6 }, { id: 8 }]);
    const hits = await s.client.search('c', { data: [vs[1234]!], limit: 1, consistencyLevel: 'Strong' });
    assert.is(hits[0]![0]!.id, 1234);
  } finally {
    await s?.stop().catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('keeping the log forever: checkpoints never cut it', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'nuthatch-retention-'));
  let s: Awaited<ReturnType<typeof boot>> | undefined;
  try {
    const lines: string[] = [];
    s = await boot(dataDir, Infinity, lines);
    await ingest(s, vectors(ROWS, DIM, 6));
    await s.client.flush('c');
    const before = await walFiles(dataDir);
    // Flushed segments are handed off, so a checkpoint could cut: write a few more and let several pass.
    for (let i = 0; i < 5; i++) { await s.client.insert('c', [{ id: ROWS + i, vec: vectors(1, DIM, i)[0]! }]); await new Promise((r) => setTimeout(r, 150)); }
    await s.stop();
    s = undefined;
    assert.equal(lines.filter((l) => /truncated the WAL/.test(l)), []);
    const after = await walFiles(dataDir);
    assert.ok(before.every((f) => after.includes(f)), 'every segment file is still there');
    const wal = new LocalWalBackend(join(dataDir, 'wal'));
    assert.is(await wal.firstPosition('dml_0'), 0);
    await wal.close();
  } finally {
    await s?.stop().catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
  }
});

test.run();
