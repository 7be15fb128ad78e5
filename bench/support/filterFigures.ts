import type { Standalone } from '../../runtime/standalone/standalone.js';
import { percentiles } from './percentiles.js';

/**
 * What the filter benches (ngramLike, geometryFilter, ...) measure of one
 * filter: a filtered top-k search and a filtered count(*) per query, single
 * client, Bounded consistency; the answers kept so the run with an index can
 * be checked equal to the run without.
 */
export interface FilterFigures { searchQps: number; countQps: number; countP50Ms: number; share: number; answers: string[] }

/** `reps` passes after a warm-up; the figures of the median pass (by count time). */
export async function measureFilter(s: Standalone, collection: string, k: number, queries: Float32Array[], n: number, of: (i: number) => string, reps: number): Promise<FilterFigures> {
  const search = async (i: number) => (await s.client.search(collection, { data: [queries[i]!], limit: k, filter: of(i), consistencyLevel: 'Bounded' }))[0]!.map((h) => h.id).join(',');
  const count = async (i: number) => Number((await s.client.query(collection, { filter: of(i), outputFields: ['count(*)'], consistencyLevel: 'Bounded' }))[0]!['count(*)']);
  for (let i = 0; i < Math.min(30, queries.length); i++) { await search(i); await count(i); } // warm-up
  const passes = [];
  for (let r = 0; r < reps; r++) {
    const answers: string[] = [], counts: number[] = [];
    let t0 = performance.now();
    for (let i = 0; i < queries.length; i++) answers.push(await search(i));
    const searchMs = performance.now() - t0;
    let matched = 0;
    t0 = performance.now();
    for (let i = 0; i < queries.length; i++) { const a = performance.now(), c = await count(i); counts.push(performance.now() - a); matched += c; answers.push(`#${c}`); }
    passes.push({ searchMs, countMs: performance.now() - t0, counts, answers, matched });
  }
  const mid = passes.sort((a, b) => a.countMs - b.countMs)[reps >> 1]!;
  return { searchQps: (queries.length / mid.searchMs) * 1000, countQps: (queries.length / mid.countMs) * 1000, countP50Ms: percentiles(mid.counts, [50])[0]!, share: mid.matched / queries.length / n, answers: mid.answers };
}
