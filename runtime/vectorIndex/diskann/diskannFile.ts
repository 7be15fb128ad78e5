import { DecodeError } from '../../../messages/errors.js';
import type { MetricType } from '../../../messages/schema.js';
import { crc32 } from '../../crc32.js';
import { pqStarts, type ProductQuantizer } from './productQuantizer.js';

/**
 * The DISKANN index file (what the index node stores and query nodes fetch),
 * little-endian:
 *
 *   header (52 bytes): magic "NHDA" | version | metric | dim | gdim | count | maxDegree | m | ksub | medoid
 *                      | search_cache_budget_gb_ratio f32 | beamwidth_ratio f32 | crc32
 *   payload: centroids f32[ksub*gdim] | codes u8[count*m] | zero pad to 4 | node records
 *   node record (recordBytes(gdim, maxDegree) each, row r's r-th): f32[gdim] vector | i32 degree | i32[maxDegree] neighbours
 *
 * The first two sections are what a query node keeps in memory; the node
 * records are what it writes to its local disk and reads a record at a
 * time (diskannIndex.ts). The crc32 covers the header's first 40 bytes and
 * the payload; a file is checked whole (checksum, length, every degree and
 * neighbour in range) before anything is built from it. The two ratios are
 * Milvus's load-time knobs, given when the index was created: the query
 * node that loads the file sizes its node cache and beam width by them. A
 * version 1 file (44-byte header, no ratios) loads with Milvus's defaults.
 */
export interface DiskannParts {
  metric: MetricType;
  /** The field's dim; the stored vectors have graphDim(dim, metric) floats (graphSpace.ts). */
  dim: number;
  count: number;
  maxDegree: number;
  medoid: number;
  pq: ProductQuantizer;
  /** count x pq.m bytes. */
  codes: Uint8Array;
  /** Milvus's search_cache_budget_gb_ratio: the node cache's bytes relative to the rows' float32 bytes ([0, 0.3), default 0.1). */
  cacheRatio: number;
  /** Milvus's beamwidth_ratio: nodes read per step relative to the CPUs (default 4; beam width capped at 16). */
  beamwidthRatio: number;
}

/** Milvus's defaults of the load-time knobs (common.DiskIndex.SearchCacheBudgetGBRatio and BeamWidthRatio). */
export const LOAD_DEFAULTS = { cacheRatio: 0.1, beamwidthRatio: 4 } as const;

const MAGIC = 0x4144484e;
const VERSION = 2;
const HEADER_BYTES = 52;
const CRC_AT = 48;
/** Version 1: no ratios (44-byte header, crc at 40). */
const V1 = { headerBytes: 44, crcAt: 40 } as const;
const METRIC_CODE: Record<MetricType, number> = { L2: 0, IP: 1, COSINE: 2, BM25: 3, HAMMING: 4, JACCARD: 5, MHJACCARD: 6 };
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Bytes of one node record. */
export function recordBytes(gdim: number, maxDegree: number): number {
  return 4 * (gdim + 1 + maxDegree);
}

export function encodeDiskannFile(p: DiskannParts, nodes: Uint8Array): Uint8Array {
  if (!LITTLE_ENDIAN) throw new DecodeError('DISKANN index files are little-endian; this host is not');
  const { pq } = p, codesEnd = HEADER_BYTES + pq.centroids.byteLength + p.codes.length, nodesAt = align4(codesEnd);
  const out = new Uint8Array(nodesAt + nodes.length);
  out.set(new Uint8Array(pq.centroids.buffer, pq.centroids.byteOffset, pq.centroids.byteLength), HEADER_BYTES);
  out.set(p.codes, HEADER_BYTES + pq.centroids.byteLength);
  out.set(nodes, nodesAt);
  const v = new DataView(out.buffer);
  [MAGIC, VERSION, METRIC_CODE[p.metric], p.dim, pq.dim, p.count, p.maxDegree, pq.m, pq.ksub, p.medoid].forEach((x, i) => v.setUint32(i * 4, x, true));
  v.setFloat32(40, p.cacheRatio, true);
  v.setFloat32(44, p.beamwidthRatio, true);
  v.setUint32(CRC_AT, crc32(out.subarray(HEADER_BYTES), crc32(out.subarray(0, CRC_AT))), true);
  return out;
}

/** The parts of a file written by encodeDiskannFile for this dim and metric, and its node records (a view of `bytes`), or a DecodeError. */
export function decodeDiskannFile(bytes: Uint8Array, dim: number, metric: MetricType): { parts: DiskannParts; nodes: Uint8Array } {
  if (!LITTLE_ENDIAN) throw new DecodeError('DISKANN index files are little-endian; this host is not');
  if (bytes.length < V1.headerBytes) throw new DecodeError(`DISKANN index file of ${bytes.length} bytes is shorter than its header`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (i: number) => v.getUint32(i * 4, true);
  if (u32(0) !== MAGIC) throw new DecodeError('not a DISKANN index file (bad magic)');
  if (u32(1) !== VERSION && u32(1) !== 1) throw new DecodeError(`unsupported DISKANN index file version ${u32(1)}`);
  const { headerBytes, crcAt } = u32(1) === 1 ? V1 : { headerBytes: HEADER_BYTES, crcAt: CRC_AT };
  if (bytes.length < headerBytes) throw new DecodeError(`DISKANN index file of ${bytes.length} bytes is shorter than its header`);
  if (crc32(bytes.subarray(headerBytes), crc32(bytes.subarray(0, crcAt))) !== v.getUint32(crcAt, true)) throw new DecodeError('DISKANN index file checksum mismatch');
  const cacheRatio = u32(1) === 1 ? LOAD_DEFAULTS.cacheRatio : v.getFloat32(40, true);
  const beamwidthRatio = u32(1) === 1 ? LOAD_DEFAULTS.beamwidthRatio : v.getFloat32(44, true);
  if (!(cacheRatio >= 0 && cacheRatio <= 0.3) || !(beamwidthRatio >= 1 && beamwidthRatio <= 128)) throw new DecodeError('DISKANN index file ratios are out of range');
  if (u32(2) !== METRIC_CODE[metric]) throw new DecodeError(`index was built for another metric than ${metric}`);
  if (u32(3) !== dim) throw new DecodeError(`index was built for dim ${u32(3)}, expected ${dim}`);
  const [gdim, count, maxDegree, m, ksub, medoid] = [u32(4), u32(5), u32(6), u32(7), u32(8), u32(9)];
  if (m < 1 || m > gdim || ksub < 1 || ksub > 256 || maxDegree < 1 || (count > 0 && medoid >= count)) throw new DecodeError('DISKANN index file header is out of range');
  const codesAt = headerBytes + 4 * ksub * gdim, nodesAt = align4(codesAt + count * m), size = recordBytes(gdim, maxDegree);
  if (bytes.length !== nodesAt + count * size) throw new DecodeError(`DISKANN index file holds ${bytes.length} bytes, its header says ${nodesAt + count * size}`);
  // Copies start at offset 0 of their own buffers: the floats are aligned.
  const centroids = new Float32Array(bytes.slice(headerBytes, codesAt).buffer);
  const codes = bytes.slice(codesAt, codesAt + count * m);
  const nodes = bytes.subarray(nodesAt);
  checkNodes(nodes, count, gdim, maxDegree);
  const pq: ProductQuantizer = { dim: gdim, m, ksub, starts: pqStarts(gdim, m), centroids };
  return { parts: { metric, dim, count, maxDegree, medoid, pq, codes, cacheRatio, beamwidthRatio }, nodes };
}

/** Every record's degree within the bound and every neighbour a row of the index. */
function checkNodes(nodes: Uint8Array, count: number, gdim: number, maxDegree: number): void {
  const v = new DataView(nodes.buffer, nodes.byteOffset, nodes.byteLength), size = recordBytes(gdim, maxDegree);
  for (let r = 0; r < count; r++) {
    const at = r * size + 4 * gdim, degree = v.getInt32(at, true);
    if (degree < 0 || degree > maxDegree) throw new DecodeError(`DISKANN node ${r} has degree ${degree} over the bound ${maxDegree}`);
    for (let i = 0; i < degree; i++) {
      const u = v.getInt32(at + 4 + 4 * i, true);
      if (u < 0 || u >= count) throw new DecodeError(`DISKANN node ${r} links to row ${u}, out of range`);
    }
  }
}

function align4(n: number): number { return (n + 3) & ~3; }
