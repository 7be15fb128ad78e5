/**
 * What a grouping search costs and how exact it is: the same queries as a
 * plain top-k search (the baseline of the same run), grouped with one hit per
 * group (one pass), and with groups of several hits (a first pass picks the
 * groups, a second fills them: runtime/client/groupRefine.ts). Exactness is
 * the share of queries whose groups equal an exact grouping of every row.
 * Rows are spread over several sealed, HNSW-indexed segments on two shards,
 * so a group's hits live in many segments.
 *
 *   npm run bench -- groupingSearch [--n 20000] [--dim 64] [--docs 1000] [--queries 300] [--ef 128]
 *
 * Writes bench/results/groupingSearch.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { searchBruteForce } from '../actors/shared/vector/bruteForce.js';
import { GroupCollector } from '../actors/shared/vector/groupBy.js';
import type { SearchRequest } from '../runtime/client/api.js';
import { startStandalone, type Standalone } from '../runtime/standalone/standalone.js';
import { gaussianMixture, mulberry32, type Dataset } from './support/dataset.js';
import { percentiles } from './support/percentiles.js';
import { numberOption, waitUntil } from './support/options.js';
import { printTable } from './support/table.js';

const C = 'grouped', LIMIT = 10, SIZE = 3, BATCHES = 6;

/** Exact groups of every row: ids group by group. */
function exactGroups(ds: Dataset, docs: number[], q: Float32Array, size: number): number[] {
  const [all] = searchBruteForce({ vectors: ds.vectors, dim: ds.dim, count: ds.n, metric: ds.metric, queries: [q], k: ds.n });
  const c = new GroupCollector<number>(LIMIT, size);
  for (const h of all!) { c.offer(h.row, docs[h.row]); if (!c.wantsMore(true)) break; }
  return c.hits();
}

async function measure(s: Standalone, ds: Dataset, extra: Partial<SearchRequest>, ef: number, exact?: number[][]) {
  const search = async (q: Float32Array) => (await s.client.search(C, { data: [q], limit: LIMIT, searchParams: { params: { ef } }, ...extra }))[0]!.map((h) => h.id as number);
  for (const q of ds.queries.slice(0, 30)) await search(q); // warm-up
  const lat: number[] = [];
  let same = 0;
  const t0 = performance.now();
  for (const [i, q] of ds.queries.entries()) {
    const a = performance.now();
    const ids = await search(q);
    lat.push(performance.now() - a);
    if (exact && JSON.stringify(ids) === JSON.stringify(exact[i])) same++;
  }
  const ms = performance.now() - t0;
  const [p50, p99] = percentiles(lat, [50, 99]);
  return { qps: (ds.queries.length / ms) * 1000, p50Ms: p50!, p99Ms: p99!, ...(exact ? { exactShare: same / ds.queries.length } : {}) };
}

export default async function run(args: string[]): Promise<void> {
  const n = numberOption(args, 'n', 20000), dim = numberOption(args, 'dim', 64), docCount = numberOption(args, 'docs', 1000);
  const nq = numberOption(args, 'queries', 300), ef = numberOption(args, 'ef', 128);
  const ds = gaussianMixture({ n, dim, queries: nq, seed: 5 });
  const rnd = mulberry32(9);
  const docs = Array.from({ length: n }, () => Math.floor(rnd() * docCount));
  const dir = await mkdtemp(join(tmpdir(), 'nuthatch-group-bench-'));
  const s = await startStandalone({ dataDir: dir, log: () => {}, coordinator: { compaction: { intervalMs: 0 } } });
  try {
    await s.client.createCollection({
      collectionName: C, metricType: ds.metric, load: true, consistencyLevel: 'Bounded', shardsNum: 2,
      schema: { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim }, { name: 'doc', dataType: 'Int64' }] },
      indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'HNSW', params: { M: 16, efConstruction: 200 } }],
    });
    const per = Math.ceil(n / BATCHES);
    for (let from = 0; from < n; from += per) {
      const rows = [];
      for (let r = from; r < Math.min(n, from + per); r++) rows.push({ id: r, vec: ds.vectors.subarray(r * dim, (r + 1) * dim), doc: docs[r] });
      await s.client.insert(C, rows);
      await s.client.flush(C);
    }
    await waitUntil('every segment indexed and loaded', async () => { const [idx] = await s.client.describeIndex(C); return idx?.indexedRows === n && (await s.client.getLoadState(C)).loadProgress === 100; });
    const exact1 = ds.queries.map((q) => exactGroups(ds, docs, q, 1));
    const exactN = ds.queries.map((q) => exactGroups(ds, docs, q, SIZE));
    const plain = await measure(s, ds, {}, ef);
    const one = await measure(s, ds, { groupingField: 'doc' }, ef, exact1);
    const several = await measure(s, ds, { groupingField: 'doc', groupSize: SIZE, strictGroupSize: true }, ef, exactN);
    console.log(`\n${n} x ${dim} rows in ${docCount} groups, ${BATCHES} flushed segments per shard x 2 shards, HNSW ef ${ef}; ${nq} queries, single client, limit ${LIMIT}`);
    printTable(['search', 'QPS', 'vs plain', 'p50 ms', 'p99 ms', 'exact groups'], [
      ['plain top-10 (baseline)', plain.qps, 1, plain.p50Ms, plain.p99Ms, '-'],
      ['10 groups of 1 (one pass)', one.qps, one.qps / plain.qps, one.p50Ms, one.p99Ms, one.exactShare!.toFixed(3)],
      [`10 groups of ${SIZE}, strict (two passes)`, several.qps, several.qps / plain.qps, several.p50Ms, several.p99Ms, several.exactShare!.toFixed(3)],
    ]);
    const out = fileURLToPath(new URL('../../bench/results/', import.meta.url));
    mkdirSync(out, { recursive: true });
    writeFileSync(`${out}groupingSearch.json`, `${JSON.stringify({ n, dim, docs: docCount, ef, queries: nq, limit: LIMIT, groupSize: SIZE, plain, groupsOfOne: one, groupsOfSeveral: several, date: new Date().toISOString() }, null, 2)}\n`);
    console.log('wrote bench/results/groupingSearch.json');
  } finally { await s.stop().catch(() => {}); await rm(dir, { recursive: true, force: true }); }
}
