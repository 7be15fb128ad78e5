import { ValidationError } from '../../messages/errors.js';
import type { MetricType } from '../../messages/schema.js';
import type { CandidateWalk } from '../../actors/shared/vector/iterativeFilter.js';

/**
 * The ANN index port. Query-nodes search sealed segments through it and the
 * index-node builds and serializes through it. Adapters: HNSW (hnswlib-node,
 * hnswIndex.ts), IVF_FLAT, IVF_SQ8, IVF_RABITQ, IVF_PQ and SCANN (pure TypeScript, ivf/),
 * DISKANN (pure TypeScript, diskann/: its records on the node's local disk).
 * Rows are the row numbers of the segment's columnar data (0 .. count-1), so
 * the caller maps rows to primary keys, TSOs and deletes itself.
 */
export interface VectorIndex {
  readonly metric: MetricType;
  readonly dim: number;
  readonly count: number;
  /**
   * Approximate top-k, best first, distances in the Milvus convention (squared L2
   * ascending; IP and COSINE similarity descending). Rows refused by `accept`
   * never appear, and when it refuses most rows fewer than k may come back (a
   * graph walk stops exploring, an IVF search sees only the probed lists; a
   * caller that needs exactly k under a tight filter brute-forces).
   */
  search(query: Float32Array, k: number, opts?: SearchOptions): Array<{ row: number; distance: number }>;
  /** Bytes that `VectorIndexFactory.load` turns back into an equal index. */
  serialize(): Promise<Uint8Array>;
  /**
   * A keyed index's (partition key isolation, keyedIndex.ts) rows holding
   * this key value, ascending; null when none does. Absent: not keyed.
   */
  keyRows?(key: number | string): Int32Array | null;
  /**
   * Lets go of what the index holds outside the process's heap (DISKANN: its
   * local file), once its holder knows no search will use it again (the
   * query node's release). Absent: nothing to let go of but memory.
   */
  close?(): void;
  /**
   * Iterative filtering's walk (actors/shared/vector/iterativeFilter.ts): this
   * index's rows nearest `query`, unfiltered, batch after batch (the first
   * about `first` rows), at most about `limit` rows in all. Undefined, or
   * absent: this index is not walked and a search filters as usual.
   */
  iterate?(query: Float32Array, first: number, limit: number, opts?: WalkOptions): CandidateWalk | undefined;
  /**
   * DISKANN's node reads so far and its node cache's size (a keyed or
   * row-mapped index: its sub-indexes' summed). Absent, or undefined: the
   * index reads nothing from disk.
   */
  diskReads?(): DiskReads | undefined;
  /**
   * True when `search` with these knobs asks `accept` only of the rows its
   * search reaches, each at most once per query (a graph search: HNSW), so
   * iterative filtering runs one filtered search, the filter evaluated as the
   * search meets rows, rather than walking the index in unfiltered rounds.
   * Absent or false: `accept` may be asked of rows the search never ranks.
   */
  filtersLazily?(opts?: WalkOptions): boolean;
}

/** What a disk index read: the query node exports it (query-node/shell/queryNodeMetrics.ts). */
export interface DiskReads {
  /** Node records its cache holds, and their bytes. */
  cachedNodes: number;
  cachedBytes: number;
  /** Record reads the cache answered. */
  cacheHits: number;
  /** Record reads that went to its local file (or, for an index not loaded, its in-memory records). */
  fileReads: number;
}

/** The sum of some indexes' disk reads (those that have any); undefined when none has. */
export function sumDiskReads(indexes: Iterable<VectorIndex | null | undefined>): DiskReads | undefined {
  let out: DiskReads | undefined;
  for (const index of indexes) {
    const r = index?.diskReads?.();
    if (!r) continue;
    out ??= { cachedNodes: 0, cachedBytes: 0, cacheHits: 0, fileReads: 0 };
    out.cachedNodes += r.cachedNodes; out.cachedBytes += r.cachedBytes; out.cacheHits += r.cacheHits; out.fileReads += r.fileReads;
  }
  return out;
}

/** A walk's knobs: a search's, without a filter (the walk's caller asks it of each row met). */
export type WalkOptions = Omit<SearchOptions, 'accept'>;

export interface SearchOptions {
  /** HNSW's candidate list size (raised to k when smaller); other indexes ignore it. */
  ef?: number;
  /** IVF: lists scanned (clamped to 1..nlist, default 8); other indexes ignore it. */
  nprobe?: number;
  /** IVF_RABITQ: bits the rotated query is rounded to (0: none, 1..8); other indexes ignore it. */
  rbqQueryBits?: number;
  /** IVF_RABITQ with refine: candidates re-scored per result asked, a factor >= 1 (default 1); other indexes ignore it. */
  refineK?: number;
  /** SCANN with raw data: candidates re-ranked by their exact distance (raised to k; default k). */
  reorderK?: number;
  /** MINHASH_LSH: re-score bucket candidates by exact MHJACCARD (default false: ranked by colliding bands); other indexes ignore it. */
  mhSearchWithJaccard?: boolean;
  /** DISKANN: the search's candidate list (Milvus's search_list, default 16, raised to k when smaller); other indexes ignore it. */
  searchList?: number;
  accept?: (row: number) => boolean;
  /** A keyed index (partition key isolation) searches this key value's sub-index alone; other indexes ignore it. */
  partitionKey?: number | string;
}

export interface IndexBuildParams {
  /** Graph degree (HNSW M, default 16). */
  M?: number;
  /** Candidate list size while building (default 200). */
  efConstruction?: number;
  /** IVF lists (default 128; a small segment gets one per 39 rows, ivf/ivfFactory.ts). */
  nlist?: number;
  /** IVF_RABITQ: the refine copy's type (SQ6, SQ8, FP16, BF16, FP32; absent: no refine copy). */
  refineType?: string;
  /** IVF_PQ: sub-quantizers (must divide dim; required). */
  pqM?: number;
  /** IVF_PQ: bits per sub-quantizer code (1..16, default 8). */
  pqNbits?: number;
  /** MINHASH_LSH: the MinHash value width in bits (8, 16, 32, 64; default 32). */
  mhElementBitWidth?: number;
  /** MINHASH_LSH: bands a signature is cut into (must divide its values; default 1). */
  mhLshBand?: number;
  /** MINHASH_LSH: keep the signatures in the index file for exact re-scoring; SCANN: keep the vectors to re-rank (default true for both). */
  withRawData?: boolean;
  /** DISKANN: the Vamana graph's degree bound (Milvus's max_degree, 1..512, default 56). */
  maxDegree?: number;
  /** DISKANN: the candidate list while building (Milvus's search_list_size, default 100). */
  searchListSize?: number;
  /** DISKANN: PQ code bytes per row relative to its raw float bytes (Milvus's pq_code_budget_gb_ratio, (0, 0.25], default 0.125). */
  pqCodeBudgetGbRatio?: number;
  /** DISKANN: the node cache a query node fills on load, relative to the rows' float32 bytes (Milvus's search_cache_budget_gb_ratio, [0, 0.3), default 0.1). */
  searchCacheBudgetGbRatio?: number;
  /** DISKANN: records read per search step relative to the query node's CPUs (Milvus's beamwidth_ratio, [1, 128], default 4; the width is capped at 16). */
  beamwidthRatio?: number;
  /** The field's vector type: DISKANN keeps a Float16Vector's or BFloat16Vector's records at 16 bits a value (others ignore it; absent: FloatVector). */
  vectorType?: string;
  /** Seed of HNSW's level generator or of IVF's k-means: the same seed and data give the same index. */
  seed?: number;
  /** Only these rows of the vectors (ascending) are indexed, by their row numbers: a nullable field's non-null rows (rowMappedIndex.ts). */
  rows?: Int32Array;
  /** One index per group of rows, each found by its partition key value (keyedIndex.ts); every group's rows ascending, and within `rows` when both are given. */
  groups?: ReadonlyArray<{ key: number | string; rows: Int32Array }>;
  /** Stops a long build between chunks; the build rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface VectorIndexFactory {
  /** Builds over `vectors` (count = vectors.length / dim). Yields to the event loop while it works. */
  build(vectors: Float32Array, dim: number, metric: MetricType, params?: IndexBuildParams): Promise<VectorIndex>;
  /**
   * Builds over a binary field's packed bits (dim/8 bytes a row), never
   * widened to floats; a factory without it is given the widened bits.
   */
  buildBits?(bits: Uint8Array, dim: number, metric: MetricType, params?: IndexBuildParams): Promise<VectorIndex>;
  /**
   * Loads serialized bytes; a dim or metric other than the one built with is a DecodeError.
   * `file`: a local file holding these very bytes (the tiered storage disk tier's), which an
   * index that reads from disk (DISKANN) may read in place instead of writing a copy; it
   * retains the file then, and lets it go on close. Others ignore it.
   */
  load(bytes: Uint8Array, dim: number, metric: MetricType, file?: HeldFile): Promise<VectorIndex>;
}

/**
 * A local file, open for reading, whose bytes from `offset` on are an index
 * file's (the tiered storage disk tier's file: its own header, then the
 * object's bytes). `retain` keeps it open (and its disk tier entry out of
 * eviction) until the function it returns is called; its owner lets it go
 * once every retainer has.
 */
export interface HeldFile {
  readonly fd: number;
  readonly offset: number;
  retain(): () => void;
}

/** Factories by the index type normaliseIndex names (HNSW, IVF_FLAT, IVF_SQ8). */
export type VectorIndexFactories = Readonly<Record<string, VectorIndexFactory>>;

/** The factory of an index type, or a ValidationError naming the types there are. */
export function factoryOf(factories: VectorIndexFactories, indexType: string): VectorIndexFactory {
  const f = factories[indexType];
  if (!f) throw new ValidationError(`no vector index of type '${indexType}' (${Object.keys(factories).join(', ')})`);
  return f;
}
