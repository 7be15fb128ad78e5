import { DecodeError } from '../../../messages/errors.js';
import { crc32 } from '../segment/crc32.js';
import type { GramRange, ValueKind } from './scalarIndexTypes.js';
import { compareKeys, type Key, type SortedIndex } from './sortedIndex.js';
import { rtreeIndex } from './rtree.js';

/**
 * The scalar index file, little-endian:
 *
 *   header (32 bytes): magic "NHSX" | version | kind | flags | rowCount | entries | units | crc32
 *   flags: 1 elements (an Array field's, or ARRAY_* cast), 2 a JSON path index, 4 converted (STRING_TO_DOUBLE),
 *          8 an NGRAM index (string entries, elements), with min_gram in bits 16..23 and max_gram in bits 24..31
 *   payload, numbers and booleans: values f64[entries] | rows i32[entries]
 *   payload, strings: rows i32[entries] | offsets u32[entries+1] | UTF-16 code units u16[units]
 *   flag 16, an RTREE (kind string, no other flag): its leaves in tree order, boxes f64[4 * entries] | rows i32[entries];
 *          the parents are packed again on reading (rtree.ts)
 *
 * Strings are kept as UTF-16 code units, so every JS string (a lone surrogate
 * too) comes back exactly as it was indexed. The crc32 covers the header's
 * first 28 bytes and the payload. A file is checked whole (checksum, exact
 * length, rows in range, entries in (value, row) order, a scalar field's row
 * at most once) before it is used: a damaged file is a DecodeError. Files
 * written before NGRAM have flag 8 and the gram bits clear, and read as ever.
 */
const MAGIC = 0x5853484e;
const VERSION = 1;
const HEADER_BYTES = 32;
const CRC_AT = 28;
const KIND_CODE: Record<ValueKind, number> = { number: 1, string: 2, bool: 3 };
const KINDS = Object.keys(KIND_CODE) as ValueKind[];
/** Typed-array sections are written in the host's byte order, which the format fixes as little-endian. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function encodeScalarIndex(ix: SortedIndex): Uint8Array {
  if (!LITTLE_ENDIAN) throw new DecodeError('scalar index files are little-endian; this host is not');
  const n = ix.rows.length;
  const sections: ArrayBufferView[] = [];
  let units = 0;
  if (ix.tree) {
    sections.push(ix.tree.boxes.subarray(0, 4 * n), ix.rows);
  } else if (ix.kind === 'string') {
    const strings = ix.values as readonly string[];
    const offsets = new Uint32Array(n + 1);
    for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i]! + strings[i]!.length;
    units = offsets[n]!;
    const text = new Uint16Array(units);
    for (let i = 0; i < n; i++) { const s = strings[i]!, at = offsets[i]!; for (let j = 0; j < s.length; j++) text[at + j] = s.charCodeAt(j); }
    sections.push(ix.rows, offsets, text);
  } else {
    sections.push(ix.values as Float64Array, ix.rows);
  }
  const out = new Uint8Array(HEADER_BYTES + sections.reduce((s, x) => s + x.byteLength, 0));
  let at = HEADER_BYTES;
  for (const s of sections) { out.set(new Uint8Array(s.buffer, s.byteOffset, s.byteLength), at); at += s.byteLength; }
  const v = new DataView(out.buffer);
  [MAGIC, VERSION, KIND_CODE[ix.kind], flagsOf(ix), ix.rowCount, n, units].forEach((x, i) => v.setUint32(i * 4, x, true));
  v.setUint32(CRC_AT, crc32(out.subarray(HEADER_BYTES), crc32(out.subarray(0, CRC_AT))), true);
  return out;
}

/** Reads a file written by encodeScalarIndex, or throws a DecodeError. */
export function decodeScalarIndex(bytes: Uint8Array): SortedIndex {
  if (!LITTLE_ENDIAN) throw new DecodeError('scalar index files are little-endian; this host is not');
  if (bytes.length < HEADER_BYTES) throw new DecodeError(`scalar index file of ${bytes.length} bytes is shorter than its header`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (i: number) => v.getUint32(i * 4, true);
  if (u32(0) !== MAGIC) throw new DecodeError('not a scalar index file (bad magic)');
  if (u32(1) !== VERSION) throw new DecodeError(`unsupported scalar index file version ${u32(1)}`);
  if (crc32(bytes.subarray(HEADER_BYTES), crc32(bytes.subarray(0, CRC_AT))) !== u32(7)) throw new DecodeError('scalar index file checksum mismatch');
  const kind = KINDS.find((k) => KIND_CODE[k] === u32(2)), flags = u32(3), grams = gramsIn(flags);
  if (!kind || (flags & 0xffe0) !== 0 || (flags & 6) === 4 || (grams && (kind !== 'string' || (flags & 5) !== 1)) || ((flags & 16) !== 0 && (kind !== 'string' || flags !== 16))) {
    throw new DecodeError(`scalar index file has kind ${u32(2)} and flags ${flags}`);
  }
  if (flags & 16) return decodeRTree(bytes, u32(4), u32(5));
  const elements = (flags & 1) !== 0, rowCount = u32(4), n = u32(5), units = u32(6);
  const marks = { ...(flags & 2 ? { json: true, ...(flags & 4 ? { converted: true } : {}) } : {}), ...(grams ? { grams } : {}) };
  const expected = HEADER_BYTES + (kind === 'string' ? 4 * n + 4 * (n + 1) + 2 * units : 12 * n);
  if (bytes.length !== expected) throw new DecodeError(`scalar index file holds ${bytes.length} bytes, its header says ${expected}`);
  // A copy starts at offset 0 of its own buffer: every section is aligned.
  const body = bytes.slice(HEADER_BYTES).buffer;
  let ix: SortedIndex;
  if (kind === 'string') {
    const rows = new Int32Array(body, 0, n), offsets = new Uint32Array(body, 4 * n, n + 1), text = new Uint16Array(body, 8 * n + 4, units);
    ix = { kind, elements, ...marks, rowCount, rows, values: stringsOf(offsets, text) };
  } else {
    ix = { kind, elements, ...marks, rowCount, values: new Float64Array(body, 0, n), rows: new Int32Array(body, 8 * n, n) };
  }
  checkEntries(ix);
  return ix;
}

/** An RTREE file's leaves: finite boxes, min before max, rows in range and each at most once. */
function decodeRTree(bytes: Uint8Array, rowCount: number, n: number): SortedIndex {
  if (bytes.length !== HEADER_BYTES + 36 * n) throw new DecodeError(`scalar index file holds ${bytes.length} bytes, its header says ${HEADER_BYTES + 36 * n}`);
  const body = bytes.slice(HEADER_BYTES).buffer;
  const boxes = new Float64Array(body, 0, 4 * n), rows = new Int32Array(body, 32 * n, n), seen = new Uint8Array(rowCount);
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    if (row < 0 || row >= rowCount) throw new DecodeError(`scalar index names row ${row} of ${rowCount}`);
    if (seen[row]) throw new DecodeError(`scalar index names row ${row} twice`);
    seen[row] = 1;
    const [x0, y0, x1, y1] = boxes.subarray(4 * i, 4 * i + 4);
    if (!(Number.isFinite(x0) && Number.isFinite(y0) && Number.isFinite(x1) && Number.isFinite(y1) && x0! <= x1! && y0! <= y1!)) throw new DecodeError(`RTREE entry ${i} has a bad box`);
  }
  return rtreeIndex({ boxes, rows }, rowCount, { kind: 'string', elements: false });
}

const flagsOf = (ix: SortedIndex): number => ((ix.tree ? 16 : 0) | (ix.elements ? 1 : 0) | (ix.json ? 2 : 0) | (ix.json && ix.converted ? 4 : 0)
  | (ix.grams ? 8 | (ix.grams.min << 16) | (ix.grams.max << 24) : 0)) >>> 0;

/** An NGRAM file's gram lengths (flag 8), undefined without the flag; bad lengths are a DecodeError. */
function gramsIn(flags: number): GramRange | undefined {
  const min = (flags >>> 16) & 0xff, max = flags >>> 24;
  if ((flags & 8) === 0) { if (min || max) throw new DecodeError(`scalar index file has flags ${flags}`); return undefined; }
  if (min < 1 || min > max) throw new DecodeError(`scalar index file has gram lengths ${min}..${max}`);
  return { min, max };
}

function stringsOf(offsets: Uint32Array, text: Uint16Array): string[] {
  if (offsets[0] !== 0 || offsets[offsets.length - 1] !== text.length) throw new DecodeError('scalar index strings do not cover their text');
  const out: string[] = [];
  for (let i = 0; i + 1 < offsets.length; i++) {
    const start = offsets[i]!, end = offsets[i + 1]!;
    if (end < start) throw new DecodeError(`scalar index string ${i} ends before it starts`);
    // An entry repeating the one before (each row of a value, each gram) shares its string.
    if (i > 0 && sameUnits(text, offsets[i - 1]!, start, end)) { out.push(out[i - 1]!); continue; }
    let s = '';
    // In chunks: one call with a whole long string's units could exceed the argument limit.
    for (let at = start; at < end; at += 8192) s += String.fromCharCode(...text.subarray(at, Math.min(end, at + 8192)));
    out.push(s);
  }
  return out;
}

function sameUnits(text: Uint16Array, prev: number, start: number, end: number): boolean {
  if (start - prev !== end - start) return false;
  for (let k = 0; k < end - start; k++) if (text[prev + k] !== text[start + k]) return false;
  return true;
}

/** Entries strictly ascending by (value, row), rows in range, values of the kind, and a scalar field's row at most once. */
function checkEntries(ix: SortedIndex): void {
  const values = ix.values as ArrayLike<Key>, seen = ix.elements ? undefined : new Uint8Array(ix.rowCount);
  for (let i = 0; i < ix.rows.length; i++) {
    const row = ix.rows[i]!, value = values[i]!;
    if (row < 0 || row >= ix.rowCount) throw new DecodeError(`scalar index names row ${row} of ${ix.rowCount}`);
    if (ix.kind !== 'string' && !(ix.kind === 'bool' ? value === 0 || value === 1 : Number.isFinite(value))) throw new DecodeError(`scalar index holds ${String(value)}, not a ${ix.kind} value`);
    if (i > 0 && (compareKeys(values[i - 1]!, value) || ix.rows[i - 1]! - row) >= 0) throw new DecodeError(`scalar index entry ${i} is out of order`);
    if (seen) { if (seen[row]) throw new DecodeError(`scalar index names row ${row} twice`); seen[row] = 1; }
  }
}
