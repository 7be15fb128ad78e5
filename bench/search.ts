/**
 * Search benchmark: build time, recall@10 and single-client QPS of each target
 * on a seeded Gaussian mixture (default 100k x 128, 100 clusters), against raw
 * hnswlib-node measured in the same run.
 *
 *   npm run bench -- search [--n 20000] [--ef 64,128] [--targets raw,adapter] [--queries 1000]
 *
 * Writes bench/results/search.json. `recallAt10`/`qps` are the compared target's
 * (`--compare`, default "nuthatch" when registered, else the last non-raw one),
 * `rawQps`/`rawRecallAt10` the baseline's, both at the first ef; `ratio` = qps / rawQps.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { percentiles } from './support/percentiles.js';
import { printTable } from './support/table.js';
import { gaussianMixture, groundTruth, recallAtK, type Dataset } from './support/dataset.js';
import { adapterTarget, rawHnswTarget, type BuildParams, type SearchTarget } from './support/searchTargets.js';
import { nuthatchTarget } from './support/nuthatchTarget.js';

export type { SearchTarget } from './support/searchTargets.js';

/** Targets by name. The full nuthatch path registers itself here as 'nuthatch'. */
export const searchTargets: Record<string, () => SearchTarget> = {
  raw: rawHnswTarget,
  adapter: adapterTarget,
  nuthatch: nuthatchTarget,
};

const K = 10;

interface Run { target: string; name: string; buildSeconds: number; ef: number; recallAt10: number; qps: number; p50Ms: number; p99Ms: number }

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1]! : fallback;
}

/** One timed pass over every query; returns the ids and per-query latencies. */
async function pass(t: SearchTarget, ds: Dataset, ef: number): Promise<{ ids: Array<Array<number | string>>; ms: number; lat: number[] }> {
  const ids: Array<Array<number | string>> = [], lat: number[] = [];
  const start = performance.now();
  for (const q of ds.queries) {
    const t0 = performance.now();
    ids.push(await t.search(q, K, { ef }));
    lat.push(performance.now() - t0);
  }
  return { ids, ms: performance.now() - start, lat };
}

/**
 * Builds every target, then times them in interleaved passes (a pass of each per
 * round) so that load from other processes on this shared machine hits all
 * targets alike; each figure is the target's median pass.
 */
async function measure(entries: Array<[string, SearchTarget]>, ds: Dataset, truth: number[][], build: BuildParams, efs: number[], reps: number): Promise<Run[]> {
  const buildSeconds = new Map<string, number>();
  const runs: Run[] = [];
  try {
    for (const [key, t] of entries) {
      const t0 = performance.now();
      await t.prepare(ds, build);
      buildSeconds.set(key, (performance.now() - t0) / 1000);
      console.log(`${t.name}: built in ${buildSeconds.get(key)!.toFixed(1)} s`);
    }
    for (const ef of efs) {
      for (const [, t] of entries) for (const q of ds.queries.slice(0, 200)) await t.search(q, K, { ef }); // warm-up
      const passes = new Map<string, Array<Awaited<ReturnType<typeof pass>>>>(entries.map(([key]) => [key, []]));
      for (let r = 0; r < reps; r++) for (const [key, t] of entries) passes.get(key)!.push(await pass(t, ds, ef));
      for (const [key, t] of entries) {
        const mid = passes.get(key)!.sort((a, b) => a.ms - b.ms)[reps >> 1]!;
        const [p50, p99] = percentiles(mid.lat, [50, 99]);
        const run: Run = {
          target: key, name: t.name, buildSeconds: buildSeconds.get(key)!, ef,
          recallAt10: recallAtK(mid.ids, truth, K), qps: (ds.queries.length / mid.ms) * 1000,
          p50Ms: p50!, p99Ms: p99!,
        };
        runs.push(run);
      }
    }
  } finally { for (const [, t] of entries) await t.close(); }
  return runs;
}

export default async function run(args: string[]): Promise<void> {
  const n = Number(option(args, 'n', '100000')), dim = Number(option(args, 'dim', '128'));
  const nq = Number(option(args, 'queries', '1000')), reps = Number(option(args, 'reps', '3'));
  const efs = option(args, 'ef', '64,128').split(',').map(Number);
  const build = { M: Number(option(args, 'M', '16')), efConstruction: Number(option(args, 'efc', '200')) };
  const keys = option(args, 'targets', ['raw', 'adapter', ...(searchTargets.nuthatch ? ['nuthatch'] : [])].join(',')).split(',');
  for (const k of keys) if (!searchTargets[k]) throw new Error(`unknown target '${k}' (known: ${Object.keys(searchTargets).join(', ')})`);

  const ds = gaussianMixture({ n, dim, queries: nq, seed: Number(option(args, 'seed', '1')), sigma: Number(option(args, 'sigma', '1.5')) });
  console.log(`dataset ${ds.name}: ${n} x ${dim}, ${nq} queries, M=${build.M} efConstruction=${build.efConstruction}`);
  const t0 = performance.now();
  const truth = groundTruth(ds, K);
  console.log(`ground truth (brute force kernel): ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const runs = await measure(keys.map((k) => [k, searchTargets[k]!()]), ds, truth, build, efs, reps);

  printTable(['target', 'ef', 'build s', 'recall@10', 'QPS', 'p50 ms', 'p99 ms'],
    runs.map((r) => [r.name, String(r.ef), r.buildSeconds, r.recallAt10.toFixed(4), r.qps, r.p50Ms.toFixed(3), r.p99Ms.toFixed(3)]));
  const at = (key: string) => runs.find((r) => r.target === key && r.ef === efs[0]);
  const compareKey = option(args, 'compare', keys.includes('nuthatch') ? 'nuthatch' : keys.filter((k) => k !== 'raw').at(-1) ?? 'raw');
  const raw = at('raw'), cmp = at(compareKey);
  const ratio = raw && cmp ? cmp.qps / raw.qps : null;
  if (ratio !== null) console.log(`${cmp!.name} / raw-hnswlib QPS at ef=${efs[0]}: ${ratio.toFixed(2)}x`);
  const report = {
    dataset: ds.name, n, dim, queries: nq, k: K, M: build.M, efConstruction: build.efConstruction, ef: efs[0], target: compareKey,
    recallAt10: cmp?.recallAt10 ?? null, qps: cmp?.qps ?? null, rawQps: raw?.qps ?? null, ratio, rawRecallAt10: raw?.recallAt10 ?? null,
    rawBuildSeconds: raw?.buildSeconds ?? null, buildSeconds: cmp?.buildSeconds ?? null, runs,
  };
  const dir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}search.json`, JSON.stringify(report, null, 2) + '\n');
  console.log(`wrote ${dir}search.json`);
}
