import { packVectorColumns } from '../vector/vectorColumn.js';
import { BinaryWriter } from '../../../messages/binary.js';
import { DecodeError, ValidationError } from '../../../messages/errors.js';
import type { PrimaryKey } from '../../../messages/schema.js';
import type { SegmentRecord } from '../../../messages/rpc/records.js';
import { decodeValue, writeValue } from '../../../messages/valueCodec.js';
import { crc32 } from './crc32.js';

/**
 * A sealed segment, columnar: row r is pks[r], tsos[r], vectors[r*dim .. (r+1)*dim)
 * and fields[name][r]. This is what the data-node persists and query-nodes load.
 */
export interface SealedSegment {
  segmentId: number;
  collectionId: number;
  partitionId: number;
  vchannel: string;
  count: number;
  dim: number;
  /** All numbers (Int64 keys) or all strings (VarChar keys). */
  pks: PrimaryKey[];
  /** Insert TSO of each row: MVCC visibility and newest-version merges read it. */
  tsos: bigint[];
  vectors: Float32Array;
  fields: Record<string, unknown[]>;
}

/** "NHSG": nuthatch sealed segment. */
export const SEGMENT_FILE_MAGIC = 0x4753484e;
export const SEGMENT_FILE_VERSION = 1;
const HEADER_BYTES = 12;

export interface SegmentCodecOptions {
  /**
   * CRC-32 (IEEE) implementation. The pure one checksums ~300-700 MB/s; a shell
   * may pass node:zlib's crc32 (~2-3 GB/s). Both give the same value.
   */
  crc32?: (bytes: Uint8Array) => number;
}

/**
 * Layout: magic u32 | version u32 | crc32(body) u32 | body, where body is one
 * valueCodec object. Numeric keys and TSOs travel as raw 8-byte columns and
 * vectors as one float32 block, so a 100k-row segment costs no per-row objects
 * on the vector path and only one tagged value per column.
 */
export function encodeSegmentFile(seg: SealedSegment, opts: SegmentCodecOptions = {}): Uint8Array {
  const problem = segmentProblem(seg);
  if (problem) throw new ValidationError(`cannot encode segment ${seg.segmentId}: ${problem}`);
  const intKeys = seg.pks.length > 0 && typeof seg.pks[0] === 'number';
  const body = {
    segmentId: seg.segmentId, collectionId: seg.collectionId, partitionId: seg.partitionId,
    vchannel: seg.vchannel, count: seg.count, dim: seg.dim,
    pkKind: intKeys ? 'int64' : 'varchar',
    pks: intKeys ? bytesOf(Float64Array.from(seg.pks as number[])) : seg.pks,
    tsos: bytesOf(BigInt64Array.from(seg.tsos)),
    vectors: seg.vectors,
    fields: seg.fields,
  };
  const w = new BinaryWriter(HEADER_BYTES + 1024 + seg.vectors.byteLength + seg.count * 32);
  w.u32(SEGMENT_FILE_MAGIC); w.u32(SEGMENT_FILE_VERSION); w.u32(0);
  writeValue(w, body);
  const out = w.finish();
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(8, (opts.crc32 ?? crc32)(out.subarray(HEADER_BYTES)), true);
  return out;
}

/**
 * A decoded file as the segment record that names it: its ids, partition and
 * shard are the record's. A file may be named by a record of another
 * collection (a snapshot restore's records name the source's files), and
 * partition filters, partition-scoped deletes and rewrites must go by the
 * record's partition, not the one the file was written in.
 */
export function asRecorded(seg: SealedSegment, r: Pick<SegmentRecord, 'segmentId' | 'collectionId' | 'partitionId' | 'vchannel'>): SealedSegment {
  if (seg.segmentId === r.segmentId && seg.collectionId === r.collectionId && seg.partitionId === r.partitionId && seg.vchannel === r.vchannel) return seg;
  return { ...seg, segmentId: r.segmentId, collectionId: r.collectionId, partitionId: r.partitionId, vchannel: r.vchannel };
}

/** Decodes and validates a segment file; any damage or inconsistency is a DecodeError. */
export function decodeSegmentFile(bytes: Uint8Array, opts: SegmentCodecOptions = {}): SealedSegment {
  if (bytes.length < HEADER_BYTES) throw new DecodeError(`segment file of ${bytes.length} bytes is shorter than its header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== SEGMENT_FILE_MAGIC) throw new DecodeError('not a segment file (bad magic)');
  const version = view.getUint32(4, true);
  if (version !== SEGMENT_FILE_VERSION) throw new DecodeError(`unsupported segment file version ${version}`);
  const body = bytes.subarray(HEADER_BYTES);
  const want = view.getUint32(8, true), got = (opts.crc32 ?? crc32)(body) >>> 0;
  if (want !== got) throw new DecodeError(`segment file checksum mismatch (stored ${want}, computed ${got})`);
  const v = decodeValue(body) as Record<string, unknown>;
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array || v instanceof Float32Array) throw new DecodeError('segment body is not an object');
  const count = v.count as number;
  if (!Number.isInteger(count) || count < 0) throw new DecodeError('segment count is not a non-negative integer');
  const pks = v.pkKind === 'int64' && v.pks instanceof Uint8Array && v.pks.length === count * 8
    ? Array.from(column(v.pks, Float64Array))
    : v.pkKind === 'varchar' ? v.pks : undefined;
  if (!Array.isArray(pks)) throw new DecodeError('segment primary keys are malformed');
  if (!(v.tsos instanceof Uint8Array) || v.tsos.length !== count * 8) throw new DecodeError('segment TSO column is malformed');
  const seg: SealedSegment = {
    segmentId: v.segmentId as number, collectionId: v.collectionId as number, partitionId: v.partitionId as number,
    vchannel: v.vchannel as string, count, dim: v.dim as number,
    pks: pks as PrimaryKey[],
    tsos: Array.from(column(v.tsos, BigInt64Array)),
    vectors: v.vectors as Float32Array,
    fields: v.fields as Record<string, unknown[]>,
  };
  const problem = segmentProblem(seg);
  if (problem) throw new DecodeError(`segment file is inconsistent: ${problem}`);
  packVectorColumns(seg.fields, count);
  return seg;
}

/** Checks the shape and column lengths of a segment; returns an error text or null. */
export function segmentProblem(s: SealedSegment): string | null {
  for (const k of ['segmentId', 'collectionId', 'partitionId'] as const) {
    if (!Number.isSafeInteger(s[k]) || s[k] < 0) return `${k} must be a non-negative integer`;
  }
  if (typeof s.vchannel !== 'string' || s.vchannel.length === 0) return 'vchannel must be a non-empty string';
  if (!Number.isInteger(s.count) || s.count < 0) return 'count must be a non-negative integer';
  // 0: a collection without a FloatVector, whose float32 block is empty.
  if (!Number.isInteger(s.dim) || s.dim < 0) return 'dim must be a non-negative integer';
  if (!Array.isArray(s.pks) || s.pks.length !== s.count) return `pks holds ${s.pks?.length} keys for ${s.count} rows`;
  const kind = typeof s.pks[0];
  for (const k of s.pks) {
    if (typeof k !== kind || (kind === 'number' ? !Number.isSafeInteger(k) : kind !== 'string')) return 'pks must be all safe integers or all strings';
  }
  if (!Array.isArray(s.tsos) || s.tsos.length !== s.count) return `tsos holds ${s.tsos?.length} values for ${s.count} rows`;
  for (const t of s.tsos) if (typeof t !== 'bigint' || t < 0n || t > 0x7fffffffffffffffn) return 'tsos must be non-negative int64 bigints';
  if (!(s.vectors instanceof Float32Array) || s.vectors.length !== s.count * s.dim) return `vectors must hold ${s.count} x ${s.dim} floats`;
  if (s.fields === null || typeof s.fields !== 'object' || Array.isArray(s.fields)) return 'fields must be an object of columns';
  for (const [name, col] of Object.entries(s.fields)) {
    if (!Array.isArray(col) || col.length !== s.count) return `field '${name}' must hold ${s.count} values`;
  }
  return null;
}

function bytesOf(a: Float64Array | BigInt64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** An 8-byte column view of decoded bytes; typed arrays need alignment, so odd offsets are copied. */
function column<T extends Float64Array | BigInt64Array>(b: Uint8Array, Ctor: { new(buf: ArrayBufferLike, offset: number, length: number): T }): T {
  const c = b.byteOffset % 8 === 0 ? b : b.slice();
  return new Ctor(c.buffer, c.byteOffset, c.byteLength / 8);
}
