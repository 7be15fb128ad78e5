/**
 * Reads of a sealed, indexed segment most of whose rows were deleted by key
 * (not yet compacted away: compaction is off, as it is for a user until the
 * next round past the grace), against a collection holding only the same live
 * rows (the baseline), measured in the same run through the client. For each
 * deleted share (`--deleted 0.5,0.9`): a top-10 search, a top-100 search, a
 * filtered search, count(*) and a filtered query; mean ms over `--reads`
 * reads, the ratio to the baseline, and whether every search came back with
 * its k hits.
 *
 *   npm run bench -- heavyDeletes [--rows 20000] [--dim 128] [--reads 50] [--deleted 0.5,0.9]
 *
 * Writes bench/results/heavyDeletes.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStandalone, type Standalone } from '../runtime/standalone/standalone.js';
import { numberOption, waitUntil } from './support/options.js';
import { indexesReady } from './support/standaloneState.js';
import { printTable } from './support/table.js';
import { meanRead } from './support/meanRead.js';

type Read = [string, (s: Standalone, c: string) => Promise<number>];

export default async function run(args: string[]): Promise<void> {
  const rows = numberOption(args, 'rows', 20_000), dim = numberOption(args, 'dim', 128), reads = numberOption(args, 'reads', 50);
  const at = args.indexOf('--deleted');
  const shares = (at >= 0 ? args[at + 1]! : '0.5,0.9').split(',').map(Number);
  const vector = (i: number) => Float32Array.from({ length: dim }, (_, j) => Math.sin(i * 7.1 + j));
  const row = (i: number) => ({ id: i, vec: vector(i), tag: Math.floor(i / 10) % 10 }); // every tag among the live rows of any share
  const dir = await mkdtemp(join(tmpdir(), 'nuthatch-heavy-deletes-'));
  const s = await startStandalone({ dataDir: dir, log: () => {}, coordinator: { compaction: { intervalMs: 0 } } });
  const insert = async (c: string, ids: number[]) => {
    await s.client.createCollection({
      collectionName: c, metricType: 'L2', load: true, consistencyLevel: 'Bounded', shardsNum: 1,
      schema: { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim }, { name: 'tag', dataType: 'Int64' }] },
      indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'HNSW', params: { M: 16, efConstruction: 100 } }],
    });
    for (let from = 0; from < ids.length; from += 5000) await s.client.insert(c, ids.slice(from, from + 5000).map(row));
    await s.client.flush(c);
    await waitUntil(`${c} indexed and loaded`, () => indexesReady(s, c, ids.length));
  };
  const q = vector(12345);
  const search = (k: number, filter?: string): Read[1] => async (x, c) => {
    const hits = (await x.client.search(c, { data: [q], limit: k, ...(filter ? { filter } : {}) }))[0]!;
    if (hits.length !== k) throw new Error(`${c}: a top-${k} search${filter ? ` (${filter})` : ''} answered ${hits.length} hits`);
    return hits.length;
  };
  const ops: Read[] = [
    ['search top-10', search(10)],
    ['search top-100', search(100)],
    ['search top-10, tag == 3', search(10, 'tag == 3')],
    ['count(*)', async (x, c) => Number((await x.client.query(c, { filter: '', outputFields: ['count(*)'] }))[0]!['count(*)'])],
    ['query tag == 3, limit 10', async (x, c) => (await x.client.query(c, { filter: 'tag == 3', limit: 10, outputFields: ['tag'] })).length],
  ];
  const time = (c: string, f: Read[1]) => meanRead(() => f(s, c), reads);
  try {
    const table: Array<Array<string | number>> = [], json: Record<string, unknown>[] = [];
    for (const share of shares) {
      const keepEvery = Math.round(1 / (1 - share));
      const all = Array.from({ length: rows }, (_, i) => i), live = all.filter((i) => i % keepEvery === 0);
      const d = `deleted_${Math.round(share * 100)}`, b = `live_${Math.round(share * 100)}`;
      await insert(d, all);
      const dead = all.filter((i) => i % keepEvery !== 0);
      for (let from = 0; from < dead.length; from += 2000) await s.client.delete(d, { ids: dead.slice(from, from + 2000) });
      await insert(b, live);
      for (const [name, f] of ops) {
        const base = await time(b, f), del = await time(d, f);
        if (del.answer !== base.answer) throw new Error(`${name}: answers differ (${base.answer}, ${del.answer})`);
        table.push([`${Math.round(share * 100)}%`, name, base.ms, del.ms, del.ms / base.ms]);
        json.push({ deleted: share, read: name, liveOnlyMs: base.ms, deletedMs: del.ms, ratio: del.ms / base.ms });
      }
    }
    console.log(`${rows} rows, dim ${dim}, one sealed HNSW segment, deleted by key (not compacted), against the live rows alone; mean of ${reads} reads; every search answered its k hits`);
    printTable(['deleted', 'read (mean ms)', 'live rows only', 'with deletes', 'deletes/live'], table);
    const out = fileURLToPath(new URL('../../bench/results/', import.meta.url));
    mkdirSync(out, { recursive: true });
    writeFileSync(`${out}heavyDeletes.json`, `${JSON.stringify({ rows, dim, readsEach: reads, reads: json, date: new Date().toISOString() }, null, 2)}\n`);
  } finally { await s.stop().catch(() => {}); await rm(dir, { recursive: true, force: true }); }
}
