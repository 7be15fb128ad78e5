/**
 * Reads of many small sealed segments: the same rows as `--segments` flushes
 * of a small batch each (a flush after every batch) and as one flush of them
 * all (the baseline), in two collections of one standalone system with
 * compaction off, so the small segments stay as a user has them until a merge.
 * For each layout: a top-10 search, a filtered search, a filtered query and a
 * count(*), mean ms over `--reads` reads through the client (Bounded), and
 * the ratio to the baseline. Then the system restarts on its data with the
 * default compaction policy (a round every 60 s merging 4 or more small
 * segments of a partition): the seconds until the small segments are merged
 * on their own, and the same reads after.
 *
 *   npm run bench -- smallSegments [--rows 20000] [--segments 200] [--dim 128] [--reads 50]
 *
 * Writes bench/results/smallSegments.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStandalone, type Standalone } from '../runtime/standalone/standalone.js';
import { numberOption, waitUntil } from './support/options.js';
import { indexesReady, sealedSegments } from './support/standaloneState.js';
import { printTable } from './support/table.js';
import { meanRead } from './support/meanRead.js';

type Read = [string, (s: Standalone, c: string) => Promise<number>];

export default async function run(args: string[]): Promise<void> {
  const rows = numberOption(args, 'rows', 20_000), parts = numberOption(args, 'segments', 200);
  const dim = numberOption(args, 'dim', 128), reads = numberOption(args, 'reads', 50);
  const vector = (i: number) => Float32Array.from({ length: dim }, (_, j) => Math.sin(i * 7.1 + j));
  const row = (i: number) => ({ id: i, vec: vector(i), tag: i % 10 });
  const dir = await mkdtemp(join(tmpdir(), 'nuthatch-small-segments-'));
  let s = await startStandalone({ dataDir: dir, log: () => {}, coordinator: { compaction: { intervalMs: 0 } } });
  try {
    const create = (name: string) => s.client.createCollection({
      collectionName: name, metricType: 'L2', load: true, consistencyLevel: 'Bounded', shardsNum: 1,
      schema: { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim }, { name: 'tag', dataType: 'Int64' }] },
      indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'HNSW', params: { M: 16, efConstruction: 100 } }],
    });
    await create('one');
    await create('small');
    for (let from = 0; from < rows; from += 5000) await s.client.insert('one', Array.from({ length: Math.min(5000, rows - from) }, (_, k) => row(from + k)));
    await s.client.flush('one');
    const per = Math.ceil(rows / parts), t0 = performance.now();
    for (let from = 0; from < rows; from += per) {
      await s.client.insert('small', Array.from({ length: Math.min(per, rows - from) }, (_, k) => row(from + k)));
      await s.client.flush('small');
    }
    for (const c of ['one', 'small']) await waitUntil(`${c} indexed and loaded`, () => indexesReady(s, c, rows));
    const loadS = (performance.now() - t0) / 1000;
    const segments = { one: await sealedSegments(s, 'one'), small: await sealedSegments(s, 'small') };
    const q = vector(12345);
    const ops: Read[] = [
      ['search top-10', async (x, c) => (await x.client.search(c, { data: [q], limit: 10 }))[0]!.length],
      ['search top-10, tag == 3', async (x, c) => (await x.client.search(c, { data: [q], limit: 10, filter: 'tag == 3' }))[0]!.length],
      ['query id < 100, limit 10', async (x, c) => (await x.client.query(c, { filter: 'id < 100', limit: 10, outputFields: ['tag'] })).length],
      ['count(*)', async (x, c) => Number((await x.client.query(c, { filter: '', outputFields: ['count(*)'] }))[0]!['count(*)'])],
      ['count(*), tag == 3', async (x, c) => Number((await x.client.query(c, { filter: 'tag == 3', outputFields: ['count(*)'] }))[0]!['count(*)'])],
    ];
    const time = (c: string, f: Read[1]) => meanRead(() => f(s, c), reads);
    const figures = async () => { const r: Array<{ read: string; baseline: number; small: number }> = []; for (const [name, f] of ops) {
      const base = await time('one', f), small = await time('small', f);
      if (small.answer !== base.answer) throw new Error(`${name}: answers differ (${base.answer}, ${small.answer})`);
      r.push({ read: name, baseline: base.ms, small: small.ms });
    } return r; };
    const before = await figures();
    await s.stop();
    s = await startStandalone({ dataDir: dir, log: () => {} });
    const t1 = performance.now();
    await waitUntil('the small segments merged on their own', async () => (await sealedSegments(s, 'small')) === 1 && (await indexesReady(s, 'small', rows)) && (await indexesReady(s, 'one', rows)));
    const mergeS = (performance.now() - t1) / 1000;
    const after = await figures();
    const table = before.map((b, i) => [b.read, b.baseline, b.small, b.small / b.baseline, after[i]!.small, after[i]!.small / after[i]!.baseline]);
    const json = before.map((b, i) => ({ read: b.read, baselineMs: b.baseline, smallMs: b.small, ratio: b.small / b.baseline, mergedMs: after[i]!.small, mergedRatio: after[i]!.small / after[i]!.baseline }));
    console.log(`${rows} rows, dim ${dim}: ${segments.small} sealed segments (${per} rows each, flushed and loaded in ${loadS.toFixed(1)} s) against ${segments.one}; mean of ${reads} reads`);
    console.log(`after a restart with the default compaction policy the small segments were merged into one in ${mergeS.toFixed(1)} s`);
    printTable(['read (mean ms)', 'baseline', 'small segments', 'small/baseline', 'merged', 'merged/baseline'], table);
    const out = fileURLToPath(new URL('../../bench/results/', import.meta.url));
    mkdirSync(out, { recursive: true });
    writeFileSync(`${out}smallSegments.json`, `${JSON.stringify({ rows, dim, segments, readsEach: reads, mergeSeconds: mergeS, reads: json, date: new Date().toISOString() }, null, 2)}\n`);
  } finally { await s.stop().catch(() => {}); await rm(dir, { recursive: true, force: true }); }
}
