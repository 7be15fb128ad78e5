import { packBits } from '../../../actors/shared/vector/bitDistance.js';
import { distanceFn, higherIsBetter, innerProduct, l2Squared } from '../../../actors/shared/vector/distance.js';
import { TopK } from '../../../actors/shared/vector/topK.js';
import { unitVector } from '../../../actors/shared/vector/unitVectors.js';
import { bitScorer } from '../../../actors/shared/vector/vectorBlock.js';
import { ValidationError } from '../../../messages/errors.js';
import type { MetricType } from '../../../messages/schema.js';
import type { SearchOptions, VectorIndex, WalkOptions } from '../vectorIndex.js';
import { wideningWalk } from '../indexWalk.js';
import type { CandidateWalk } from '../../../actors/shared/vector/iterativeFilter.js';
import type { InvertedLists } from './invertedLists.js';
import { encodeIvfFile } from './ivfFile.js';
import { codeTable, tableDistance, type ScalarQuantizer8 } from './scalarQuantizer8.js';
import { codeDot, queryTable, rotate } from './rabitq.js';
import type { RabitqStore } from './rabitqStore.js';
import { searchPq } from './pqSearch.js';
import { isPqStore, type PqStore } from './pqStore.js';
import { refinedVector } from './refineStore.js';

/** Lists a search probes when it names no nprobe (Milvus's default). */
export const DEFAULT_NPROBE = 8;
/** IVF_RABITQ with refine: candidates re-scored per result asked, when a search names no refine_k (Milvus's default). */
export const DEFAULT_REFINE_K = 1;

/**
 * What an IVF index keeps of each position's vector: the float32 values
 * (IVF_FLAT, exact distances), 8-bit codes (IVF_SQ8, distances on the
 * decoded values) or a binary field's packed bits (BIN_IVF_FLAT, dim/8 bytes
 * a row, HAMMING or JACCARD by popcount). For COSINE the first two hold the
 * rows scaled to unit length. IVF_RABITQ keeps 1-bit codes (rabitqStore.ts),
 * IVF_PQ and SCANN product-quantization codes of residuals (pqStore.ts).
 */
export type IvfStore =
  | { kind: 'IVF_FLAT'; vectors: Float32Array }
  | { kind: 'IVF_SQ8'; quantizer: ScalarQuantizer8; codes: Uint8Array }
  | { kind: 'BIN_IVF_FLAT'; bits: Uint8Array }
  | RabitqStore
  | PqStore;

/**
 * An inverted-file index over one segment's vectors: a search ranks the nlist
 * centroids against the query, scans the `nprobe` best lists, and keeps the
 * best k rows `accept` lets through. Rows outside the probed lists are never
 * seen, so recall grows with nprobe; with IVF_FLAT, nprobe = nlist is an
 * exact search.
 * COSINE is an inner product over unit vectors.
 */
export class IvfIndex implements VectorIndex {
  readonly count: number;
  constructor(readonly metric: MetricType, readonly dim: number, readonly lists: InvertedLists, readonly store: IvfStore) {
    this.count = lists.rows.length;
  }

  search(query: Float32Array, k: number, opts: SearchOptions = {}): Array<{ row: number; distance: number }> {
    if (query.length !== this.dim) throw new ValidationError(`query has ${query.length} floats, the index has dim ${this.dim}`);
    const n = Math.min(k, this.count);
    if (!(n > 0)) return [];
    const q = this.metric === 'COSINE' ? unitVector(query) : query;
    if (this.store.kind === 'IVF_RABITQ') return this.searchRabitq(this.store, q, n, opts);
    if (isPqStore(this.store)) return searchPq(this.metric, this.lists, this.store, q, n, this.probes(q, opts.nprobe ?? DEFAULT_NPROBE), opts);
    const top = new TopK<Hit>(n, this.metric);
    const scan = this.scanner(q);
    for (const l of this.probes(q, opts.nprobe ?? DEFAULT_NPROBE)) scan(this.lists.offsets[l]!, this.lists.offsets[l + 1]!, top, opts.accept);
    return top.sorted().map((h) => ({ row: h.id, distance: h.distance }));
  }

  /**
   * Rounds of unfiltered searches, each probing twice the lists and asking
   * twice the rows of the one before (from the search's nprobe), until every
   * list is probed: a filter refusing most of the probed lists' rows makes
   * the walk reach further lists, where a filtered search returns fewer than k.
   */
  iterate(query: Float32Array, first: number, limit: number, opts: WalkOptions = {}): CandidateWalk {
    const nlist = this.lists.nlist, p0 = Math.max(1, Math.floor(opts.nprobe ?? DEFAULT_NPROBE));
    return wideningWalk(first, limit, (n, round) => {
      const nprobe = Math.min(nlist, p0 * 2 ** round);
      return { hits: this.search(query, n, { ...opts, nprobe }), whole: nprobe >= nlist && n >= this.count };
    });
  }

  async serialize(): Promise<Uint8Array> { return encodeIvfFile(this); }

  /**
   * IVF_RABITQ: rows of the probed lists ranked by their 1-bit estimates
   * (rabitq.ts); with a refine copy, the best k x refine_k of them ranked
   * again by their distance to that copy, and the best n of those returned.
   */
  private searchRabitq(store: RabitqStore, q: Float32Array, n: number, opts: SearchOptions): Array<{ row: number; distance: number }> {
    const { dim, metric } = this, rows = this.lists.rows, { codes, terms } = store, bytes = store.rotation.D >> 3;
    const t = queryTable(rotate(store.rotation, q, 0, dim, new Float32Array(store.rotation.D)), opts.rbqQueryBits ?? 0);
    const wanted = store.refine ? Math.min(this.count, Math.ceil(n * Math.max(1, opts.refineK ?? DEFAULT_REFINE_K))) : n;
    const top = new TopK<Hit & { p: number }>(wanted, metric);
    const l2 = !higherIsBetter(metric), accept = opts.accept;
    for (const l of this.probes(q, opts.nprobe ?? DEFAULT_NPROBE)) {
      // L2: |q - c|^2; IP and COSINE: <c, q>.
      const listTerm = l2 ? l2Squared(this.lists.centroids, l * dim, q, dim) : innerProduct(this.lists.centroids, l * dim, q, dim);
      for (let p = this.lists.offsets[l]!, end = this.lists.offsets[l + 1]!; p < end; p++) {
        const dot = codeDot(t, codes, p * bytes, bytes), scale = terms[3 * p]!;
        const d = l2 ? terms[3 * p + 1]! + listTerm - 2 * scale * (dot - terms[3 * p + 2]!) : listTerm + scale * dot;
        const row = rows[p]!;
        if (top.admits(d, row) && (accept === undefined || accept(row))) top.push({ id: row, distance: d, p });
      }
    }
    const found = top.sorted();
    if (!store.refine) return found.map((h) => ({ row: h.id, distance: h.distance }));
    const kernel = metric === 'COSINE' ? innerProduct : distanceFn(metric), v = new Float32Array(dim), best = new TopK<Hit>(n, metric);
    for (const h of found) {
      const d = kernel(refinedVector(store.refine, h.p, dim, v), 0, q, dim);
      if (best.admits(d, h.id)) best.push({ id: h.id, distance: d });
    }
    return best.sorted().map((h) => ({ row: h.id, distance: h.distance }));
  }

  /** The `nprobe` lists (clamped to 1..nlist) whose centroids are nearest to q, nearest first. */
  private probes(q: Float32Array, nprobe: number): number[] {
    const { nlist, centroids } = this.lists, dim = this.dim;
    const want = Math.min(nlist, Math.max(1, Number.isFinite(nprobe) ? Math.floor(nprobe) : DEFAULT_NPROBE));
    // Lists were made by k-means under L2, which is also how bits (HAMMING, JACCARD) are grouped.
    const score = higherIsBetter(this.metric) ? innerProduct : l2Squared;
    const top = new TopK<Hit>(want, this.metric);
    for (let l = 0; l < nlist; l++) {
      if (this.lists.offsets[l + 1] === this.lists.offsets[l]) continue;
      const d = score(centroids, l * dim, q, dim);
      if (top.admits(d, l)) top.push({ id: l, distance: d });
    }
    return top.sorted().map((h) => h.id);
  }

  /**
   * Offers the rows at positions [from, end) to `top`, with their distance
   * to q in the Milvus convention of the metric. A row is refused on its
   * distance before `accept` is asked: accept may be a costly delete or
   * filter lookup. One loop per store keeps each loop's reads monomorphic.
   */
  private scanner(q: Float32Array): (from: number, end: number, top: TopK<Hit>, accept: ((row: number) => boolean) | undefined) => void {
    const { dim, store } = this, rows = this.lists.rows;
    if (store.kind === 'IVF_RABITQ' || isPqStore(store)) throw new Error(`${store.kind} is searched by its own ranking`);
    if (store.kind === 'BIN_IVF_FLAT') {
      // Positions are rows of the bits block; the query's bits (0 and 1 floats) are packed once.
      const score = bitScorer(store.bits, dim / 8, this.metric, packBits(q));
      return (from, end, top, accept) => {
        for (let p = from; p < end; p++) {
          const row = rows[p]!, d = score(p);
          if (top.admits(d, row) && (accept === undefined || accept(row))) top.push({ id: row, distance: d });
        }
      };
    }
    if (store.kind === 'IVF_SQ8') {
      const table = codeTable(store.quantizer, q, higherIsBetter(this.metric) ? 'IP' : 'L2'), codes = store.codes;
      return (from, end, top, accept) => {
        for (let p = from; p < end; p++) {
          const row = rows[p]!, d = tableDistance(table, codes, p * dim, dim);
          if (top.admits(d, row) && (accept === undefined || accept(row))) top.push({ id: row, distance: d });
        }
      };
    }
    // COSINE rows and queries are unit vectors here: their inner product is the cosine.
    const kernel = this.metric === 'COSINE' ? innerProduct : distanceFn(this.metric), vectors = store.vectors;
    return (from, end, top, accept) => {
      for (let p = from; p < end; p++) {
        const row = rows[p]!, d = kernel(vectors, p * dim, q, dim);
        if (top.admits(d, row) && (accept === undefined || accept(row))) top.push({ id: row, distance: d });
      }
    };
  }
}

interface Hit { id: number; distance: number }
