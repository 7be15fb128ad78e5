/**
 * The bytes of one fragment object of the object WAL (pure, no I/O), and how a
 * reader checks them against the commit record that names the fragment.
 *
 *   header (32 B): u32 magic 'NHWF' | u8 version | 3 B zero | u64 term |
 *                  u64 first position | u32 entry count | u32 crc32 of the header's first 28 B
 *   frames, version 2 (written):  (u32 length | u64 tso | payload)*
 *   frames, version 1 (still read): (u32 crc32 of the rest of the frame | u32 length | u64 tso | payload)*
 *
 * A fragment is one object, put whole, and read only through its commit record,
 * which holds the object's length and, from version 2, the crc32 of all of it
 * (version 1: of its header, every frame carrying its own). Nothing is returned
 * before all of it is checked, so a fragment cut short, altered or swapped for
 * another is refused whole, never half-read. Version 2 drops the per-frame
 * checksums: they found nothing more, and cost a checksum call per entry (a
 * thousand per fragment of 1 KB entries). Its checksum lives in the commit record,
 * not in the object, so the writer computes it while the object is being put
 * instead of before.
 */
import { DecodeError } from '../../../messages/errors.js';
import type { WalRecord } from '../../ports/walBackend.js';
import { crc32Range } from '../../crc32.js';

export const FRAGMENT_MAGIC = 0x4e485746; // 'NHWF'
/** The version written. */
export const FRAGMENT_VERSION = 2;
export const FRAGMENT_HEADER_BYTES = 32;
/** Bytes a frame takes beyond its payload (version written). */
export const FRAME_OVERHEAD = 12;
const V1_FRAME_OVERHEAD = 16;

/** What the header of a fragment says. */
export interface FragmentHeader { version: number; term: number; first: number; count: number }

/** What the commit record of a fragment says about its object. */
export interface FragmentSeal { bytes: number; /** crc32 of the object (version 1: of its header) */ crc: number }

export const view = (data: Uint8Array): DataView => new DataView(data.buffer, data.byteOffset, data.byteLength);

/** The checksum a commit record names for a version 2 fragment: crc32 of the whole object. */
export function fragmentCrc(data: Uint8Array): number {
  return crc32Range(data, 0, data.length);
}

/** Reads and checks a fragment header (either version). */
export function decodeFragmentHeader(data: Uint8Array): FragmentHeader {
  if (data.length < FRAGMENT_HEADER_BYTES) throw new DecodeError(`fragment of ${data.length} bytes is shorter than its header`);
  const v = view(data);
  if (v.getUint32(0, true) !== FRAGMENT_MAGIC) throw new DecodeError('fragment has a bad magic number');
  const version = v.getUint8(4);
  if (version !== 1 && version !== FRAGMENT_VERSION) throw new DecodeError(`fragment version ${version} is unknown`);
  if (v.getUint32(28, true) !== crc32Range(data, 0, 28)) throw new DecodeError('fragment header checksum mismatch');
  return { version, term: Number(v.getBigUint64(8, true)), first: Number(v.getBigUint64(16, true)), count: v.getUint32(24, true) };
}

/**
 * Decodes every entry of a fragment as records, after checking all of it against
 * its commit record; any damage or mismatch is a DecodeError.
 */
export function decodeFragment(data: Uint8Array, seal: FragmentSeal): WalRecord[] {
  if (data.length !== seal.bytes) throw new DecodeError(`fragment has ${data.length} bytes, its commit record says ${seal.bytes}`);
  const h = decodeFragmentHeader(data);
  const v = view(data);
  const v1 = h.version === 1;
  const crc = v1 ? v.getUint32(28, true) : fragmentCrc(data);
  if (crc !== seal.crc) throw new DecodeError('fragment checksum differs from its commit record');
  const overhead = v1 ? V1_FRAME_OVERHEAD : FRAME_OVERHEAD;
  const lenAt = v1 ? 4 : 0;
  const out: WalRecord[] = [];
  let at = FRAGMENT_HEADER_BYTES;
  for (let i = 0; i < h.count; i++) {
    if (at + overhead > data.length) throw new DecodeError(`fragment ends inside frame ${i} of ${h.count}`);
    const len = v.getUint32(at + lenAt, true);
    const end = at + overhead + len;
    if (end > data.length) throw new DecodeError(`frame ${i} overruns its fragment`);
    if (v1 && v.getUint32(at, true) !== crc32Range(data, at + 4, end)) throw new DecodeError(`frame ${i} checksum mismatch`);
    out.push({ position: h.first + i, tso: v.getBigUint64(at + lenAt + 4, true), payload: data.subarray(at + overhead, end) });
    at = end;
  }
  if (at !== data.length) throw new DecodeError(`fragment has ${data.length - at} trailing bytes`);
  return out;
}
