/**
 * What an NGRAM index buys a `like` filter: `name like "%abc%"` (infix),
 * `name like "abc%"` (prefix) and `name like "%abc"` (suffix) through the
 * full standalone path, query(count(*)) and a filtered top-10 search, first
 * without a scalar index (every row of every sealed segment is matched),
 * then with NGRAM (min_gram 2, max_gram 3) on `name` built and loaded (the
 * rows holding the pattern's grams are the candidates, the `like` is checked
 * on them). Same rows, segments and HNSW graph both times, so the answers
 * must be the same; the bench checks.
 *
 *   npm run bench -- ngramLike [--n 100000] [--dim 16] [--queries 300] [--reps 3]
 *
 * Writes bench/results/ngramLike.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStandalone, type Standalone } from '../runtime/standalone/standalone.js';
import { gaussianMixture } from './support/dataset.js';
import { measureFilter, type FilterFigures } from './support/filterFigures.js';
import { numberOption, waitUntil } from './support/options.js';
import { printTable } from './support/table.js';
import { indexesReady, indexFilesServed, sealedSegments } from './support/standaloneState.js';

const C = 'ng', K = 10;
const SYLLABLES = ['ka', 'to', 'mi', 're', 'su', 'no', 'ha', 'ri', 'ye', 'lo', 'pa', 'qu', 'zen', 'dor', 'vex', 'ul'];

/** A name of 3..6 syllables and a number, from the row's number (deterministic). */
function nameOf(r: number): string {
  let x = (r * 2654435761) >>> 0, s = '';
  const n = 3 + (x % 4);
  for (let i = 0; i < n; i++) { x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) >>> 0; s += SYLLABLES[x % SYLLABLES.length]; }
  return `${s} ${r % 997}`;
}

/** A 4-character piece of the query's row's name: infix, its first or last 4 for prefix and suffix. */
const piece = (i: number, at: 'in' | 'start' | 'end'): string => {
  const s = nameOf((i * 7919) % 50_000).split(' ')[0]!;
  return at === 'start' ? s.slice(0, 4) : at === 'end' ? s.slice(-4) : s.slice(2, 6);
};
const FILTERS: ReadonlyArray<{ name: string; of: (i: number) => string }> = [
  { name: 'name like "%abcd%"', of: (i) => `name like "%${piece(i, 'in')}%"` },
  { name: 'name like "abcd%"', of: (i) => `name like "${piece(i, 'start')}%"` },
  { name: 'name like "%abcd 1%"', of: (i) => `name like "%${piece(i, 'end')} ${i % 10}%"` },
];

export default async function run(args: string[]): Promise<void> {
  const n = numberOption(args, 'n', 100_000), dim = numberOption(args, 'dim', 16), nq = numberOption(args, 'queries', 300), reps = numberOption(args, 'reps', 3);
  const ds = gaussianMixture({ n, dim, queries: nq, seed: 9 });
  const dir = await mkdtemp(join(tmpdir(), 'nuthatch-ngram-bench-'));
  const s = await startStandalone({ dataDir: dir, log: () => {}, coordinator: { compaction: { intervalMs: 0 } } });
  try {
    await s.client.createCollection({
      collectionName: C, metricType: ds.metric, load: true, shardsNum: 1,
      schema: { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim }, { name: 'name', dataType: 'VarChar', maxLength: 64 }] },
      indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'HNSW', params: { M: 16, efConstruction: 100 } }],
    });
    for (let from = 0; from < n; from += 10_000) {
      const rows = [];
      for (let r = from; r < Math.min(n, from + 10_000); r++) rows.push({ id: r, vec: ds.vectors.subarray(r * dim, (r + 1) * dim), name: nameOf(r) });
      await s.client.insert(C, rows);
    }
    await s.client.flush(C);
    await waitUntil('the vector index built and loaded', () => indexesReady(s, C, n));
    const without: FilterFigures[] = [];
    for (const f of FILTERS) without.push(await measureFilter(s, C, K, ds.queries, n, f.of, reps));

    const t0 = performance.now();
    await s.client.createIndex(C, { indexName: 'name_ngram', fieldName: 'name', indexType: 'NGRAM', params: { min_gram: 2, max_gram: 3 } });
    await waitUntil('the NGRAM index built and loaded', async () => (await indexesReady(s, C, n)) && (await indexFilesServed(s, C)));
    const buildMs = performance.now() - t0;
    const withIndex: FilterFigures[] = [];
    for (const f of FILTERS) withIndex.push(await measureFilter(s, C, K, ds.queries, n, f.of, reps));

    const same = FILTERS.map((_, i) => without[i]!.answers.every((a, j) => a === withIndex[i]!.answers[j]));
    console.log(`\n${n} rows x ${dim} (${await sealedSegments(s, C)} sealed segment(s), HNSW M 16), single client, ${nq} queries per filter, median of ${reps} passes; NGRAM 2..3 built and loaded in ${(buildMs / 1000).toFixed(1)} s`);
    printTable(['filter', 'rows matched', 'count QPS without', 'with NGRAM', 'x', 'search QPS without', 'with NGRAM', 'x', 'same answers'], FILTERS.map((f, i) => {
      const a = without[i]!, b = withIndex[i]!;
      return [f.name, `${(a.share * 100).toFixed(3)}%`, a.countQps, b.countQps, (b.countQps / a.countQps).toFixed(2), a.searchQps, b.searchQps, (b.searchQps / a.searchQps).toFixed(2), same[i] ? 'yes' : 'NO'];
    }));
    if (same.includes(false)) throw new Error('a read answered differently with the NGRAM index');
    const out = fileURLToPath(new URL('../../bench/results/', import.meta.url));
    mkdirSync(out, { recursive: true });
    const strip = ({ answers: _, ...rest }: FilterFigures) => rest;
    writeFileSync(`${out}ngramLike.json`, `${JSON.stringify({
      n, dim, queries: nq, reps, buildMs, filters: FILTERS.map((f, i) => ({ name: f.name, example: f.of(0), without: strip(without[i]!), withIndex: strip(withIndex[i]!) })), date: new Date().toISOString(),
    }, null, 2)}\n`);
    console.log('wrote bench/results/ngramLike.json');
  } finally { await s.stop().catch(() => {}); await rm(dir, { recursive: true, force: true }); }
}
