/**
 * Things the search benchmark can measure. Every target gets the same dataset
 * and queries and answers with row ids (the dataset's row number is the primary
 * key a target should insert under), so recall and QPS compare like for like.
 */
import hnswlib from 'hnswlib-node';
import { hnswIndexFactory } from '../../runtime/vectorIndex/hnswIndex.js';
import type { VectorIndex } from '../../runtime/vectorIndex/vectorIndex.js';
import type { Dataset } from './dataset.js';

export interface BuildParams { M: number; efConstruction: number }

export interface SearchTarget {
  name: string;
  /** Loads and indexes the dataset; the benchmark reports its duration as build time. */
  prepare(data: Dataset, build: BuildParams): Promise<void>;
  /** Top-k ids of one query, best first. */
  search(q: Float32Array, k: number, opts: { ef: number }): Promise<Array<number | string>>;
  close(): Promise<void>;
}

const SPACE = { L2: 'l2', IP: 'ip', COSINE: 'cosine', BM25: 'ip', HAMMING: 'l2', JACCARD: 'l2', MHJACCARD: 'l2' } as const;

/**
 * hnswlib-node used the way its README shows, with nothing of ours in the path:
 * the baseline. Queries are converted to plain arrays in prepare (outside the
 * timed loop), which is the most favourable way to call it.
 */
export function rawHnswTarget(): SearchTarget {
  let index: InstanceType<typeof hnswlib.HierarchicalNSW> | undefined;
  let asArrays = new WeakMap<Float32Array, number[]>();
  let ef = -1;
  return {
    name: 'raw-hnswlib',
    async prepare(ds, build) {
      index = new hnswlib.HierarchicalNSW(SPACE[ds.metric], ds.dim);
      index.initIndex({ maxElements: ds.n, m: build.M, efConstruction: build.efConstruction, randomSeed: 100 });
      for (let r = 0; r < ds.n; r++) index.addPoint(Array.from(ds.vectors.subarray(r * ds.dim, (r + 1) * ds.dim)), r);
      for (const q of ds.queries) asArrays.set(q, Array.from(q));
    },
    async search(q, k, opts) {
      if (opts.ef !== ef) { index!.setEf(opts.ef); ef = opts.ef; }
      return index!.searchKnn(asArrays.get(q) ?? Array.from(q), k).neighbors;
    },
    async close() { index = undefined; asArrays = new WeakMap(); },
  };
}

/**
 * Our VectorIndex port over hnswlib-node (runtime/vectorIndex/hnswIndex.ts):
 * chunked async build, Float32Array queries, Milvus distance convention. Its gap
 * to the raw target is the cost of the adapter alone.
 */
export function adapterTarget(): SearchTarget {
  let index: VectorIndex | undefined;
  return {
    name: 'vectorIndex-adapter',
    async prepare(ds, build) {
      index = await hnswIndexFactory.build(ds.vectors, ds.dim, ds.metric, { M: build.M, efConstruction: build.efConstruction });
    },
    async search(q, k, opts) {
      return index!.search(q, k, { ef: opts.ef }).map((h) => h.row);
    },
    async close() { index = undefined; },
  };
}
