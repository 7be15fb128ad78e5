import { DecodeError } from '../../messages/errors.js';
import type { MetricType } from '../../messages/schema.js';
import { higherIsBetter } from '../../actors/shared/vector/distance.js';
import { crc32 } from '../crc32.js';
import { mappedRows } from './rowMappedIndex.js';
import { sumDiskReads, type DiskReads, type HeldFile, type IndexBuildParams, type SearchOptions, type VectorIndex, type VectorIndexFactory, type WalkOptions } from './vectorIndex.js';
import type { CandidateWalk } from '../../actors/shared/vector/iterativeFilter.js';

/**
 * A segment's vector index under partition key isolation (Milvus's
 * `partitionkey.isolation`): one sub-index per partition key value the
 * segment holds, each over that value's rows only (a row-mapped index of
 * the inner type, rowMappedIndex.ts). A search that names its key value
 * walks that sub-index alone, instead of a graph shared by every tenant
 * under a filter refusing nearly all of it. The file:
 *   magic "NHKI" | header length h | crc32(header) | header (JSON: keys, byte length of each sub-index file) | sub-index files
 * A file without the magic is the inner factory's (an index over the segment as one).
 */
const MAGIC = 0x494b484e;
const PREFIX_BYTES = 12;

type Key = number | string;
interface Part { key: Key; index: VectorIndex; rows: Int32Array }

/** Map key of a key value: an Int64 key and a VarChar key never meet in one field, but `1` and `'1'` stay apart anyway. */
const tag = (k: Key): string => (typeof k === 'number' ? `n${k}` : `s${k}`);

/** A factory whose builds take `params.groups` (one sub-index per key value), and whose loads read either kind of file. */
export function keyed(inner: VectorIndexFactory): VectorIndexFactory {
  return {
    ...(inner.buildBits ? { buildBits: inner.buildBits.bind(inner) } : {}),
    async build(vectors: Float32Array, dim: number, metric: MetricType, params: IndexBuildParams = {}): Promise<VectorIndex> {
      const { groups, ...rest } = params;
      if (groups === undefined) return inner.build(vectors, dim, metric, rest);
      const parts: Part[] = [];
      // One after another: each sub-build yields to the event loop as a whole build does.
      for (const g of groups) {
        const index = await inner.build(vectors, dim, metric, { ...rest, rows: g.rows });
        parts.push({ key: g.key, index, rows: g.rows });
      }
      return new KeyedIndex(parts, metric, dim);
    },
    // A keyed file's sub-indexes load from their own bytes (a held file is for an unkeyed one: one retainer).
    async load(bytes: Uint8Array, dim: number, metric: MetricType, file?: HeldFile): Promise<VectorIndex> {
      if (bytes.length < 4 || new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true) !== MAGIC) return inner.load(bytes, dim, metric, file);
      if (bytes.length < PREFIX_BYTES) throw new DecodeError(`keyed index file of ${bytes.length} bytes is shorter than its header`);
      const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const h = v.getUint32(4, true), start = PREFIX_BYTES + h;
      if (bytes.length < start) throw new DecodeError('keyed index file is shorter than its header');
      const headerBytes = bytes.subarray(PREFIX_BYTES, start);
      if (crc32(headerBytes) !== v.getUint32(8, true)) throw new DecodeError('keyed index file header checksum mismatch');
      const header = JSON.parse(new TextDecoder().decode(headerBytes)) as { keys: Key[]; sizes: number[] };
      const parts: Part[] = [];
      let at = start;
      for (let i = 0; i < header.keys.length; i++) {
        const size = header.sizes[i]!;
        if (at + size > bytes.length) throw new DecodeError(`keyed index file holds less than its ${header.keys.length} sub-indexes`);
        const index = await inner.load(bytes.subarray(at, at + size), dim, metric);
        const rows = mappedRows(index);
        if (!rows) throw new DecodeError(`sub-index ${i} of a keyed index file maps no rows`);
        parts.push({ key: header.keys[i]!, index, rows });
        at += size;
      }
      return new KeyedIndex(parts, metric, dim);
    },
  };
}

class KeyedIndex implements VectorIndex {
  private readonly parts: Map<string, Part>;
  readonly count: number;

  constructor(parts: Part[], readonly metric: MetricType, readonly dim: number) {
    this.parts = new Map(parts.map((p) => [tag(p.key), p]));
    this.count = parts.reduce((n, p) => n + p.rows.length, 0);
  }

  keyRows(key: Key): Int32Array | null {
    return this.parts.get(tag(key))?.rows ?? null;
  }

  search(query: Float32Array, k: number, opts: SearchOptions = {}): Array<{ row: number; distance: number }> {
    if (opts.partitionKey !== undefined) return this.parts.get(tag(opts.partitionKey))?.index.search(query, k, opts) ?? [];
    // No key named: every sub-index, merged (correct, without isolation's gain).
    const all = [...this.parts.values()].flatMap((p) => p.index.search(query, k, opts));
    const sign = higherIsBetter(this.metric) ? -1 : 1;
    return all.sort((a, b) => sign * (a.distance - b.distance) || a.row - b.row).slice(0, k);
  }

  close(): void { for (const p of this.parts.values()) p.index.close?.(); }

  diskReads(): DiskReads | undefined { return sumDiskReads([...this.parts.values()].map((p) => p.index)); }

  /** The named key value's sub-index is walked alone; without a key, not walked (the search filters as usual). */
  iterate(query: Float32Array, first: number, limit: number, opts: WalkOptions = {}): CandidateWalk | undefined {
    if (opts.partitionKey === undefined) return undefined;
    const part = this.parts.get(tag(opts.partitionKey));
    return part ? part.index.iterate?.(query, first, limit, opts) : () => [];
  }

  /** The named key value's sub-index's; without a key every sub-index is searched, each asking `accept`, so not lazily in iterative filtering's sense. */
  filtersLazily(opts: WalkOptions = {}): boolean {
    if (opts.partitionKey === undefined) return false;
    return this.parts.get(tag(opts.partitionKey))?.index.filtersLazily?.(opts) ?? false;
  }

  async serialize(): Promise<Uint8Array> {
    const parts = [...this.parts.values()];
    const files = await Promise.all(parts.map((p) => p.index.serialize()));
    const header = new TextEncoder().encode(JSON.stringify({ keys: parts.map((p) => p.key), sizes: files.map((f) => f.length) }));
    const out = new Uint8Array(PREFIX_BYTES + header.length + files.reduce((n, f) => n + f.length, 0));
    const v = new DataView(out.buffer);
    v.setUint32(0, MAGIC, true); v.setUint32(4, header.length, true); v.setUint32(8, crc32(header), true);
    out.set(header, PREFIX_BYTES);
    let at = PREFIX_BYTES + header.length;
    for (const f of files) { out.set(f, at); at += f.length; }
    return out;
  }
}
