import { TopK } from '../../../actors/shared/vector/topK.js';
import { ValidationError } from '../../../messages/errors.js';
import type { MetricType } from '../../../messages/schema.js';
import type { SearchOptions, VectorIndex, WalkOptions } from '../vectorIndex.js';
import { wideningWalk } from '../indexWalk.js';
import type { CandidateWalk } from '../../../actors/shared/vector/iterativeFilter.js';
import { encodeDiskannFile, recordBytes, type DiskannParts } from './diskannFile.js';
import { exactDistance, graphDim, graphQuery } from './graphSpace.js';
import type { CachedNodes, NodeReads } from './nodeCache.js';
import { pqDistance, pqTable } from './productQuantizer.js';

/** Milvus's default search_list: the candidate list of a search that names none (raised to k when smaller). */
export const DEFAULT_SEARCH_LIST = 16;
/** Milvus's MaxBeamWidth: the beam width beamwidth_ratio x CPUs is capped at. */
export const MAX_BEAM_WIDTH = 16;

/** Milvus's beam width: beamwidth_ratio x the CPUs, at least 1 and at most MAX_BEAM_WIDTH. */
export function beamWidthOf(beamwidthRatio: number, cpus: number): number {
  return Math.max(1, Math.min(MAX_BEAM_WIDTH, Math.floor(beamwidthRatio * cpus)));
}
/**
 * Below this share of rows passing a search's filter (judged on an even
 * sample of SAMPLE_ROWS), the passing rows' records are scanned instead of
 * the graph walked: exact, and cheaper than a walk that reads many refused
 * rows to find a few (Knowhere's DiskANN falls back to brute force so).
 */
const SCAN_BELOW_SHARE = 0.05;
const SAMPLE_ROWS = 256;

/**
 * A DISKANN index as a query node holds it: the PQ codes, the codebooks and
 * the entry point in memory, every row's full-precision vector and
 * neighbours in a NodeStore (a local file once loaded, the records nearest
 * the entry point cached in memory: nodeCache.ts). A search is
 * DiskANN's beam search: a candidate list of `search_list` rows ordered by
 * PQ distance, from the medoid; each step reads the nearest `beamWidth` rows
 * not yet read (Milvus's beamwidth_ratio x CPUs, one pread after another:
 * the width shapes the walk, it does not make reads concurrent), scores each exactly from its record and puts its neighbours
 * on the list by their PQ distance, until every row of the list was read.
 * The rows read are then ranked by their exact distances: PQ guides the
 * walk, the records re-rank it. Under a filter the walk goes through
 * refused rows and keeps the accepted ones, walking again with a longer
 * list when it found fewer than k; a filter few rows pass is a scan of
 * theirs (exact).
 */
export class DiskannIndex implements VectorIndex {
  readonly metric: MetricType;
  readonly dim: number;
  readonly count: number;
  private readonly gdim: number;
  private readonly size: number;
  // One record per beam slot; the same views read them (a search runs to its end before another starts).
  private readonly scratch: Uint8Array;
  private readonly floats: Float32Array;
  private readonly ints: Int32Array;
  private readonly table: Float32Array;
  private readonly exact: (row: Float32Array, offset: number, q: Float32Array, dim: number) => number;

  constructor(readonly parts: DiskannParts, private readonly nodes: CachedNodes, readonly beamWidth: number) {
    ({ metric: this.metric, dim: this.dim, count: this.count } = parts);
    this.gdim = graphDim(parts.dim, parts.metric);
    this.size = recordBytes(this.gdim, parts.maxDegree);
    this.scratch = new Uint8Array(this.size * beamWidth);
    this.floats = new Float32Array(this.scratch.buffer);
    this.ints = new Int32Array(this.scratch.buffer);
    this.table = new Float32Array(parts.pq.m * parts.pq.ksub);
    this.exact = exactDistance(parts.metric);
  }

  /** Bytes this index keeps in memory: codes, codebooks, scratch (and the records while they are not on disk). */
  get residentBytes(): number {
    return this.parts.codes.byteLength + this.parts.pq.centroids.byteLength + this.scratch.byteLength + this.table.byteLength + this.nodes.residentBytes;
  }

  search(query: Float32Array, k: number, opts: SearchOptions = {}): Array<{ row: number; distance: number }> {
    if (query.length !== this.dim) throw new ValidationError(`query has ${query.length} floats, the index has dim ${this.dim}`);
    const n = Math.min(k, this.count);
    if (!(n > 0)) return [];
    const q = graphQuery(query, this.metric);
    if (opts.accept && this.fewPass(opts.accept)) return this.scan(q, n, opts.accept);
    pqTable(this.parts.pq, q, this.table);
    let list = Math.min(this.count, Math.max(opts.searchList ?? DEFAULT_SEARCH_LIST, n));
    for (;;) {
      const found = this.walk(q, list, n, opts.accept);
      // A filter that refused most of what the walk read: walk again with a longer list (the caller brute-forces a tight filter).
      if (found.length >= n || list >= this.count) return found;
      list = Math.min(this.count, list * 2);
    }
  }

  /** Rounds of unfiltered searches, each of twice the rows of the one before (search raises search_list to them). */
  iterate(query: Float32Array, first: number, limit: number, opts: WalkOptions = {}): CandidateWalk {
    return wideningWalk(first, limit, (n) => ({ hits: this.search(query, n, opts), whole: n >= this.count }));
  }

  async serialize(): Promise<Uint8Array> { return encodeDiskannFile(this.parts, this.nodes.all()); }

  /** Reads so far: records cached, reads the cache answered, reads of the file (or the in-memory records of an index not loaded), search steps. */
  get reads(): Readonly<NodeReads> { return this.nodes.stats; }

  /** Closes and removes its file (the query node calls it once no search holds the index); searches after it throw. */
  close(): void { this.nodes.close(); }

  /** Whether so few rows pass `accept` that scanning them beats a walk. */
  private fewPass(accept: (row: number) => boolean): boolean {
    if (this.count <= SAMPLE_ROWS) return true;
    let passed = 0;
    for (let i = 0; i < SAMPLE_ROWS; i++) if (accept(Math.floor((i * this.count) / SAMPLE_ROWS))) passed++;
    return passed < SAMPLE_ROWS * SCAN_BELOW_SHARE;
  }

  /** The exact best n of the rows `accept` lets through, each read from its record. */
  private scan(q: Float32Array, n: number, accept: (row: number) => boolean): Array<{ row: number; distance: number }> {
    const top = new TopK<{ id: number; distance: number }>(n, this.metric);
    for (let row = 0; row < this.count; row++) {
      if (!accept(row)) continue;
      this.nodes.read(row, this.scratch, 0);
      const d = this.exact(this.floats, 0, q, this.dim);
      if (top.admits(d, row)) top.push({ id: row, distance: d });
    }
    return top.sorted().map((h) => ({ row: h.id, distance: h.distance }));
  }

  /** The beam search with a list of `L`; the best n rows read that `accept` lets through, best first. */
  private walk(q: Float32Array, L: number, n: number, accept: ((row: number) => boolean) | undefined): Array<{ row: number; distance: number }> {
    const { codes, pq, medoid } = this.parts, { m, ksub } = pq, table = this.table;
    const ids = new Int32Array(L + 1), pqd = new Float64Array(L + 1), read = new Uint8Array(L + 1), seen = new Set<number>([medoid]);
    const top = new TopK<{ id: number; distance: number }>(n, this.metric);
    const recordFloats = this.size >> 2, dim = this.dim, gdim = this.gdim;
    ids[0] = medoid; pqd[0] = pqDistance(table, ksub, codes, medoid, m);
    let len = 1;
    const width = this.beamWidth, beam = new Int32Array(width);
    for (;;) {
      let w = 0;
      for (let i = 0; i < len && w < width; i++) if (!read[i]) { read[i] = 1; beam[w++] = ids[i]!; }
      if (w === 0) break;
      this.nodes.stats.rounds++;
      for (let b = 0; b < w; b++) {
        const row = beam[b]!;
        this.nodes.read(row, this.scratch, b * this.size);
        const d = this.exact(this.floats, b * recordFloats, q, dim);
        if (top.admits(d, row) && (accept === undefined || accept(row))) top.push({ id: row, distance: d });
      }
      for (let b = 0; b < w; b++) {
        const at = b * recordFloats + gdim, degree = this.ints[at]!;
        for (let i = 1; i <= degree; i++) {
          const u = this.ints[at + i]!;
          if (seen.has(u)) continue;
          seen.add(u);
          const d = pqDistance(table, ksub, codes, u, m);
          if (len === L && d >= pqd[L - 1]!) continue;
          let j = len < L ? len++ : L - 1;
          while (j > 0 && pqd[j - 1]! > d) { ids[j] = ids[j - 1]!; pqd[j] = pqd[j - 1]!; read[j] = read[j - 1]!; j--; }
          ids[j] = u; pqd[j] = d; read[j] = 0;
        }
      }
    }
    return top.sorted().map((h) => ({ row: h.id, distance: h.distance }));
  }
}
