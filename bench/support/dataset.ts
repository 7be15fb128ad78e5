/**
 * Seeded synthetic vector data for search benchmarks and recall tests.
 * Uniform random vectors are a worst case for ANN recall (REFERENCE.md measured
 * 0.35 at ef=64), far from real embeddings, so we draw from a Gaussian mixture:
 * cluster centres ~ N(0, 1) per coordinate, points ~ centre + N(0, sigma^2).
 * Queries come from the same mixture but are fresh points, not copies of rows.
 */
import { searchBruteForce } from '../../actors/shared/vector/bruteForce.js';
import type { MetricType } from '../../messages/schema.js';
import { mulberry32 } from '../../runtime/vectorIndex/seededRandom.js';

/** The one seeded PRNG of tests and benchmarks (mulberry32). */
export { mulberry32 };

/** Standard normal draws from a uniform source (Box-Muller, both outputs used). */
export function gaussian(rand: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) { const s = spare; spare = undefined; return s; }
    const u = 1 - rand(), v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

export interface Dataset {
  /** A label that says how it was made, e.g. "gmm-100x1.5-seed1". */
  name: string;
  n: number;
  dim: number;
  metric: MetricType;
  /** n * dim floats, row r at [r * dim, (r + 1) * dim); the row number is the id. */
  vectors: Float32Array;
  queries: Float32Array[];
}

export interface MixtureOptions {
  n: number;
  dim: number;
  /** Number of clusters (default 100). */
  clusters?: number;
  /**
   * Per-coordinate spread around a centre (default 1.5; centres are N(0, 1), so
   * clusters overlap a little). Measured at 100k x 128, M=16, efConstruction=200:
   * recall@10 0.91 at ef=32, 0.978 at ef=64, 0.993 at ef=128 -- close to what
   * real embeddings give, so recall still moves with ef. Small sigmas (< 1) make
   * well-separated clusters on which every setting scores ~1.0.
   */
  sigma?: number;
  queries?: number;
  seed?: number;
  metric?: MetricType;
}

/** Draws a seeded Gaussian-mixture dataset and its queries. */
export function gaussianMixture(o: MixtureOptions): Dataset {
  const clusters = o.clusters ?? 100, sigma = o.sigma ?? 1.5, nq = o.queries ?? 1000, seed = o.seed ?? 1;
  const rand = mulberry32(seed), normal = gaussian(rand);
  const { n, dim } = o;
  const centres = new Float32Array(clusters * dim);
  for (let i = 0; i < centres.length; i++) centres[i] = normal();
  const point = (out: Float32Array, at: number): void => {
    const c = Math.floor(rand() * clusters) * dim;
    for (let j = 0; j < dim; j++) out[at + j] = centres[c + j]! + sigma * normal();
  };
  const vectors = new Float32Array(n * dim);
  for (let r = 0; r < n; r++) point(vectors, r * dim);
  const queries: Float32Array[] = [];
  for (let q = 0; q < nq; q++) { const v = new Float32Array(dim); point(v, 0); queries.push(v); }
  return { name: `gmm-${clusters}x${sigma}-seed${seed}`, n, dim, metric: o.metric ?? 'L2', vectors, queries };
}

/** Exact top-k row ids of every query (the brute-force kernel). */
export function groundTruth(ds: Dataset, k: number): number[][] {
  return searchBruteForce({ vectors: ds.vectors, dim: ds.dim, count: ds.n, metric: ds.metric, queries: ds.queries, k })
    .map((hits) => hits.map((h) => h.row));
}

/** Mean fraction of the true top-k found in each result's first k ids. */
export function recallAtK(results: ReadonlyArray<ReadonlyArray<number | string>>, truth: number[][], k: number): number {
  let found = 0, total = 0;
  for (let q = 0; q < truth.length; q++) {
    const want = new Set(truth[q]!.slice(0, k));
    for (const id of (results[q] ?? []).slice(0, k)) if (want.has(Number(id))) found++;
    total += want.size;
  }
  return total === 0 ? 1 : found / total;
}
