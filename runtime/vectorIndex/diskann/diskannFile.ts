import { DecodeError } from '../../../messages/errors.js';
import type { MetricType } from '../../../messages/schema.js';
import { crc32 } from '../../crc32.js';
import { ELEMENT_CODE, recordLayout, type RecordElement, type RecordLayout } from './nodeRecord.js';
import { pqStarts, type ProductQuantizer } from './productQuantizer.js';

/**
 * The DISKANN index file (what the index node stores and query nodes fetch),
 * little-endian:
 *
 *   header (56 bytes): magic "NHDA" | version | metric | dim | gdim | count | maxDegree | m | ksub | medoid
 *                      | search_cache_budget_gb_ratio f32 | beamwidth_ratio f32 | element | crc32
 *   payload: centroids f32[ksub*gdim] | codes u8[count*m] | zero pad to 4 | node records
 *   node record (nodeRecord.ts, row r's the r-th): vector (f32, f16 or bf16 [gdim], padded to 4) | i32 degree | i32[maxDegree] neighbours
 *
 * The first two sections are what a query node keeps in memory; the node
 * records are what it writes to its local disk and reads a record at a
 * time (diskannIndex.ts). The crc32 covers the header up to itself and
 * the payload; a file is checked whole (checksum, length, every degree and
 * neighbour in range) before anything is built from it. The two ratios are
 * Milvus's load-time knobs, given when the index was created: the query
 * node that loads the file sizes its node cache and beam width by them.
 * `element` (0 f32, 1 f16, 2 bf16) is the records' vector width: a
 * Float16Vector or BFloat16Vector field's records hold its 16-bit values.
 * Older files load as they were written: version 2 (52-byte header, no
 * element: float32 records) and version 1 (44 bytes, no ratios either:
 * Milvus's defaults).
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
  /** The node records' vector width (nodeRecord.ts); absent: float32. */
  element?: RecordElement;
}

/** Milvus's defaults of the load-time knobs (common.DiskIndex.SearchCacheBudgetGBRatio and BeamWidthRatio). */
export const LOAD_DEFAULTS = { cacheRatio: 0.1, beamwidthRatio: 4 } as const;

const MAGIC = 0x4144484e;
const VERSION = 3;
const HEADER_BYTES = 56;
const ELEMENT_AT = 48;
const CRC_AT = 52;
/** The headers of older versions: 1 has no ratios, 2 no element (float32 records). */
const OLD: Record<number, { headerBytes: number; crcAt: number }> = { 1: { headerBytes: 44, crcAt: 40 }, 2: { headerBytes: 52, crcAt: 48 } };
const ELEMENT_OF = Object.fromEntries(Object.entries(ELEMENT_CODE).map(([e, c]) => [c, e as RecordElement]));
const METRIC_CODE: Record<MetricType, number> = { L2: 0, IP: 1, COSINE: 2, BM25: 3, HAMMING: 4, JACCARD: 5, MHJACCARD: 6 };
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Bytes of one node record. */
export function recordBytes(gdim: number, maxDegree: number, element: RecordElement = 'f32'): number {
  return recordLayout(gdim, maxDegree, element).size;
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
  v.setUint32(ELEMENT_AT, ELEMENT_CODE[p.element ?? 'f32'], true);
  v.setUint32(CRC_AT, crc32(out.subarray(HEADER_BYTES), crc32(out.subarray(0, CRC_AT))), true);
  return out;
}

/** The parts of a file written by encodeDiskannFile for this dim and metric, and its node records (a view of `bytes`), or a DecodeError. */
export function decodeDiskannFile(bytes: Uint8Array, dim: number, metric: MetricType): { parts: DiskannParts; nodes: Uint8Array } {
  if (!LITTLE_ENDIAN) throw new DecodeError('DISKANN index files are little-endian; this host is not');
  if (bytes.length < OLD[1]!.headerBytes) throw new DecodeError(`DISKANN index file of ${bytes.length} bytes is shorter than its header`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (i: number) => v.getUint32(i * 4, true);
  if (u32(0) !== MAGIC) throw new DecodeError('not a DISKANN index file (bad magic)');
  const version = u32(1);
  if (version !== VERSION && !OLD[version]) throw new DecodeError(`unsupported DISKANN index file version ${version}`);
  const { headerBytes, crcAt } = OLD[version] ?? { headerBytes: HEADER_BYTES, crcAt: CRC_AT };
  if (bytes.length < headerBytes) throw new DecodeError(`DISKANN index file of ${bytes.length} bytes is shorter than its header`);
  if (crc32(bytes.subarray(headerBytes), crc32(bytes.subarray(0, crcAt))) !== v.getUint32(crcAt, true)) throw new DecodeError('DISKANN index file checksum mismatch');
  const cacheRatio = version === 1 ? LOAD_DEFAULTS.cacheRatio : v.getFloat32(40, true);
  const beamwidthRatio = version === 1 ? LOAD_DEFAULTS.beamwidthRatio : v.getFloat32(44, true);
  const element = version < VERSION ? 'f32' : ELEMENT_OF[v.getUint32(ELEMENT_AT, true)];
  if (element === undefined) throw new DecodeError(`DISKANN index file names an unknown record element ${v.getUint32(ELEMENT_AT, true)}`);
  if (!(cacheRatio >= 0 && cacheRatio <= 0.3) || !(beamwidthRatio >= 1 && beamwidthRatio <= 128)) throw new DecodeError('DISKANN index file ratios are out of range');
  if (u32(2) !== METRIC_CODE[metric]) throw new DecodeError(`index was built for another metric than ${metric}`);
  if (u32(3) !== dim) throw new DecodeError(`index was built for dim ${u32(3)}, expected ${dim}`);
  const [gdim, count, maxDegree, m, ksub, medoid] = [u32(4), u32(5), u32(6), u32(7), u32(8), u32(9)];
  if (m < 1 || m > gdim || ksub < 1 || ksub > 256 || maxDegree < 1 || (count > 0 && medoid >= count)) throw new DecodeError('DISKANN index file header is out of range');
  const codesAt = headerBytes + 4 * ksub * gdim, nodesAt = align4(codesAt + count * m), layout = recordLayout(gdim, maxDegree, element), size = layout.size;
  if (bytes.length !== nodesAt + count * size) throw new DecodeError(`DISKANN index file holds ${bytes.length} bytes, its header says ${nodesAt + count * size}`);
  // Copies start at offset 0 of their own buffers: the floats are aligned.
  const centroids = new Float32Array(bytes.slice(headerBytes, codesAt).buffer);
  const codes = bytes.slice(codesAt, codesAt + count * m);
  const nodes = bytes.subarray(nodesAt);
  checkNodes(nodes, count, layout);
  const pq: ProductQuantizer = { dim: gdim, m, ksub, starts: pqStarts(gdim, m), centroids };
  return { parts: { metric, dim, count, maxDegree, medoid, pq, codes, cacheRatio, beamwidthRatio, element }, nodes };
}

/** Every record's degree within the bound and every neighbour a row of the index. */
function checkNodes(nodes: Uint8Array, count: number, { size, vectorBytes, maxDegree }: RecordLayout): void {
  const v = new DataView(nodes.buffer, nodes.byteOffset, nodes.byteLength);
  for (let r = 0; r < count; r++) {
    const at = r * size + vectorBytes, degree = v.getInt32(at, true);
    if (degree < 0 || degree > maxDegree) throw new DecodeError(`DISKANN node ${r} has degree ${degree} over the bound ${maxDegree}`);
    for (let i = 0; i < degree; i++) {
      const u = v.getInt32(at + 4 + 4 * i, true);
      if (u < 0 || u >= count) throw new DecodeError(`DISKANN node ${r} links to row ${u}, out of range`);
    }
  }
}

function align4(n: number): number { return (n + 3) & ~3; }
