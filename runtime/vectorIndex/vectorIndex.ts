import type { MetricType } from '../../messages/schema.js';

/**
 * The ANN index port. Query-nodes search sealed segments through it and the
 * index-node builds and serializes through it; hnswlib-node is one adapter.
 * Rows are the row numbers of the segment's columnar data (0 .. count-1), so
 * the caller maps rows to primary keys, TSOs and deletes itself.
 */
export interface VectorIndex {
  readonly metric: MetricType;
  readonly dim: number;
  readonly count: number;
  /**
   * Approximate top-k, best first, distances in the Milvus convention (squared L2
   * ascending; IP and COSINE similarity descending). `ef` is the candidate list
   * size (raised to k when smaller); rows refused by `accept` never appear, and
   * when it refuses most rows fewer than k may come back (graph search stops
   * exploring; a caller that needs exactly k under a tight filter brute-forces).
   */
  search(query: Float32Array, k: number, opts?: SearchOptions): Array<{ row: number; distance: number }>;
  /** Bytes that `VectorIndexFactory.load` turns back into an equal index. */
  serialize(): Promise<Uint8Array>;
}

export interface SearchOptions {
  ef?: number;
  accept?: (row: number) => boolean;
}

export interface IndexBuildParams {
  /** Graph degree (HNSW M, default 16). */
  M?: number;
  /** Candidate list size while building (default 200). */
  efConstruction?: number;
  /** Seed of the level generator: the same seed and data give the same graph. */
  seed?: number;
  /** Stops a long build between chunks; the build rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface VectorIndexFactory {
  /** Builds over `vectors` (count = vectors.length / dim). Yields to the event loop while it works. */
  build(vectors: Float32Array, dim: number, metric: MetricType, params?: IndexBuildParams): Promise<VectorIndex>;
  /** Loads serialized bytes; a dim or metric other than the one built with is a DecodeError. */
  load(bytes: Uint8Array, dim: number, metric: MetricType): Promise<VectorIndex>;
}
