/**
 * What an RTREE index buys the geometry operators: `ST_WITHIN(geo, <small
 * square>)`, `ST_INTERSECTS(geo, <polygon>)` and `ST_DWITHIN(geo, <point>,
 * 20 km)` over points and small polygons (lon/lat 0..40) through the full
 * standalone path, query(count(*)) and a filtered top-10 search, first
 * without a scalar index (every row of every sealed segment is tested, its
 * bounding box first), then with RTREE on `geo` built and loaded (rows whose
 * box meets the query's are the candidates, the operator is tested on
 * them). Same rows, segments and HNSW graph both times, so the answers must
 * be the same; the bench checks.
 *
 *   npm run bench -- geometryFilter [--n 100000] [--dim 16] [--queries 300] [--reps 3]
 *
 * Writes bench/results/geometryFilter.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStandalone, type Standalone } from '../runtime/standalone/standalone.js';
import { gaussianMixture, mulberry32 } from './support/dataset.js';
import { measureFilter, type FilterFigures } from './support/filterFigures.js';
import { numberOption, waitUntil } from './support/options.js';
import { printTable } from './support/table.js';
import { indexesReady, indexFilesServed, sealedSegments } from './support/standaloneState.js';

const C = 'geo', K = 10, SPAN = 40;
const r2 = (x: number) => Math.round(x * 1e4) / 1e4;

/** A row's geometry: nine in ten a point, else a square of up to 0.1 degree (deterministic). */
function geometryOf(r: number): string {
  const rnd = mulberry32(r + 1), x = r2(rnd() * SPAN), y = r2(rnd() * SPAN);
  if (r % 10 !== 0) return `POINT (${x} ${y})`;
  const d = r2(0.01 + rnd() * 0.09);
  return `POLYGON ((${x} ${y}, ${r2(x + d)} ${y}, ${r2(x + d)} ${r2(y + d)}, ${x} ${r2(y + d)}, ${x} ${y}))`;
}

/** The query's centre: somewhere inside the data's span. */
const centre = (i: number): [number, number] => { const rnd = mulberry32(1_000_003 + i); return [r2(1 + rnd() * (SPAN - 2)), r2(1 + rnd() * (SPAN - 2))]; };
const square = (i: number, half: number) => { const [x, y] = centre(i); return `POLYGON ((${r2(x - half)} ${r2(y - half)}, ${r2(x + half)} ${r2(y - half)}, ${r2(x + half)} ${r2(y + half)}, ${r2(x - half)} ${r2(y + half)}, ${r2(x - half)} ${r2(y - half)}))`; };
const FILTERS: ReadonlyArray<{ name: string; of: (i: number) => string }> = [
  { name: 'ST_WITHIN(geo, 0.4-degree square)', of: (i) => `ST_WITHIN(geo, '${square(i, 0.2)}')` },
  { name: 'ST_INTERSECTS(geo, 1-degree triangle)', of: (i) => { const [x, y] = centre(i); return `ST_INTERSECTS(geo, 'POLYGON ((${x} ${y}, ${r2(x + 1)} ${y}, ${x} ${r2(y + 1)}, ${x} ${y}))')`; } },
  { name: 'ST_DWITHIN(geo, point, 20 km)', of: (i) => { const [x, y] = centre(i); return `ST_DWITHIN(geo, 'POINT (${x} ${y})', 20000)`; } },
];

export default async function run(args: string[]): Promise<void> {
  const n = numberOption(args, 'n', 100_000), dim = numberOption(args, 'dim', 16), nq = numberOption(args, 'queries', 300), reps = numberOption(args, 'reps', 3);
  const ds = gaussianMixture({ n, dim, queries: nq, seed: 9 });
  const dir = await mkdtemp(join(tmpdir(), 'nuthatch-geometry-bench-'));
  const s = await startStandalone({ dataDir: dir, log: () => {}, coordinator: { compaction: { intervalMs: 0 } } });
  try {
    await s.client.createCollection({
      collectionName: C, metricType: ds.metric, load: true, shardsNum: 1,
      schema: { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim }, { name: 'geo', dataType: 'Geometry' }] },
      indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'HNSW', params: { M: 16, efConstruction: 100 } }],
    });
    for (let from = 0; from < n; from += 10_000) {
      const rows = [];
      for (let r = from; r < Math.min(n, from + 10_000); r++) rows.push({ id: r, vec: ds.vectors.subarray(r * dim, (r + 1) * dim), geo: geometryOf(r) });
      await s.client.insert(C, rows);
    }
    await s.client.flush(C);
    await waitUntil('the vector index built and loaded', () => indexesReady(s, C, n));
    const without: FilterFigures[] = [];
    for (const f of FILTERS) without.push(await measureFilter(s, C, K, ds.queries, n, f.of, reps));

    const t0 = performance.now();
    await s.client.createIndex(C, { indexName: 'geo_rtree', fieldName: 'geo', indexType: 'RTREE', params: {} });
    await waitUntil('the RTREE index built and loaded', async () => (await indexesReady(s, C, n)) && (await indexFilesServed(s, C)));
    const buildMs = performance.now() - t0;
    const withIndex: FilterFigures[] = [];
    for (const f of FILTERS) withIndex.push(await measureFilter(s, C, K, ds.queries, n, f.of, reps));

    const same = FILTERS.map((_, i) => without[i]!.answers.every((a, j) => a === withIndex[i]!.answers[j]));
    console.log(`\n${n} rows x ${dim} (${await sealedSegments(s, C)} sealed segment(s), HNSW M 16), single client, ${nq} queries per filter, median of ${reps} passes; RTREE built and loaded in ${(buildMs / 1000).toFixed(1)} s`);
    printTable(['filter', 'rows matched', 'count QPS without', 'with RTREE', 'x', 'search QPS without', 'with RTREE', 'x', 'same answers'], FILTERS.map((f, i) => {
      const a = without[i]!, b = withIndex[i]!;
      return [f.name, `${(a.share * 100).toFixed(3)}%`, a.countQps, b.countQps, (b.countQps / a.countQps).toFixed(2), a.searchQps, b.searchQps, (b.searchQps / a.searchQps).toFixed(2), same[i] ? 'yes' : 'NO'];
    }));
    if (same.includes(false)) throw new Error('a read answered differently with the RTREE index');
    const out = fileURLToPath(new URL('../../bench/results/', import.meta.url));
    mkdirSync(out, { recursive: true });
    const strip = ({ answers: _, ...rest }: FilterFigures) => rest;
    writeFileSync(`${out}geometryFilter.json`, `${JSON.stringify({
      n, dim, queries: nq, reps, buildMs, filters: FILTERS.map((f, i) => ({ name: f.name, example: f.of(0), without: strip(without[i]!), withIndex: strip(withIndex[i]!) })), date: new Date().toISOString(),
    }, null, 2)}\n`);
    console.log('wrote bench/results/geometryFilter.json');
  } finally { await s.stop().catch(() => {}); await rm(dir, { recursive: true, force: true }); }
}
