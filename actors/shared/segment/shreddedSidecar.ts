/**
 * The shredded layout of a segment's JSON columns (jsonShredding.ts) as an
 * object of its own beside the segment file (segmentKeys.ts
 * shreddedSidecarKey), so a query node loads it instead of shredding the rows
 * at every load. The segment file is untouched: the sidecar names the file it
 * was made from (its body checksum and length) and the shredding knobs it was
 * made under, and is used only when both still match; otherwise the query
 * node shreds at load, as without one.
 *
 * Layout: magic u32 | version u32 | crc32(body) u32 | body, the body one
 * valueCodec object whose typed arrays travel as raw bytes.
 * Pure: no I/O.
 */
import { BinaryWriter } from '../../../messages/binary.js';
import { DecodeError } from '../../../messages/errors.js';
import { decodeValue, writeValue } from '../../../messages/valueCodec.js';
import type { ShreddedJson, ShreddedPath } from '../../../messages/filter/shreddedJson.js';
import { crc32 } from './crc32.js';
import type { JsonShreddingConfig } from './jsonShredding.js';

/** "NHSJ": nuthatch shredded JSON. */
export const SIDECAR_MAGIC = 0x4a53484e;
export const SIDECAR_VERSION = 1;
const HEADER_BYTES = 12;

/** What a sidecar was made from: the segment file (its body's CRC-32 and its length) and the knobs. */
export interface SidecarOrigin {
  segmentCrc: number;
  segmentBytes: number;
  jsonShreddingRatioThreshold: number;
  jsonShreddingMaxColumns: number;
}

/** A decoded sidecar: its origin and each shredded column, by column name. */
export interface ShreddedSidecar { origin: SidecarOrigin; columns: Map<string, ShreddedJson> }

/** The origin of a sidecar made now from a segment file's bytes under `cfg`. */
export function sidecarOrigin(segmentFile: Uint8Array, cfg: Pick<JsonShreddingConfig, 'jsonShreddingRatioThreshold' | 'jsonShreddingMaxColumns'>): SidecarOrigin {
  // The segment file's header keeps its body's CRC-32 at bytes 8..12 (segmentFile.ts): no need to checksum it again.
  const crc = segmentFile.length >= 12 ? new DataView(segmentFile.buffer, segmentFile.byteOffset, 12).getUint32(8, true) : 0;
  return { segmentCrc: crc, segmentBytes: segmentFile.length, jsonShreddingRatioThreshold: cfg.jsonShreddingRatioThreshold, jsonShreddingMaxColumns: cfg.jsonShreddingMaxColumns };
}

/** Whether a sidecar made at `a` serves a load at `b`: the same file, shredded under the same knobs. */
export const sameOrigin = (a: SidecarOrigin, b: SidecarOrigin): boolean =>
  a.segmentCrc === b.segmentCrc && a.segmentBytes === b.segmentBytes
  && a.jsonShreddingRatioThreshold === b.jsonShreddingRatioThreshold && a.jsonShreddingMaxColumns === b.jsonShreddingMaxColumns;

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function encodePath(key: string, p: ShreddedPath): Record<string, unknown> {
  switch (p.kind) {
    case 'typed':
      if (p.type === 'number') return { key, k: 'n', int32: p.values instanceof Int32Array, present: p.present, values: bytesOf(p.values) };
      if (p.type === 'string') return { key, k: 's', codes: bytesOf(p.codes), dict: [...p.dict] };
      return { key, k: 'b', present: p.present, values: p.values };
    case 'dynamic': return { key, k: 'd', tags: p.tags, numbers: bytesOf(p.numbers), codes: bytesOf(p.codes), dict: [...p.dict] };
    default: return { key, k: 'h', rows: bytesOf(p.rows) };
  }
}

/** Encodes the shredded columns of a segment file made at `origin`. */
export function encodeSidecar(origin: SidecarOrigin, columns: ReadonlyMap<string, ShreddedJson>): Uint8Array {
  const body = {
    origin: { ...origin },
    columns: [...columns].map(([name, s]) => ({ name, rowCount: s.rowCount, paths: [...s.paths].map(([key, p]) => encodePath(key, p)) })),
  };
  const w = new BinaryWriter(1 << 16);
  w.u32(SIDECAR_MAGIC); w.u32(SIDECAR_VERSION); w.u32(0);
  writeValue(w, body);
  const out = w.finish();
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(8, crc32(out.subarray(HEADER_BYTES)), true);
  return out;
}

type Obj = Record<string, unknown>;

function bytes(o: Obj, f: string, len: number, what: string): Uint8Array {
  const b = o[f];
  if (!(b instanceof Uint8Array) || b.length !== len) throw new DecodeError(`sidecar ${what}: ${f} is not ${len} bytes`);
  return b;
}

function dictOf(o: Obj, what: string): string[] {
  const d = o.dict;
  if (!Array.isArray(d) || d.some((x) => typeof x !== 'string')) throw new DecodeError(`sidecar ${what}: dict is not a list of strings`);
  return d as string[];
}

/** Decoded arrays own their buffers (valueCodec copies bytes), so the typed views below are aligned. */
function decodePath(o: Obj, n: number, what: string): ShreddedPath {
  const bits = (n + 7) >>> 3;
  switch (o.k) {
    case 'n': {
      const int32 = o.int32 === true;
      const v = bytes(o, 'values', n * (int32 ? 4 : 8), what);
      return { kind: 'typed', type: 'number', present: bytes(o, 'present', bits, what), values: int32 ? new Int32Array(v.buffer, 0, n) : new Float64Array(v.buffer, 0, n) };
    }
    case 's': return { kind: 'typed', type: 'string', codes: new Int32Array(bytes(o, 'codes', 4 * n, what).buffer, 0, n), dict: dictOf(o, what) };
    case 'b': return { kind: 'typed', type: 'bool', present: bytes(o, 'present', bits, what), values: bytes(o, 'values', bits, what) };
    case 'd': {
      const nums = o.numbers instanceof Uint8Array ? o.numbers.length / 8 : -1, codes = o.codes instanceof Uint8Array ? o.codes.length / 4 : -1;
      if ((nums !== 0 && nums !== n) || (codes !== 0 && codes !== n)) throw new DecodeError(`sidecar ${what}: dynamic columns are not of ${n} rows`);
      return {
        kind: 'dynamic', tags: bytes(o, 'tags', n, what), dict: dictOf(o, what),
        numbers: new Float64Array((o.numbers as Uint8Array).buffer, 0, nums), codes: new Int32Array((o.codes as Uint8Array).buffer, 0, codes),
      };
    }
    case 'h': {
      const b = o.rows;
      if (!(b instanceof Uint8Array) || b.length % 4 !== 0) throw new DecodeError(`sidecar ${what}: rows is not a list of int32`);
      const rows = new Int32Array(b.buffer, 0, b.length / 4);
      // Filters jump through these rows in order (messages/filter/rowSupport.ts): ascending and in range, or refused.
      for (let j = 0; j < rows.length; j++) if (rows[j]! < 0 || rows[j]! >= n || (j > 0 && rows[j]! <= rows[j - 1]!)) throw new DecodeError(`sidecar ${what}: rows are not ascending rows of ${n}`);
      return { kind: 'shared', rows };
    }
    default: throw new DecodeError(`sidecar ${what}: unknown path kind ${String(o.k)}`);
  }
}

/** Decodes and validates a sidecar; any damage is a DecodeError. */
export function decodeSidecar(file: Uint8Array): ShreddedSidecar {
  if (file.length < HEADER_BYTES) throw new DecodeError('sidecar shorter than its header');
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (view.getUint32(0, true) !== SIDECAR_MAGIC) throw new DecodeError('not a shredded JSON sidecar (bad magic)');
  if (view.getUint32(4, true) !== SIDECAR_VERSION) throw new DecodeError(`unsupported sidecar version ${view.getUint32(4, true)}`);
  const body = file.subarray(HEADER_BYTES);
  if (view.getUint32(8, true) !== crc32(body) >>> 0) throw new DecodeError('sidecar checksum mismatch');
  const v = decodeValue(body) as unknown as { origin: SidecarOrigin; columns: Array<{ name: string; rowCount: number; paths: Obj[] }> };
  const o = v?.origin;
  if (!o || ![o.segmentCrc, o.segmentBytes, o.jsonShreddingRatioThreshold, o.jsonShreddingMaxColumns].every((x) => typeof x === 'number') || !Array.isArray(v.columns)) throw new DecodeError('sidecar body is malformed');
  const columns = new Map<string, ShreddedJson>();
  for (const c of v.columns) {
    if (typeof c?.name !== 'string' || !Number.isSafeInteger(c.rowCount) || c.rowCount < 0 || !Array.isArray(c.paths)) throw new DecodeError('sidecar column is malformed');
    const paths = new Map<string, ShreddedPath>();
    for (const p of c.paths) {
      if (typeof p?.key !== 'string') throw new DecodeError(`sidecar column ${c.name}: a path has no key`);
      paths.set(p.key, decodePath(p, c.rowCount, `${c.name} ${p.key}`));
    }
    columns.set(c.name, { rowCount: c.rowCount, paths });
  }
  return { origin: { segmentCrc: o.segmentCrc, segmentBytes: o.segmentBytes, jsonShreddingRatioThreshold: o.jsonShreddingRatioThreshold, jsonShreddingMaxColumns: o.jsonShreddingMaxColumns }, columns };
}
