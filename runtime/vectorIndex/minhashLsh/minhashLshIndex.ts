import { TopK } from '../../../actors/shared/vector/topK.js';
import { packBits } from '../../../actors/shared/vector/bitDistance.js';
import { equalElements } from '../../../actors/shared/vector/minhashDistance.js';
import { ValidationError } from '../../../messages/errors.js';
import type { SearchOptions, VectorIndex } from '../vectorIndex.js';
import { bandKeys, type BandShape } from './lshBands.js';
import { encodeMinhashLshFile } from './minhashLshFile.js';

/**
 * One band's buckets: every row's key, sorted, with the rows in the same
 * order, so a bucket is a run found by binary search (no hash table to
 * rebuild on load; the file holds these arrays as they are).
 */
export interface BandTable { keys: Uint32Array; rows: Int32Array }

/**
 * MINHASH_LSH over one segment's MinHash signatures (BinaryVector rows). A
 * search takes the rows sharing a bucket with the query in any band as the
 * candidates; the others are never seen (recall follows 1 - (1 - s^r)^b,
 * lshBands.ts). Candidates are ranked, as Milvus documents:
 * - mh_search_with_jaccard false (default): by the share of the b bands
 *   whose buckets they share, a coarse estimate of similarity;
 * - mh_search_with_jaccard true: by exact MHJACCARD (the share of equal
 *   values) against the raw signatures the index keeps (with_raw_data);
 *   with refine_k, only the refine_k best by shared bands are re-scored
 *   (at least k).
 * Distances are similarities in [0, 1], larger first.
 */
export class MinhashLshIndex implements VectorIndex {
  readonly metric = 'MHJACCARD' as const;
  readonly count: number;
  /** Shared-band counts of the query being searched, and the rows they are non-zero for (JS is single-threaded: one scratch suffices). */
  private scratch: Uint16Array;
  constructor(readonly dim: number, readonly shape: BandShape, readonly tables: BandTable[], readonly raw: Uint8Array | null, count: number) {
    this.count = count;
    this.scratch = new Uint16Array(count);
  }

  /** Rows sharing a bucket with the signature in some band, in the order found, each with the number of bands it shares. */
  candidates(sig: Uint8Array): Array<{ row: number; bands: number }> {
    const { rows, shared } = this.gather(sig);
    const out = rows.map((row) => ({ row, bands: shared[row]! }));
    for (const row of rows) shared[row] = 0;
    return out;
  }

  /** The candidates' rows, their shared-band counts left in the scratch (the caller zeroes them). */
  private gather(sig: Uint8Array): { rows: number[]; shared: Uint16Array } {
    const keys = bandKeys(sig, this.shape), shared = this.scratch, rows: number[] = [];
    for (let j = 0; j < this.shape.bands; j++) {
      const t = this.tables[j]!, key = keys[j]!;
      for (let i = lowerBound(t.keys, key); i < t.keys.length && t.keys[i] === key; i++) {
        const row = t.rows[i]!;
        if (shared[row]++ === 0) rows.push(row);
      }
    }
    return { rows, shared };
  }

  search(query: Float32Array, k: number, opts: SearchOptions = {}): Array<{ row: number; distance: number }> {
    if (query.length !== this.dim) throw new ValidationError(`query has ${query.length} bits, the index has dim ${this.dim}`);
    const n = Math.min(k, this.count);
    if (!(n > 0)) return [];
    const sig = packBits(query), { rows, shared } = this.gather(sig);
    try {
      const { bands, elementBytes, rowBytes } = this.shape, accept = opts.accept;
      const byBands = (kk: number, from: number[]) => {
        const top = new TopK<Hit>(kk, 'MHJACCARD');
        for (const row of from) {
          const d = shared[row]! / bands;
          if (top.admits(d, row) && (accept === undefined || accept(row))) top.push({ id: row, distance: d });
        }
        return top.sorted();
      };
      if (!opts.mhSearchWithJaccard) return byBands(n, rows).map((h) => ({ row: h.id, distance: h.distance }));
      if (!this.raw) throw new ValidationError('mh_search_with_jaccard needs a MINHASH_LSH index built with with_raw_data true', { field: 'mh_search_with_jaccard' });
      // refine_k bounds the candidates re-scored, picked by shared bands; absent, every candidate is.
      const pool = opts.refineK === undefined ? rows : byBands(Math.max(n, Math.floor(opts.refineK)), rows).map((h) => h.id);
      const top = new TopK<Hit>(n, 'MHJACCARD'), elements = rowBytes / elementBytes, raw = this.raw;
      const checked = opts.refineK === undefined ? accept : undefined;
      for (const row of pool) {
        const d = equalElements(raw, row * rowBytes, sig, rowBytes, elementBytes) / elements;
        if (top.admits(d, row) && (checked === undefined || checked(row))) top.push({ id: row, distance: d });
      }
      return top.sorted().map((h) => ({ row: h.id, distance: h.distance }));
    } finally {
      for (const row of rows) shared[row] = 0;
    }
  }

  async serialize(): Promise<Uint8Array> { return encodeMinhashLshFile(this); }
}

interface Hit { id: number; distance: number }

/** The first position of `keys` (ascending) holding a key >= `key`. */
function lowerBound(keys: Uint32Array, key: number): number {
  let lo = 0, hi = keys.length;
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (keys[mid]! < key) lo = mid + 1; else hi = mid; }
  return lo;
}
