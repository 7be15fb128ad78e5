import { innerProduct, l2Squared } from '../../../actors/shared/vector/distance.js';
import { ValidationError } from '../../../messages/errors.js';
import type { BuildPacer } from '../buildPacer.js';
import { mulberry32 } from '../seededRandom.js';

/**
 * k-means under L2, the way Faiss's `Clustering` trains an IVF coarse
 * quantizer: train on a seeded sample of at most 256 points per centroid,
 * seed with k-means++, run a bounded number of Lloyd iterations, and when a
 * cluster goes empty split a large one in two. Stops early once no point
 * changes cluster. The caller normalises first for COSINE.
 */
export interface KMeansOptions {
  k: number;
  /** Lloyd iterations at most (default 10, as Faiss trains IVF). */
  iterations?: number;
  seed?: number;
  /** The training sample holds at most k x this many points (default 256, Faiss's). */
  maxPointsPerCentroid?: number;
  pacer?: BuildPacer;
}

export interface KMeansResult {
  /** k x dim floats, centroid c at [c * dim, (c + 1) * dim). */
  centroids: Float32Array;
  /** Lloyd iterations run (fewer than asked when assignments settled). */
  iterations: number;
}

/** Relative nudge that tells apart the two halves of a split cluster (Faiss's EPS). */
const SPLIT_EPS = 1 / 1024;

export async function kmeans(vectors: Float32Array, dim: number, o: KMeansOptions): Promise<KMeansResult> {
  const n = vectors.length / dim, { k } = o;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new ValidationError(`k-means needs 1 <= k <= points, got k ${k} over ${n} points`);
  const rand = mulberry32(o.seed ?? 1);
  const sample = sampleRows(vectors, dim, Math.min(n, k * (o.maxPointsPerCentroid ?? 256)), rand);
  const m = sample.length / dim;
  const centroids = await kmeansPlusPlus(sample, dim, k, rand, o.pacer);
  const assign = new Int32Array(m).fill(-1);
  const norms = new Float32Array(k);
  let it = 0;
  while (it < (o.iterations ?? 10)) {
    it++;
    squaredNorms(centroids, dim, norms);
    let changed = 0;
    for (let i = 0; i < m; i++) {
      const c = nearestCentroid(centroids, norms, dim, sample.subarray(i * dim, (i + 1) * dim));
      if (c !== assign[i]) { assign[i] = c; changed++; }
      if ((i & 63) === 63 && o.pacer?.due) await o.pacer.pause();
    }
    const sizes = meanOfClusters(sample, dim, assign, centroids);
    splitEmptyClusters(centroids, dim, sizes, m, rand);
    if (changed === 0) break;
  }
  return { centroids, iterations: it };
}

/**
 * The centroid nearest to x under L2, given each centroid's squared norm:
 * argmin ||c||^2 - 2 x.c, the same order as ||x - c||^2 at one dot product
 * per centroid. Ties go to the lower centroid.
 */
export function nearestCentroid(centroids: Float32Array, norms: Float32Array, dim: number, x: Float32Array): number {
  let best = 0, bestScore = Infinity;
  for (let c = 0, off = 0; c < norms.length; c++, off += dim) {
    const score = norms[c]! - 2 * innerProduct(centroids, off, x, dim);
    if (score < bestScore) { bestScore = score; best = c; }
  }
  return best;
}

/** Fills `out` with the squared norm of each of the vectors. */
export function squaredNorms(vectors: Float32Array, dim: number, out: Float32Array): Float32Array {
  for (let c = 0, off = 0; c < out.length; c++, off += dim) out[c] = innerProduct(vectors, off, vectors.subarray(off, off + dim), dim);
  return out;
}

/** `size` distinct rows drawn without replacement (all rows, in order, when size is n). */
function sampleRows(vectors: Float32Array, dim: number, size: number, rand: () => number): Float32Array {
  const n = vectors.length / dim;
  if (size >= n) return vectors;
  const picks = new Int32Array(n);
  for (let i = 0; i < n; i++) picks[i] = i;
  const out = new Float32Array(size * dim);
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(rand() * (n - i));
    const row = picks[j]!; picks[j] = picks[i]!; picks[i] = row;
    out.set(vectors.subarray(row * dim, (row + 1) * dim), i * dim);
  }
  return out;
}

/**
 * k-means++ seeding: each next centroid is a point drawn with probability
 * proportional to its squared distance to the nearest one chosen so far
 * (uniformly once every point sits on a centroid). One pass per centroid,
 * as costly as one Lloyd iteration in all.
 */
async function kmeansPlusPlus(points: Float32Array, dim: number, k: number, rand: () => number, pacer?: BuildPacer): Promise<Float32Array> {
  const m = points.length / dim;
  const centroids = new Float32Array(k * dim);
  const nearest = new Float64Array(m).fill(Infinity);
  let pick = Math.floor(rand() * m);
  for (let c = 0; c < k; c++) {
    centroids.set(points.subarray(pick * dim, (pick + 1) * dim), c * dim);
    const chosen = centroids.subarray(c * dim, (c + 1) * dim);
    let total = 0;
    for (let i = 0; i < m; i++) {
      const d = l2Squared(points, i * dim, chosen, dim);
      if (d < nearest[i]!) nearest[i] = d;
      total += nearest[i]!;
      if ((i & 255) === 255 && pacer?.due) await pacer.pause();
    }
    pick = total > 0 ? drawByWeight(nearest, total, rand) : Math.floor(rand() * m);
  }
  return centroids;
}

function drawByWeight(weights: Float64Array, total: number, rand: () => number): number {
  let r = rand() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i]!;
    if (r < 0 && weights[i]! > 0) return i;
  }
  // Rounding left r a hair above zero: the last point with weight.
  for (let i = weights.length - 1; i >= 0; i--) if (weights[i]! > 0) return i;
  return 0;
}

/** Moves each centroid to the mean of its points (an empty one stays); returns the cluster sizes. */
function meanOfClusters(points: Float32Array, dim: number, assign: Int32Array, centroids: Float32Array): Int32Array {
  const k = centroids.length / dim;
  const sums = new Float64Array(k * dim), sizes = new Int32Array(k);
  for (let i = 0; i < assign.length; i++) {
    const c = assign[i]!, from = i * dim, to = c * dim;
    sizes[c]!++;
    for (let j = 0; j < dim; j++) sums[to + j]! += points[from + j]!;
  }
  for (let c = 0; c < k; c++) {
    if (sizes[c] === 0) continue;
    for (let j = 0; j < dim; j++) centroids[c * dim + j] = sums[c * dim + j]! / sizes[c]!;
  }
  return sizes;
}

/**
 * Faiss's `split_clusters`: an empty cluster takes a copy of a cluster drawn
 * with probability growing with its size, and the two copies are nudged apart
 * so the next assignment shares that cluster's points between them.
 */
function splitEmptyClusters(centroids: Float32Array, dim: number, sizes: Int32Array, points: number, rand: () => number): void {
  const k = sizes.length;
  for (let empty = 0; empty < k; empty++) {
    if (sizes[empty] !== 0) continue;
    let big = 0;
    for (;; big = (big + 1) % k) if (sizes[big]! > 1 && rand() < (sizes[big]! - 1) / Math.max(1, points - k)) break;
    for (let j = 0; j < dim; j++) {
      const v = centroids[big * dim + j]!, up = j % 2 === 0;
      centroids[empty * dim + j] = v * (up ? 1 + SPLIT_EPS : 1 - SPLIT_EPS);
      centroids[big * dim + j] = v * (up ? 1 - SPLIT_EPS : 1 + SPLIT_EPS);
    }
    sizes[empty] = sizes[big]! >> 1;
    sizes[big]! -= sizes[empty]!;
  }
}
