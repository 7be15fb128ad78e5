import { TopK } from '../../../actors/shared/vector/topK.js';
import { ValidationError } from '../../../messages/errors.js';
import type { MetricType } from '../../../messages/schema.js';
import type { DiskReads, SearchOptions, VectorIndex, WalkOptions } from '../vectorIndex.js';
import { wideningWalk } from '../indexWalk.js';
import type { CandidateWalk } from '../../../actors/shared/vector/iterativeFilter.js';
import { encodeDiskannFile, type DiskannParts } from './diskannFile.js';
import { exactDistance, graphDim, graphQuery } from './graphSpace.js';
import type { CachedNodes, NodeReads } from './nodeCache.js';
import { decodeVectors, recordLayout, type RecordLayout } from './nodeRecord.js';
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

/** A search's working memory: one record per beam slot, their vectors as float32, the query's PQ table. */
interface Scratch {
  records: Uint8Array;
  /** The slots' vectors: a view of `records` for float32 records, else widened into it (gdim floats a slot). */
  floats: Float32Array;
  ints: Int32Array;
  table: Float32Array;
}

type Hits = Array<{ row: number; distance: number }>;
/** One search's node reads (searchAsync): records its node cache answered, records read from the file. */
export interface ReadTally { cacheHits: number; fileReads: number }
/** A search as steps: each yields the rows whose records it reads next (into scratch slots 0, 1, ...), and returns its hits. */
type Steps = Generator<Int32Array, Hits, void>;

/**
 * A DISKANN index as a query node holds it: the PQ codes, the codebooks and
 * the entry point in memory, every row's full-precision vector (at the
 * field's own width: nodeRecord.ts) and neighbours in a NodeStore (a local
 * file once loaded, the records nearest the entry point cached in memory:
 * nodeCache.ts). A search is DiskANN's beam search: a candidate list of
 * `search_list` rows ordered by PQ distance, from the medoid; each step
 * reads the nearest `beamWidth` rows not yet read (Milvus's beamwidth_ratio
 * x CPUs), scores each exactly from its record and puts its neighbours on
 * the list by their PQ distance, until every row of the list was read.
 * The rows read are then ranked by their exact distances: PQ guides the
 * walk, the records re-rank it. Under a filter the walk goes through
 * refused rows and keeps the accepted ones, walking again with a longer
 * list when it found fewer than k; a filter few rows pass is a scan of
 * theirs (exact). The search is one sequence of steps (`steps`) with two
 * drivers: `search` reads a step's records one pread after another (the
 * synchronous VectorIndex port), `searchAsync` issues them together and
 * awaits them all, so a step costs one round trip whatever the width.
 */
export class DiskannIndex implements VectorIndex {
  readonly metric: MetricType;
  readonly dim: number;
  readonly count: number;
  private readonly layout: RecordLayout;
  // The synchronous search's scratch (a search runs to its end before another starts); searchAsync has its own each.
  private readonly scratch: Scratch;
  private readonly exact: (row: Float32Array, offset: number, q: Float32Array, dim: number) => number;

  constructor(readonly parts: DiskannParts, private readonly nodes: CachedNodes, readonly beamWidth: number) {
    ({ metric: this.metric, dim: this.dim, count: this.count } = parts);
    this.layout = recordLayout(graphDim(parts.dim, parts.metric), parts.maxDegree, parts.element ?? 'f32');
    this.scratch = this.newScratch();
    this.exact = exactDistance(parts.metric);
  }

  /** Bytes this index keeps in memory: codes, codebooks, scratch (and the records while they are not on disk). */
  get residentBytes(): number {
    const s = this.scratch, floats = s.floats.buffer === s.records.buffer ? 0 : s.floats.byteLength;
    return this.parts.codes.byteLength + this.parts.pq.centroids.byteLength + s.records.byteLength + floats + s.table.byteLength + this.nodes.residentBytes;
  }

  search(query: Float32Array, k: number, opts: SearchOptions = {}): Hits {
    const s = this.scratch, steps = this.steps(query, k, opts, s), size = this.layout.size;
    for (let step = steps.next(); ; step = steps.next()) {
      if (step.done) return step.value;
      const rows = step.value;
      for (let b = 0; b < rows.length; b++) this.nodes.read(rows[b]!, s.records, b * size);
    }
  }

  /**
   * The same search (the same steps: the same answer), each step's reads issued together (positioned
   * reads on the thread pool) and awaited all at once, so the thread is free while they run. `tally`
   * gets this search's own cache hits and file reads (searches running side by side share the index's
   * counters): each step's reads are counted as they are issued, synchronously.
   */
  async searchAsync(query: Float32Array, k: number, opts: SearchOptions = {}, tally?: ReadTally): Promise<Hits> {
    const s = this.newScratch(), steps = this.steps(query, k, opts, s), size = this.layout.size, st = this.nodes.stats;
    for (;;) {
      const hits = st.cacheHits, reads = st.fileReads;
      const step = steps.next();
      const pending = step.done ? [] : Array.from(step.value, (row, b) => this.nodes.readAsync(row, s.records, b * size));
      if (tally) { tally.cacheHits += st.cacheHits - hits; tally.fileReads += st.fileReads - reads; }
      if (step.done) return step.value;
      // Every read settled before a failure is thrown: the search's holder may close the file once it returns.
      const failed = (await Promise.allSettled(pending)).find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
  }

  /** Rounds of unfiltered searches, each of twice the rows of the one before (search raises search_list to them). */
  iterate(query: Float32Array, first: number, limit: number, opts: WalkOptions = {}): CandidateWalk {
    return wideningWalk(first, limit, (n) => ({ hits: this.search(query, n, opts), whole: n >= this.count }));
  }

  async serialize(): Promise<Uint8Array> { return encodeDiskannFile(this.parts, this.nodes.all()); }

  /** Reads so far: records cached, reads the cache answered, reads of the file (or the in-memory records of an index not loaded), search steps. */
  get reads(): Readonly<NodeReads> { return this.nodes.stats; }

  diskReads(): DiskReads {
    const { cachedNodes, cachedBytes, cacheHits, fileReads } = this.nodes.stats;
    return { cachedNodes, cachedBytes, cacheHits, fileReads };
  }

  /** Closes and removes its file (the query node calls it once no search holds the index); searches after it throw. */
  close(): void { this.nodes.close(); }

  private newScratch(): Scratch {
    const { size, gdim, element } = this.layout, width = this.beamWidth, records = new Uint8Array(size * width);
    const floats = element === 'f32' ? new Float32Array(records.buffer) : new Float32Array(gdim * width);
    return { records, floats, ints: new Int32Array(records.buffer), table: new Float32Array(this.parts.pq.m * this.parts.pq.ksub) };
  }

  /** Where slot b's vector starts in the scratch's floats. */
  private vectorAt(b: number): number {
    return this.layout.element === 'f32' ? b * (this.layout.size >> 2) : b * this.layout.gdim;
  }

  private *steps(query: Float32Array, k: number, opts: SearchOptions, s: Scratch): Steps {
    if (query.length !== this.dim) throw new ValidationError(`query has ${query.length} floats, the index has dim ${this.dim}`);
    const n = Math.min(k, this.count);
    if (!(n > 0)) return [];
    const q = graphQuery(query, this.metric);
    if (opts.accept && this.fewPass(opts.accept)) return yield* this.scan(q, n, opts.accept, s);
    pqTable(this.parts.pq, q, s.table);
    let list = Math.min(this.count, Math.max(opts.searchList ?? DEFAULT_SEARCH_LIST, n));
    for (;;) {
      const found = yield* this.walk(q, list, n, opts.accept, s);
      // A filter that refused most of what the walk read: walk again with a longer list (the caller brute-forces a tight filter).
      if (found.length >= n || list >= this.count) return found;
      list = Math.min(this.count, list * 2);
    }
  }

  /** Whether so few rows pass `accept` that scanning them beats a walk. */
  private fewPass(accept: (row: number) => boolean): boolean {
    if (this.count <= SAMPLE_ROWS) return true;
    let passed = 0;
    for (let i = 0; i < SAMPLE_ROWS; i++) if (accept(Math.floor((i * this.count) / SAMPLE_ROWS))) passed++;
    return passed < SAMPLE_ROWS * SCAN_BELOW_SHARE;
  }

  /** The exact best n of the rows `accept` lets through, read from their records a beam width at a time. */
  private *scan(q: Float32Array, n: number, accept: (row: number) => boolean, s: Scratch): Steps {
    const top = new TopK<{ id: number; distance: number }>(n, this.metric), batch = new Int32Array(this.beamWidth);
    for (let row = 0; row < this.count;) {
      let w = 0;
      for (; row < this.count && w < batch.length; row++) if (accept(row)) batch[w++] = row;
      if (w === 0) break;
      yield batch.subarray(0, w);
      decodeVectors(this.layout, this.metric, this.dim, s.records, w, s.floats);
      for (let b = 0; b < w; b++) {
        const d = this.exact(s.floats, this.vectorAt(b), q, this.dim);
        if (top.admits(d, batch[b]!)) top.push({ id: batch[b]!, distance: d });
      }
    }
    return top.sorted().map((h) => ({ row: h.id, distance: h.distance }));
  }

  /** The beam search with a list of `L`; the best n rows read that `accept` lets through, best first. */
  private *walk(q: Float32Array, L: number, n: number, accept: ((row: number) => boolean) | undefined, s: Scratch): Steps {
    const { codes, pq, medoid } = this.parts, { m, ksub } = pq, table = s.table;
    const ids = new Int32Array(L + 1), pqd = new Float64Array(L + 1), read = new Uint8Array(L + 1), seen = new Set<number>([medoid]);
    const top = new TopK<{ id: number; distance: number }>(n, this.metric);
    const { size, vectorBytes } = this.layout, dim = this.dim;
    ids[0] = medoid; pqd[0] = pqDistance(table, ksub, codes, medoid, m);
    let len = 1;
    const width = this.beamWidth, beam = new Int32Array(width);
    for (;;) {
      let w = 0;
      for (let i = 0; i < len && w < width; i++) if (!read[i]) { read[i] = 1; beam[w++] = ids[i]!; }
      if (w === 0) break;
      this.nodes.stats.rounds++;
      yield beam.subarray(0, w);
      decodeVectors(this.layout, this.metric, dim, s.records, w, s.floats);
      for (let b = 0; b < w; b++) {
        const row = beam[b]!, d = this.exact(s.floats, this.vectorAt(b), q, dim);
        if (top.admits(d, row) && (accept === undefined || accept(row))) top.push({ id: row, distance: d });
      }
      for (let b = 0; b < w; b++) {
        const at = (b * size + vectorBytes) >> 2, degree = s.ints[at]!;
        for (let i = 1; i <= degree; i++) {
          const u = s.ints[at + i]!;
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
