/**
 * What a scalar index buys a filtered read: filtered-search QPS and
 * query(count(*)) latency through the full standalone path, first without
 * scalar indexes (the baseline of the same run: every row of every sealed
 * segment is tested), then after INVERTED on `tag` and STL_SORT on `price` are
 * built and loaded (the index gives the candidate rows), and JSON path
 * indexes (DOUBLE) on `meta["tag"]` and `meta["price"]`, which hold the same
 * values in a JSON field. Same rows, segments
 * and HNSW graph both times, so the answers must be the same; the bench checks.
 *
 *   npm run bench -- scalarFilter [--n 200000] [--dim 32] [--queries 300] [--reps 3]
 *
 * Writes bench/results/scalarFilter.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../messages/rpc/coordinator.js';
import { queryNodeSubject, type QueryNodeProtocol } from '../messages/rpc/workers.js';
import { client } from '../runtime/rpc/typedBus.js';
import { startStandalone, type Standalone } from '../runtime/standalone/standalone.js';
import { gaussianMixture } from './support/dataset.js';
import { percentiles } from './support/percentiles.js';
import { numberOption, waitUntil } from './support/options.js';
import { printTable } from './support/table.js';
import { indexesReady, sealedSegments } from './support/standaloneState.js';

const C = 'sf', K = 10, TAGS = 1000;

/** The filters measured, each made afresh per query (a value drawn from the query's number) so no cache answers it. */
const FILTERS: ReadonlyArray<{ name: string; share: string; of: (i: number) => string }> = [
  { name: 'tag == x', share: '0.1%', of: (i) => `tag == ${(i * 37) % TAGS}` },
  { name: 'price range', share: '1%', of: (i) => { const lo = (i * 53) % 990; return `price >= ${lo} and price < ${lo + 10}`; } },
  { name: 'tag in [3] and price', share: '0.15%', of: (i) => `tag in [${i % TAGS}, ${(i + 1) % TAGS}, ${(i + 2) % TAGS}] and price < 500` },
  { name: 'tag < 100', share: '10%', of: (i) => `tag < ${100 + (i % 2)}` },
  { name: 'meta["tag"] == x', share: '0.1%', of: (i) => `meta["tag"] == ${(i * 37) % TAGS}` },
  { name: 'meta["price"] range', share: '1%', of: (i) => { const lo = (i * 53) % 990; return `meta["price"] >= ${lo} and meta["price"] < ${lo + 10}`; } },
];

interface Figures { qps: number; searchP50Ms: number; countP50Ms: number; countP99Ms: number; answers: string[] }

async function measure(s: Standalone, queries: Float32Array[], of: (i: number) => string, reps: number): Promise<Figures> {
  const search = async (i: number) => (await s.client.search(C, { data: [queries[i]!], limit: K, filter: of(i), consistencyLevel: 'Bounded' }))[0]!.map((h) => h.id).join(',');
  const count = async (i: number) => (await s.client.query(C, { filter: of(i), outputFields: ['count(*)'], consistencyLevel: 'Bounded' }))[0]!['count(*)'];
  for (let i = 0; i < Math.min(50, queries.length); i++) { await search(i); await count(i); } // warm-up
  const passes = [];
  for (let r = 0; r < reps; r++) {
    const answers: string[] = [], lat: number[] = [], counts: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < queries.length; i++) { const a = performance.now(); answers.push(await search(i)); lat.push(performance.now() - a); }
    const ms = performance.now() - t0;
    for (let i = 0; i < queries.length; i++) { const a = performance.now(); answers.push(`#${String(await count(i))}`); counts.push(performance.now() - a); }
    passes.push({ ms, lat, counts, answers });
  }
  const mid = passes.sort((a, b) => a.ms - b.ms)[reps >> 1]!;
  const [searchP50] = percentiles(mid.lat, [50]), [countP50, countP99] = percentiles(mid.counts, [50, 99]);
  return { qps: (queries.length / mid.ms) * 1000, searchP50Ms: searchP50!, countP50Ms: countP50!, countP99Ms: countP99!, answers: mid.answers };
}

export default async function run(args: string[]): Promise<void> {
  const n = numberOption(args, 'n', 200_000), dim = numberOption(args, 'dim', 32), nq = numberOption(args, 'queries', 300), reps = numberOption(args, 'reps', 3);
  const ds = gaussianMixture({ n, dim, queries: nq, seed: 5 });
  const dir = await mkdtemp(join(tmpdir(), 'nuthatch-scalar-bench-'));
  const s = await startStandalone({ dataDir: dir, log: () => {}, coordinator: { compaction: { intervalMs: 0 } } });
  try {
    await s.client.createCollection({
      collectionName: C, metricType: ds.metric, load: true, shardsNum: 1,
      schema: { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim }, { name: 'tag', dataType: 'Int64' }, { name: 'price', dataType: 'Double' }, { name: 'meta', dataType: 'JSON' }] },
      indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'HNSW', params: { M: 16, efConstruction: 100 } }],
    });
    for (let from = 0; from < n; from += 10_000) {
      const rows = [];
      for (let r = from; r < Math.min(n, from + 10_000); r++) {
        const tag = (r * 7919) % TAGS, price = ((r * 104729) % 100_000) / 100;
        rows.push({ id: r, vec: ds.vectors.subarray(r * dim, (r + 1) * dim), tag, price, meta: { tag, price, name: `item ${r}` } });
      }
      await s.client.insert(C, rows);
    }
    await s.client.flush(C);
    await waitUntil('the vector index built and loaded', () => indexesReady(s, C, n));
    const without: Figures[] = [];
    for (const f of FILTERS) without.push(await measure(s, ds.queries, f.of, reps));

    await s.client.createIndex(C, { indexName: 'tag_idx', fieldName: 'tag', indexType: 'INVERTED', params: {} });
    await s.client.createIndex(C, { indexName: 'price_idx', fieldName: 'price', indexType: 'STL_SORT', params: {} });
    await s.client.createIndex(C, { indexName: 'meta_tag_idx', fieldName: 'meta', indexType: 'INVERTED', params: { json_path: 'meta["tag"]', json_cast_type: 'DOUBLE' } });
    await s.client.createIndex(C, { indexName: 'meta_price_idx', fieldName: 'meta', indexType: 'INVERTED', params: { json_path: 'meta["price"]', json_cast_type: 'DOUBLE' } });
    await waitUntil('the scalar indexes built and loaded', async () => (await indexesReady(s, C, n)) && (await served(s)));
    const withIndex: Figures[] = [];
    for (const f of FILTERS) withIndex.push(await measure(s, ds.queries, f.of, reps));

    const same = FILTERS.map((_, i) => without[i]!.answers.every((a, j) => a === withIndex[i]!.answers[j]));
    console.log(`\n${n} x ${dim} rows (${await sealedSegments(s, C)} sealed segment(s), HNSW M 16), single client, ${nq} queries per filter, median of ${reps} passes; top-${K} search and count(*)`);
    printTable(['filter', 'passes', 'search QPS without', 'with index', 'x', 'count p50 ms without', 'with index', 'x', 'same answers'], FILTERS.map((f, i) => {
      const a = without[i]!, b = withIndex[i]!;
      return [f.name, f.share, a.qps, b.qps, (b.qps / a.qps).toFixed(2), a.countP50Ms, b.countP50Ms, (a.countP50Ms / b.countP50Ms).toFixed(2), same[i] ? 'yes' : 'NO'];
    }));
    if (same.includes(false)) throw new Error('a read answered differently with the scalar index');
    const out = fileURLToPath(new URL('../../bench/results/', import.meta.url));
    mkdirSync(out, { recursive: true });
    const strip = ({ answers: _, ...rest }: Figures) => rest;
    writeFileSync(`${out}scalarFilter.json`, `${JSON.stringify({
      n, dim, queries: nq, reps, filters: FILTERS.map((f, i) => ({ name: f.name, example: f.of(0), passes: f.share, without: strip(without[i]!), withIndex: strip(withIndex[i]!) })), date: new Date().toISOString(),
    }, null, 2)}\n`);
    console.log('wrote bench/results/scalarFilter.json');
  } finally { await s.stop().catch(() => {}); await rm(dir, { recursive: true, force: true }); }
}


/** Whether the query node holds every index file the segment records name (a reload follows each build). */
async function served(s: Standalone): Promise<boolean> {
  const id = (await s.client.describeCollection(C)).collectionId;
  const segs = await client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT)('segments', { collectionId: id });
  const held = new Set((await client<QueryNodeProtocol>(s.bus, queryNodeSubject('qn-1'))('status', {})).files.flatMap((f) => f.indexKeys));
  return segs.every((seg) => Object.values(seg.indexKeys).every((k) => held.has(k)));
}
