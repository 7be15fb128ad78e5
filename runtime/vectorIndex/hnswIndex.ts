import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { crc32 } from '../crc32.js';
import { higherIsBetter } from '../../actors/shared/vector/distance.js';
import { BuildPacer } from './buildPacer.js';
import { DecodeError, ValidationError } from '../../messages/errors.js';
import type { MetricType } from '../../messages/schema.js';
import type { IndexBuildParams, SearchOptions, VectorIndex, VectorIndexFactory, WalkOptions } from './vectorIndex.js';
import { wideningWalk } from './indexWalk.js';
import type { CandidateWalk } from '../../actors/shared/vector/iterativeFilter.js';

type Native = InstanceType<typeof hnswlib.HierarchicalNSW>;

/** ef used when a search names none (Milvus makes callers pass one; 64 gives ~0.97 recall@10 on clustered data). */
export const DEFAULT_EF = 64;

/** Our wrapper around hnswlib's file: magic "NHHW" | version | metric | dim | count | crc32(payload). */
const MAGIC = 0x5748484e;
const VERSION = 1;
const HEADER_BYTES = 24;
// BM25, HAMMING, JACCARD and MHJACCARD are never an HNSW index's metric (normaliseIndex refuses them); their codes only complete the map.
const METRIC_CODE: Record<MetricType, number> = { L2: 0, IP: 1, COSINE: 2, BM25: 3, HAMMING: 4, JACCARD: 5, MHJACCARD: 6 };
/** hnswlib's 'ip' and 'cosine' spaces return 1 - similarity; 'cosine' also normalises on add and search. */
const SPACE = { L2: 'l2', IP: 'ip', COSINE: 'cosine', BM25: 'ip', HAMMING: 'l2', JACCARD: 'l2', MHJACCARD: 'l2' } as const;

/** An HNSW graph (hnswlib-node) over one segment's vectors; labels are row numbers. */
export class HnswIndex implements VectorIndex {
  private ef = -1;
  /** hnswlib-node takes plain arrays only; one reused array avoids an allocation per query. */
  private readonly scratch: number[];

  constructor(private readonly native: Native, readonly metric: MetricType, readonly dim: number, readonly count: number) {
    this.scratch = new Array<number>(dim).fill(0);
  }

  search(query: Float32Array, k: number, opts: SearchOptions = {}): Array<{ row: number; distance: number }> {
    if (query.length !== this.dim) throw new ValidationError(`query has ${query.length} floats, the index has dim ${this.dim}`);
    const n = Math.min(k, this.count);
    if (!(n > 0)) return [];
    const ef = Math.max(opts.ef ?? DEFAULT_EF, n);
    if (ef !== this.ef) { this.native.setEf(ef); this.ef = ef; }
    const q = this.scratch;
    for (let i = 0; i < this.dim; i++) q[i] = query[i]!;
    const res = opts.accept ? this.native.searchKnn(q, n, opts.accept) : this.native.searchKnn(q, n);
    const flip = higherIsBetter(this.metric);
    const out = new Array<{ row: number; distance: number }>(res.neighbors.length);
    for (let i = 0; i < out.length; i++) {
      out[i] = { row: res.neighbors[i]!, distance: flip ? 1 - res.distances[i]! : res.distances[i]! };
    }
    return out;
  }

  /**
   * Rounds of unfiltered searches, each of twice the rows of the one before
   * (search raises ef to them). The first asks at least 2 x ef rows: a
   * filtered search keeps ef passing candidates, so it explores about as deep
   * as this when half the rows pass. Iterative filtering takes the rounds
   * when a filter passes half the rows near the query or very few of them,
   * and the lazy filtered search in between (iterativeSegment.ts).
   */
  iterate(query: Float32Array, first: number, limit: number, opts: WalkOptions = {}): CandidateWalk {
    return wideningWalk(Math.max(first, 2 * (opts.ef ?? 0)), limit, (n) => ({ hits: this.search(query, n, opts), whole: n >= this.count }));
  }

  /**
   * hnswlib asks the filter only of the nodes its base-layer search admits as
   * candidates (closer than its ef-th passing one, or while it holds fewer),
   * each once per query (its visited list); the upper layers never ask it.
   */
  filtersLazily(): boolean {
    return true;
  }

  async serialize(): Promise<Uint8Array> {
    const payload = await withTempFile(async (file) => {
      await this.native.writeIndex(file);
      return readFile(file);
    });
    const out = new Uint8Array(HEADER_BYTES + payload.length);
    const v = new DataView(out.buffer);
    v.setUint32(0, MAGIC, true); v.setUint32(4, VERSION, true); v.setUint32(8, METRIC_CODE[this.metric], true);
    v.setUint32(12, this.dim, true); v.setUint32(16, this.count, true); v.setUint32(20, crc32(payload), true);
    out.set(payload, HEADER_BYTES);
    return out;
  }
}

/** Builds and loads HnswIndex; the factory the index-node and query-nodes use by default. */
export const hnswIndexFactory: VectorIndexFactory = {
  async build(vectors: Float32Array, dim: number, metric: MetricType, params: IndexBuildParams = {}): Promise<VectorIndex> {
    if (!Number.isInteger(dim) || dim < 1 || vectors.length % dim !== 0) throw new ValidationError(`${vectors.length} floats are not rows of dim ${dim}`);
    const count = vectors.length / dim;
    const native = new hnswlib.HierarchicalNSW(SPACE[metric], dim);
    native.initIndex({ maxElements: Math.max(1, count), m: params.M ?? 16, efConstruction: params.efConstruction ?? 200, randomSeed: params.seed ?? 100 });
    const p = new Array<number>(dim).fill(0);
    const pacer = new BuildPacer(params.signal);
    for (let r = 0, off = 0; r < count; r++, off += dim) {
      for (let j = 0; j < dim; j++) p[j] = vectors[off + j]!;
      native.addPoint(p, r);
      // One addPoint takes ~1 ms at 100k x 128: yield often enough that the process keeps answering.
      if ((r & 7) === 7 && pacer.due) await pacer.pause();
    }
    pacer.check();
    return new HnswIndex(native, metric, dim, count);
  },

  async load(bytes: Uint8Array, dim: number, metric: MetricType): Promise<VectorIndex> {
    if (bytes.length < HEADER_BYTES) throw new DecodeError(`index file of ${bytes.length} bytes is shorter than its header`);
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (v.getUint32(0, true) !== MAGIC) throw new DecodeError('not an HNSW index file (bad magic)');
    if (v.getUint32(4, true) !== VERSION) throw new DecodeError(`unsupported HNSW index file version ${v.getUint32(4, true)}`);
    if (v.getUint32(8, true) !== METRIC_CODE[metric]) throw new DecodeError(`index was built for another metric than ${metric}`);
    if (v.getUint32(12, true) !== dim) throw new DecodeError(`index was built for dim ${v.getUint32(12, true)}, expected ${dim}`);
    const count = v.getUint32(16, true);
    const payload = bytes.subarray(HEADER_BYTES);
    // A damaged file must never reach hnswlib's reader, which trusts its input.
    if (crc32(payload) !== v.getUint32(20, true)) throw new DecodeError('HNSW index file checksum mismatch');
    const native = new hnswlib.HierarchicalNSW(SPACE[metric], dim);
    await withTempFile(async (file) => {
      await writeFile(file, payload);
      await native.readIndex(file);
    });
    if (native.getCurrentCount() !== count) throw new DecodeError(`index holds ${native.getCurrentCount()} rows, header says ${count}`);
    return new HnswIndex(native, metric, dim, count);
  },
};

/** hnswlib reads and writes only files: stage bytes in a private temp directory. */
async function withTempFile<T>(fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'nuthatch-hnsw-'));
  try { return await fn(join(dir, 'index.bin')); } finally { await rm(dir, { recursive: true, force: true }); }
}
