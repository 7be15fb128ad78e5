/**
 * Writes the recorded logs under test/fixtures/recorded-logs/ (see recordedLogs.ts).
 *
 *   node dist/test/inspect/recordLogs.js            record new logs (replaces them) and their expected replay
 *   node dist/test/inspect/recordLogs.js --expected  keep the logs, rewrite only expected.json
 *
 * Re-record only on purpose: the point of the committed logs is that they are old.
 * `--expected` is for an intended change of what replay reports; review its diff.
 *
 * - standalone-v1: a real standalone (2 pchannels) doing DDL, inserts, an upsert
 *   (a transaction), a delete, an index, a flush (seal -> flush), a partition drop,
 *   and a second collection created and dropped. Only accepted messages, as in any WAL.
 * - handmade-v1: the hand-written sample log with refusals (sampleLog.ts).
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStandalone } from '../../runtime/standalone/standalone.js';
import { FIXTURES, replayRecorded } from './recordedLogs.js';
import { PCH, sampleLog, writeLog } from './sampleLog.js';

const pause = () => new Promise((r) => setTimeout(r, 450));

async function recordStandalone(into: string): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'nuthatch-record-'));
  const s = await startStandalone({ dataDir, pchannels: 2, log: () => {} });
  try {
    const c = s.client;
    const schema = { fields: [
      { name: 'id', dataType: 'Int64' as const, isPrimary: true },
      { name: 'vec', dataType: 'FloatVector' as const, dim: 4 },
      { name: 'tag', dataType: 'VarChar' as const, maxLength: 16 },
    ] };
    await c.createCollection({ collectionName: 'books', schema, metricType: 'L2', shardsNum: 2 });
    await c.createPartition('books', 'b');
    const row = (id: number) => ({ id, vec: [id / 10, 0.5, -id / 10, 1], tag: `t${id}` });
    await c.insert('books', [1, 2, 3, 4, 5, 6].map(row));
    await c.insert('books', [7, 8].map(row), 'b');
    await c.upsert('books', [2, 9].map(row));
    await c.delete('books', { ids: [1] });
    await pause(); // a persisted TimeTick lands between the writes, as in any real log
    await c.createIndex('books', { indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW', params: { M: 8, efConstruction: 32 } });
    await c.flush('books');
    await c.dropPartition('books', 'b');
    await c.createCollection({ collectionName: 'scratch', schema, metricType: 'L2' });
    await c.insert('scratch', [row(100)]);
    await c.dropCollection('scratch');
    await pause();
  } finally {
    await s.stop();
  }
  await cp(join(dataDir, 'wal'), join(into, 'wal'), { recursive: true });
  await rm(dataDir, { recursive: true, force: true });
}

async function writeExpected(dir: string): Promise<void> {
  await writeFile(join(dir, 'expected.json'), JSON.stringify(await replayRecorded(dir), null, 1) + '\n');
  console.log(`wrote ${join(dir, 'expected.json')}`);
}

async function main(): Promise<void> {
  const expectedOnly = process.argv.includes('--expected');
  const logs: Record<string, (dir: string) => Promise<void>> = {
    'standalone-v1': recordStandalone,
    'handmade-v1': (dir) => writeLog(join(dir, 'wal'), PCH, sampleLog()),
  };
  for (const [name, record] of Object.entries(logs)) {
    const dir = join(FIXTURES, name);
    if (!expectedOnly) {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      await record(dir);
    }
    await writeExpected(dir);
  }
}

// Exits explicitly: a stopped standalone may leave an idle handle (a retry timer) behind for a while.
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
