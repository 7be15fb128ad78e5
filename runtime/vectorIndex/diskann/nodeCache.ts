import type { NodeStore } from './nodeStore.js';

/**
 * DiskANN's search cache (Milvus's search_cache_budget_gb_ratio): the node
 * records nearest the entry point, found by a breadth-first walk of the
 * graph from the medoid, held in memory so the first steps of every search
 * (which all start there) read no file. The budget is Milvus's: the ratio
 * times the rows' float32 bytes (count x dim x 4), in whole records.
 */

/** How many records a budget of `ratio` x the rows' float32 bytes holds (at most every row). */
export function cachedNodeCount(count: number, dim: number, recordBytes: number, ratio: number): number {
  if (!(ratio > 0) || count === 0) return 0;
  return Math.min(count, Math.floor((ratio * count * dim * 4) / recordBytes));
}

/**
 * The first `limit` rows of a breadth-first walk from `medoid`, reading each
 * row's neighbours from its record (vector of `vectorBytes` | i32 degree |
 * i32[] neighbours, nodeRecord.ts) in `nodes`. Rows the walk cannot reach are left out.
 */
export function bfsRows(nodes: Uint8Array, recordBytes: number, vectorBytes: number, medoid: number, limit: number): Int32Array {
  const count = nodes.length / recordBytes;
  if (limit <= 0 || count === 0) return new Int32Array(0);
  // A DataView: the records may sit at any offset of a keyed or row-mapped index's file.
  const v = new DataView(nodes.buffer, nodes.byteOffset, nodes.byteLength);
  const order = new Int32Array(Math.min(limit, count)), seen = new Uint8Array(count);
  order[0] = medoid; seen[medoid] = 1;
  let len = 1;
  for (let head = 0; head < len && len < order.length; head++) {
    const at = order[head]! * recordBytes + vectorBytes, degree = v.getInt32(at, true);
    for (let i = 1; i <= degree && len < order.length; i++) {
      const u = v.getInt32(at + 4 * i, true);
      if (!seen[u]) { seen[u] = 1; order[len++] = u; }
    }
  }
  return order.subarray(0, len);
}

/** What a NodeStore under a cache did: records answered from memory, records read from the store beneath. */
export interface NodeReads {
  /** Records the cache holds, and their bytes. */
  cachedNodes: number;
  cachedBytes: number;
  /** Reads the cache answered. */
  cacheHits: number;
  /** Reads that went to the store beneath (a file's positioned reads once loaded). */
  fileReads: number;
  /** Search steps (each reads up to the beam width's records). */
  rounds: number;
}

/** A NodeStore with some rows' records copied into memory; counts hits and reads beneath. */
export class CachedNodes implements NodeStore {
  private readonly slot: Int32Array;
  private readonly records: Uint8Array;
  readonly stats: NodeReads;

  /** `rows` (distinct) are cached, their records copied from `nodes` (every record, as the file holds them). */
  constructor(private readonly inner: NodeStore, private readonly size: number, count: number, rows: Int32Array, nodes: Uint8Array) {
    this.slot = new Int32Array(rows.length > 0 ? count : 0).fill(-1);
    this.records = new Uint8Array(rows.length * size);
    rows.forEach((r, i) => { this.slot[r] = i; this.records.set(nodes.subarray(r * size, (r + 1) * size), i * size); });
    this.stats = { cachedNodes: rows.length, cachedBytes: this.records.byteLength, cacheHits: 0, fileReads: 0, rounds: 0 };
  }

  get residentBytes(): number { return this.records.byteLength + this.slot.byteLength + this.inner.residentBytes; }

  read(row: number, into: Uint8Array, at: number): void {
    if (!this.fromCache(row, into, at)) this.inner.read(row, into, at);
  }

  readAsync(row: number, into: Uint8Array, at: number): Promise<void> {
    return this.fromCache(row, into, at) ? Promise.resolve() : this.inner.readAsync(row, into, at);
  }

  /** Copies a cached record and counts the hit; else counts a read beneath (the caller's to make). */
  private fromCache(row: number, into: Uint8Array, at: number): boolean {
    const s = this.slot.length > 0 ? this.slot[row]! : -1;
    if (s >= 0) { this.stats.cacheHits++; into.set(this.records.subarray(s * this.size, (s + 1) * this.size), at); return true; }
    this.stats.fileReads++;
    return false;
  }

  all(): Uint8Array { return this.inner.all(); }

  close(): void { this.inner.close(); }
}
