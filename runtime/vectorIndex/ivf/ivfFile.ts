import { DecodeError } from '../../../messages/errors.js';
import type { MetricType } from '../../../messages/schema.js';
import { crc32 } from '../../crc32.js';
import type { InvertedLists } from './invertedLists.js';
import type { IvfStore } from './ivfIndex.js';
import { codeBytes, MAX_PQ_NBITS } from './productQuantizer.js';
import { isPqStore, withRowTerms } from './pqStore.js';
import { rotation } from './rabitq.js';
import { refineBytes, refineSections, sq6Bytes, type RefineStore, type RefineType } from './refineStore.js';

/**
 * The IVF index file, little-endian:
 *
 *   header (32 bytes): magic "NHIV" | version | kind | metric | dim | count | nlist | crc32
 *   payload: centroids f32[nlist*dim] | offsets u32[nlist+1] | rows i32[count] | store
 *   store: IVF_FLAT vectors f32[count*dim]; IVF_SQ8 vmin f32[dim] | vdiff f32[dim] | codes u8[count*dim];
 *     IVF_RABITQ seed u32 | refine u32 (0: none, else REFINE_CODE) | terms f32[3*count] | refine sections | codes u8[count*D/8]
 *     (refine sections: FP32 f32[count*dim]; FP16, BF16 u16[count*dim]; SQ8, SQ6 vmin f32[dim] | vdiff f32[dim] | codes)
 *     BIN_IVF_FLAT bits u8[count*dim/8] (kind 3; a BIN_IVF_FLAT file of kind 1 holds the bits as floats: ivfFactory.ts reads both)
 *     IVF_PQ, SCANN m u32 | nbits u32 | ksub u32 | raw u32 (0 or 1) | codebooks f32[ksub*dim] | raw vectors f32[count*dim] (raw 1) | codes u8[count*ceil(m*nbits/8)]
 *
 * The crc32 covers the header's first 28 bytes and the payload, so any flipped
 * byte is refused. A file is checked whole (checksum, exact length, list
 * bounds, every row once) before anything is built from it: a damaged file is
 * a DecodeError, never a half-read index.
 */
export interface IvfParts { metric: MetricType; dim: number; lists: InvertedLists; store: IvfStore }

const MAGIC = 0x5649484e;
const VERSION = 1;
const HEADER_BYTES = 32;
const CRC_AT = 28;
const KIND_CODE = { IVF_FLAT: 1, IVF_SQ8: 2, BIN_IVF_FLAT: 3, IVF_RABITQ: 4, IVF_PQ: 5, SCANN: 6 } as const;
const REFINE_CODE: Record<RefineType, number> = { SQ6: 1, SQ8: 2, FP16: 3, BF16: 4, FP32: 5 };
// BM25 is never a dense index's metric (normaliseIndex refuses it); its code only completes the map.
const METRIC_CODE: Record<MetricType, number> = { L2: 0, IP: 1, COSINE: 2, BM25: 3, HAMMING: 4, JACCARD: 5, MHJACCARD: 6 };
/** Typed-array sections are written in the host's byte order, which the format fixes as little-endian. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function encodeIvfFile(ix: IvfParts): Uint8Array {
  if (!LITTLE_ENDIAN) throw new DecodeError('IVF index files are little-endian; this host is not');
  const { lists, store, dim } = ix;
  const sections: ArrayBufferView[] = [lists.centroids, lists.offsets, lists.rows];
  if (store.kind === 'IVF_FLAT') sections.push(store.vectors);
  else if (store.kind === 'IVF_SQ8') sections.push(store.quantizer.vmin, store.quantizer.vdiff, store.codes);
  else if (store.kind === 'BIN_IVF_FLAT') sections.push(store.bits);
  else if (isPqStore(store)) {
    const { pq } = store;
    sections.push(new Uint32Array([pq.m, pq.nbits, pq.ksub, store.raw ? 1 : 0]), pq.codebooks, ...(store.raw ? [store.raw] : []), store.codes);
  } else {
    sections.push(new Uint32Array([store.seed >>> 0, store.refine ? REFINE_CODE[store.refine.type] : 0]), store.terms);
    if (store.refine) sections.push(...refineSections(store.refine));
    sections.push(store.codes);
  }
  const out = new Uint8Array(HEADER_BYTES + sections.reduce((n, s) => n + s.byteLength, 0));
  let at = HEADER_BYTES;
  for (const s of sections) { out.set(new Uint8Array(s.buffer, s.byteOffset, s.byteLength), at); at += s.byteLength; }
  const v = new DataView(out.buffer);
  const header = [MAGIC, VERSION, KIND_CODE[store.kind], METRIC_CODE[ix.metric], dim, lists.rows.length, lists.nlist];
  header.forEach((x, i) => v.setUint32(i * 4, x, true));
  v.setUint32(CRC_AT, crc32(out.subarray(HEADER_BYTES), crc32(out.subarray(0, CRC_AT))), true);
  return out;
}

/** The kind a file says it holds (its header's), or undefined when it is too short to say. */
export function ivfFileKind(bytes: Uint8Array): IvfStore['kind'] | undefined {
  if (bytes.length < HEADER_BYTES) return undefined;
  const code = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  return (Object.keys(KIND_CODE) as Array<IvfStore['kind']>).find((k) => KIND_CODE[k] === code);
}

/** Reads a file written by encodeIvfFile for this kind, dim and metric, or throws a DecodeError. */
export function decodeIvfFile(bytes: Uint8Array, kind: IvfStore['kind'], dim: number, metric: MetricType): IvfParts {
  if (!LITTLE_ENDIAN) throw new DecodeError('IVF index files are little-endian; this host is not');
  if (bytes.length < HEADER_BYTES) throw new DecodeError(`IVF index file of ${bytes.length} bytes is shorter than its header`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (i: number) => v.getUint32(i * 4, true);
  if (u32(0) !== MAGIC) throw new DecodeError('not an IVF index file (bad magic)');
  if (u32(1) !== VERSION) throw new DecodeError(`unsupported IVF index file version ${u32(1)}`);
  if (crc32(bytes.subarray(HEADER_BYTES), crc32(bytes.subarray(0, CRC_AT))) !== u32(7)) throw new DecodeError('IVF index file checksum mismatch');
  if (u32(2) !== KIND_CODE[kind]) throw new DecodeError(`index file is not ${kind}`);
  if (u32(3) !== METRIC_CODE[metric]) throw new DecodeError(`index was built for another metric than ${metric}`);
  if (u32(4) !== dim) throw new DecodeError(`index was built for dim ${u32(4)}, expected ${dim}`);
  const count = u32(5), nlist = u32(6);
  const listsEnd = HEADER_BYTES + 4 * (nlist * dim + nlist + 1 + count);
  // IVF_RABITQ's store starts with its seed and refine type, which say how long the rest is.
  const refine = kind === 'IVF_RABITQ' && bytes.length >= listsEnd + 8 ? refineTypeOf(v.getUint32(listsEnd + 4, true)) : undefined;
  // IVF_PQ's and SCANN's store starts with its shape, which says how long the rest is.
  const pqShape = (kind === 'IVF_PQ' || kind === 'SCANN') ? pqShapeOf(v, listsEnd, dim) : undefined;
  const storeBytes = kind === 'IVF_FLAT' ? 4 * count * dim : kind === 'IVF_SQ8' ? 8 * dim + count * dim : kind === 'BIN_IVF_FLAT' ? (count * dim) / 8
    : pqShape ? 16 + 4 * pqShape.ksub * dim + (pqShape.raw ? 4 * count * dim : 0) + count * codeBytes(pqShape.m, pqShape.nbits)
    : 8 + 12 * count + (refine ? refineBytes(refine, dim, count) : 0) + count * (rotation(dim, 0).D >> 3);
  const expected = listsEnd + storeBytes;
  if (bytes.length !== expected) throw new DecodeError(`IVF index file holds ${bytes.length} bytes, its header says ${expected}`);
  // A copy starts at offset 0 of its own buffer: every float and int section is aligned.
  const body = bytes.slice(HEADER_BYTES).buffer;
  let at = 0;
  const take = <T>(make: (b: ArrayBuffer, at: number, n: number) => T, n: number, width: number): T => { const t = make(body, at, n); at += n * width; return t; };
  const f32 = (b: ArrayBuffer, o: number, n: number) => new Float32Array(b, o, n);
  const centroids = take(f32, nlist * dim, 4);
  const offsets = take((b, o, n) => new Uint32Array(b, o, n), nlist + 1, 4);
  const rows = take((b, o, n) => new Int32Array(b, o, n), count, 4);
  checkLists(offsets, rows, count);
  const lists: InvertedLists = { nlist, centroids, offsets, rows };
  if (kind === 'IVF_FLAT') return { metric, dim, lists, store: { kind, vectors: take(f32, count * dim, 4) } };
  const u8 = (b: ArrayBuffer, o: number, n: number) => new Uint8Array(b, o, n);
  if (kind === 'BIN_IVF_FLAT') return { metric, dim, lists, store: { kind, bits: take(u8, (count * dim) / 8, 1) } };
  if (kind === 'IVF_SQ8') {
    const vmin = take(f32, dim, 4), vdiff = take(f32, dim, 4);
    return { metric, dim, lists, store: { kind, quantizer: { vmin, vdiff }, codes: take(u8, count * dim, 1) } };
  }
  if (pqShape) {
    const { m, nbits, ksub } = pqShape;
    take((b, o, n) => new Uint32Array(b, o, n), 4, 4);
    const codebooks = take(f32, ksub * dim, 4), raw = pqShape.raw ? take(f32, count * dim, 4) : undefined;
    const store = { kind: kind as 'IVF_PQ' | 'SCANN', pq: { dim, m, nbits, ksub, codebooks }, codes: take(u8, count * codeBytes(m, nbits), 1), ...(raw ? { raw } : {}) };
    return { metric, dim, lists, store: withRowTerms(store, lists, metric) };
  }
  const [seed] = take((b, o, n) => new Uint32Array(b, o, n), 2, 4);
  if (kind !== 'IVF_RABITQ') throw new DecodeError(`index file kind ${kind} is not known`);
  const terms = take(f32, 3 * count, 4);
  let refineStore: RefineStore | undefined;
  if (refine === 'FP32') refineStore = { type: refine, vectors: take(f32, count * dim, 4) };
  else if (refine === 'FP16' || refine === 'BF16') refineStore = { type: refine, bits: take((b, o, n) => new Uint16Array(b, o, n), count * dim, 2) };
  else if (refine === 'SQ8' || refine === 'SQ6') {
    const vmin = take(f32, dim, 4), vdiff = take(f32, dim, 4);
    refineStore = { type: refine, quantizer: { vmin, vdiff }, codes: take(u8, count * (refine === 'SQ8' ? dim : sq6Bytes(dim)), 1) };
  }
  const P = rotation(dim, seed!);
  return { metric, dim, lists, store: { kind, seed: seed!, rotation: P, terms, codes: take(u8, count * (P.D >> 3), 1), ...(refineStore ? { refine: refineStore } : {}) } };
}

/** The PQ shape a file's store starts with, checked before any length is computed from it. */
function pqShapeOf(v: DataView, at: number, dim: number): { m: number; nbits: number; ksub: number; raw: boolean } {
  if (v.byteLength < at + 16) throw new DecodeError('IVF PQ index file is shorter than its store header');
  const [m, nbits, ksub, raw] = [0, 1, 2, 3].map((i) => v.getUint32(at + 4 * i, true)) as [number, number, number, number];
  if (m < 1 || dim % m !== 0 || nbits < 1 || nbits > MAX_PQ_NBITS || ksub < 1 || ksub > 2 ** nbits || raw > 1) {
    throw new DecodeError(`IVF PQ index file has a bad shape (m ${m}, nbits ${nbits}, ksub ${ksub}, raw ${raw}) for dim ${dim}`);
  }
  return { m, nbits, ksub, raw: raw === 1 };
}

function refineTypeOf(code: number): RefineType | undefined {
  if (code === 0) return undefined;
  const t = (Object.keys(REFINE_CODE) as RefineType[]).find((k) => REFINE_CODE[k] === code);
  if (!t) throw new DecodeError(`unknown IVF_RABITQ refine type code ${code}`);
  return t;
}

/** Lists that cover positions 0..count in order, and rows that name each row once. */
function checkLists(offsets: Uint32Array, rows: Int32Array, count: number): void {
  if (offsets[0] !== 0 || offsets[offsets.length - 1] !== count) throw new DecodeError('IVF lists do not cover the rows');
  for (let l = 1; l < offsets.length; l++) if (offsets[l]! < offsets[l - 1]!) throw new DecodeError(`IVF list ${l - 1} ends before it starts`);
  const seen = new Uint8Array(count);
  for (const r of rows) {
    if (r < 0 || r >= count || seen[r]) throw new DecodeError(`IVF lists name row ${r} out of range or twice`);
    seen[r] = 1;
  }
}
