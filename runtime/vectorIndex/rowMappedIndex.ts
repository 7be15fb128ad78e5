import { DecodeError } from '../../messages/errors.js';
import type { MetricType } from '../../messages/schema.js';
import { crc32 } from '../crc32.js';
import { sumDiskReads, type DiskReads, type HeldFile, type IndexBuildParams, type SearchOptions, type VectorIndex, type VectorIndexFactory, type WalkOptions } from './vectorIndex.js';
import type { CandidateWalk } from '../../actors/shared/vector/iterativeFilter.js';

/**
 * An index over some rows of a segment only: a nullable vector field's rows
 * that hold a vector (Milvus 2.6's nullable vectors: a null is never
 * indexed). The inner index (HNSW, IVF_*, any factory) is built over those
 * rows packed together and numbers them 0..m-1; this maps its rows back to
 * the segment's through `rows`, and a search's `accept` the other way. The
 * file is the row map before the inner index's file:
 *   magic "NHRM" | row count m | crc32(rows) | rows (m × i32) | inner file
 * A file without the magic is an inner file as before (every row indexed).
 */
const MAGIC = 0x4d52484e;
const HEADER_BYTES = 12;

/** A factory whose builds take `params.rows` (only those rows of `vectors` indexed), and whose loads read either kind of file. */
export function rowMapped(inner: VectorIndexFactory): VectorIndexFactory {
  return {
    // Packed bits are built whole (every row: a nullable field's go through build with rows).
    ...(inner.buildBits ? { buildBits: inner.buildBits.bind(inner) } : {}),
    async build(vectors: Float32Array, dim: number, metric: MetricType, params: IndexBuildParams = {}): Promise<VectorIndex> {
      const { rows, ...rest } = params;
      if (rows === undefined) return inner.build(vectors, dim, metric, rest);
      if (rows.length === 0) return new RowMappedIndex(null, rows, metric, dim);
      const packed = new Float32Array(rows.length * dim);
      for (let i = 0; i < rows.length; i++) packed.set(vectors.subarray(rows[i]! * dim, (rows[i]! + 1) * dim), i * dim);
      return new RowMappedIndex(await inner.build(packed, dim, metric, rest), rows, metric, dim);
    },
    async load(bytes: Uint8Array, dim: number, metric: MetricType, file?: HeldFile): Promise<VectorIndex> {
      if (bytes.length < 4 || new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true) !== MAGIC) return inner.load(bytes, dim, metric, file);
      if (bytes.length < HEADER_BYTES) throw new DecodeError(`row-mapped index file of ${bytes.length} bytes is shorter than its header`);
      const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const m = v.getUint32(4, true), end = HEADER_BYTES + m * 4;
      if (bytes.length < end) throw new DecodeError(`row-mapped index file holds fewer than its ${m} rows`);
      const rowBytes = bytes.slice(HEADER_BYTES, end);
      if (crc32(rowBytes) !== v.getUint32(8, true)) throw new DecodeError('row-mapped index file checksum mismatch');
      const rows = new Int32Array(rowBytes.buffer, 0, m);
      const index = m === 0 ? null : await inner.load(bytes.subarray(end), dim, metric, file && { fd: file.fd, offset: file.offset + end, retain: () => file.retain() });
      if (index && index.count !== m) throw new DecodeError(`row-mapped index maps ${m} rows, its index holds ${index.count}`);
      return new RowMappedIndex(index, rows, metric, dim);
    },
  };
}

/** The segment rows an index built with `params.rows` holds (ascending); undefined for an index over every row. */
export function mappedRows(index: VectorIndex): Int32Array | undefined {
  return index instanceof RowMappedIndex ? index.rows : undefined;
}

class RowMappedIndex implements VectorIndex {
  constructor(private readonly inner: VectorIndex | null, readonly rows: Int32Array, readonly metric: MetricType, readonly dim: number) {}

  get count(): number { return this.rows.length; }

  search(query: Float32Array, k: number, opts: SearchOptions = {}): Array<{ row: number; distance: number }> {
    if (this.inner === null) return [];
    const rows = this.rows, accept = opts.accept;
    const hits = this.inner.search(query, k, { ...opts, ...(accept ? { accept: (i: number) => accept(rows[i]!) } : {}) });
    return hits.map((h) => ({ row: rows[h.row]!, distance: h.distance }));
  }

  close(): void { this.inner?.close?.(); }

  diskReads(): DiskReads | undefined { return sumDiskReads([this.inner]); }

  iterate(query: Float32Array, first: number, limit: number, opts: WalkOptions = {}): CandidateWalk | undefined {
    if (this.inner === null) return () => [];
    const rows = this.rows, inner = this.inner.iterate?.(query, first, limit, opts);
    return inner && (() => inner().map((h) => ({ row: rows[h.row]!, distance: h.distance })));
  }

  /** The inner index's: its search asks `accept` of the rows it reaches, mapped one to one. */
  filtersLazily(opts: WalkOptions = {}): boolean {
    return this.inner?.filtersLazily?.(opts) ?? false;
  }

  async serialize(): Promise<Uint8Array> {
    const inner = this.inner ? await this.inner.serialize() : new Uint8Array(0);
    const rowBytes = new Uint8Array(this.rows.buffer, this.rows.byteOffset, this.rows.byteLength);
    const out = new Uint8Array(HEADER_BYTES + rowBytes.length + inner.length);
    const v = new DataView(out.buffer);
    v.setUint32(0, MAGIC, true); v.setUint32(4, this.rows.length, true); v.setUint32(8, crc32(rowBytes), true);
    out.set(rowBytes, HEADER_BYTES);
    out.set(inner, HEADER_BYTES + rowBytes.length);
    return out;
  }
}
