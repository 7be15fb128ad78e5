import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { l2Squared } from '../../actors/shared/vector/distance.js';
import { ValidationError } from '../../messages/errors.js';
import { gaussian, mulberry32 } from '../../bench/support/dataset.js';
import { kmeans, nearestCentroid, squaredNorms } from '../../runtime/vectorIndex/ivf/kmeans.js';

const DIM = 16, CLUSTERS = 8, PER = 400;

/** CLUSTERS tight blobs (sigma 0.05) around centres far apart (coordinates in -10..10); row r is in blob r % CLUSTERS. */
function blobs(seed: number): { vectors: Float32Array; centres: Float32Array } {
  const rand = mulberry32(seed), normal = gaussian(rand);
  const centres = new Float32Array(CLUSTERS * DIM).map(() => rand() * 20 - 10);
  const vectors = new Float32Array(CLUSTERS * PER * DIM);
  for (let r = 0; r < CLUSTERS * PER; r++) {
    const c = r % CLUSTERS;
    for (let j = 0; j < DIM; j++) vectors[r * DIM + j] = centres[c * DIM + j]! + 0.05 * normal();
  }
  return { vectors, centres };
}

function assignments(vectors: Float32Array, centroids: Float32Array): Int32Array {
  const norms = squaredNorms(centroids, DIM, new Float32Array(centroids.length / DIM));
  return Int32Array.from({ length: vectors.length / DIM }, (_, r) => nearestCentroid(centroids, norms, DIM, vectors.subarray(r * DIM, (r + 1) * DIM)));
}

test('k-means finds well-separated clusters: one centroid per blob, at its centre, and stops once assignments settle', async () => {
  const { vectors, centres } = blobs(1);
  const { centroids, iterations } = await kmeans(vectors, DIM, { k: CLUSTERS, iterations: 25, seed: 3 });
  assert.ok(iterations < 25, `ran all ${iterations} iterations`);
  const assign = assignments(vectors, centroids);
  const blobOf = new Map<number, number>();
  for (let r = 0; r < assign.length; r++) {
    const seen = blobOf.get(assign[r]!);
    assert.ok(seen === undefined || seen === r % CLUSTERS, `centroid ${assign[r]} holds rows of two blobs`);
    blobOf.set(assign[r]!, r % CLUSTERS);
  }
  assert.is(blobOf.size, CLUSTERS);
  for (const [c, blob] of blobOf) assert.ok(l2Squared(centroids, c * DIM, centres.subarray(blob * DIM, (blob + 1) * DIM), DIM) < 0.01, `centroid ${c} is off its blob's centre`);
});

test('k-means trains on a sample when asked for few points per centroid, and still finds the blobs', async () => {
  const { vectors } = blobs(2);
  const { centroids } = await kmeans(vectors, DIM, { k: CLUSTERS, maxPointsPerCentroid: 20, seed: 5 });
  const assign = assignments(vectors, centroids);
  for (let r = CLUSTERS; r < assign.length; r++) assert.is(assign[r], assign[r % CLUSTERS], `row ${r}`);
  assert.is(new Set(assign).size, CLUSTERS);
});

test('more centroids than blobs: every centroid is a real point mean (no NaN), the same seed the same result', async () => {
  const { vectors } = blobs(3);
  const a = await kmeans(vectors, DIM, { k: 3 * CLUSTERS, seed: 7 });
  const b = await kmeans(vectors, DIM, { k: 3 * CLUSTERS, seed: 7 });
  assert.ok(a.centroids.every(Number.isFinite));
  assert.equal(a.centroids, b.centroids);
});

test('k must be in 1..points', async () => {
  const { vectors } = blobs(4);
  for (const k of [0, CLUSTERS * PER + 1, 2.5]) {
    try { await kmeans(vectors, DIM, { k }); assert.unreachable(`k ${k} accepted`); } catch (e) { assert.instance(e, ValidationError); }
  }
});

test.run();
