import { DecodeError } from '../../../messages/errors.js';
import { crc32 } from '../../crc32.js';
import { bandShape } from './lshBands.js';
import type { BandTable, MinhashLshIndex } from './minhashLshIndex.js';

/**
 * The MINHASH_LSH index file, little-endian:
 *
 *   header (36 bytes): magic "NHMH" | version | metric (6: MHJACCARD) | dim | count | bands | element bits | flags | crc32
 *   payload: per band, keys u32[count] ascending | rows i32[count]; then, with flag 1 (with_raw_data), signatures u8[count*dim/8]
 *
 * The crc32 covers the header's first 32 bytes and the payload. A file is
 * checked whole (checksum, exact length, shape, keys in order, every row
 * once per band) before an index is made of it: a damaged file is a
 * DecodeError, never a half-read index.
 */
const MAGIC = 0x484d484e;
const VERSION = 1;
const HEADER_BYTES = 36;
const CRC_AT = 32;
const MHJACCARD_CODE = 6;
const RAW_FLAG = 1;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type Parts = Pick<MinhashLshIndex, 'dim' | 'count' | 'shape' | 'tables' | 'raw'>;

export function encodeMinhashLshFile(ix: Parts): Uint8Array {
  if (!LITTLE_ENDIAN) throw new DecodeError('MINHASH_LSH index files are little-endian; this host is not');
  const sections: ArrayBufferView[] = ix.tables.flatMap((t) => [t.keys, t.rows]);
  if (ix.raw) sections.push(ix.raw);
  const out = new Uint8Array(HEADER_BYTES + sections.reduce((n, s) => n + s.byteLength, 0));
  let at = HEADER_BYTES;
  for (const s of sections) { out.set(new Uint8Array(s.buffer, s.byteOffset, s.byteLength), at); at += s.byteLength; }
  const v = new DataView(out.buffer);
  [MAGIC, VERSION, MHJACCARD_CODE, ix.dim, ix.count, ix.shape.bands, ix.shape.elementBytes * 8, ix.raw ? RAW_FLAG : 0].forEach((x, i) => v.setUint32(i * 4, x, true));
  v.setUint32(CRC_AT, crc32(out.subarray(HEADER_BYTES), crc32(out.subarray(0, CRC_AT))), true);
  return out;
}

/** Reads a file written by encodeMinhashLshFile for a field of `dim` bits, or throws a DecodeError. */
export function decodeMinhashLshFile(bytes: Uint8Array, dim: number): Parts {
  if (!LITTLE_ENDIAN) throw new DecodeError('MINHASH_LSH index files are little-endian; this host is not');
  if (bytes.length < HEADER_BYTES) throw new DecodeError(`MINHASH_LSH index file of ${bytes.length} bytes is shorter than its header`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), u32 = (i: number) => v.getUint32(i * 4, true);
  if (u32(0) !== MAGIC) throw new DecodeError('not a MINHASH_LSH index file (bad magic)');
  if (u32(1) !== VERSION) throw new DecodeError(`unsupported MINHASH_LSH index file version ${u32(1)}`);
  if (crc32(bytes.subarray(HEADER_BYTES), crc32(bytes.subarray(0, CRC_AT))) !== u32(8)) throw new DecodeError('MINHASH_LSH index file checksum mismatch');
  if (u32(2) !== MHJACCARD_CODE) throw new DecodeError('MINHASH_LSH index file was built for another metric than MHJACCARD');
  if (u32(3) !== dim) throw new DecodeError(`index was built for dim ${u32(3)}, expected ${dim}`);
  const count = u32(4), bands = u32(5), bits = u32(6), raw = (u32(7) & RAW_FLAG) !== 0;
  if (![8, 16, 32, 64].includes(bits) || dim % 8 !== 0) throw new DecodeError(`MINHASH_LSH index file names element width ${bits} for dim ${dim}`);
  let shape;
  try { shape = bandShape(dim / 8, bits / 8, bands); } catch (e) { throw new DecodeError(`MINHASH_LSH index file shape: ${(e as Error).message}`, e); }
  const expected = HEADER_BYTES + bands * count * 8 + (raw ? (count * dim) / 8 : 0);
  if (bytes.length !== expected) throw new DecodeError(`MINHASH_LSH index file holds ${bytes.length} bytes, its header says ${expected}`);
  // A copy starts at offset 0 of its own buffer: every section is 4-byte aligned.
  const body = bytes.slice(HEADER_BYTES).buffer;
  const tables: BandTable[] = [];
  const seen = new Uint32Array(count);
  for (let j = 0; j < bands; j++) {
    const keys = new Uint32Array(body, j * count * 8, count), rows = new Int32Array(body, j * count * 8 + count * 4, count);
    for (let i = 1; i < count; i++) if (keys[i]! < keys[i - 1]!) throw new DecodeError(`MINHASH_LSH band ${j} keys are out of order`);
    for (const r of rows) {
      if (r < 0 || r >= count || seen[r] !== j) throw new DecodeError(`MINHASH_LSH band ${j} names row ${r} out of range or twice`);
      seen[r] = j + 1;
    }
    tables.push({ keys, rows });
  }
  return { dim, count, shape, tables, raw: raw ? new Uint8Array(body, bands * count * 8, (count * dim) / 8) : null };
}
