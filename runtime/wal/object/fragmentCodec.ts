/**
 * The bytes of one fragment object of the object WAL (pure, no I/O), framed in the
 * hypercore manner:
 *
 *   header (32 B): u32 magic 'NHWF' | u8 version | 3 B zero | u64 term |
 *                  u64 first position | u32 entry count | u32 crc32 of the header's first 28 B
 *   frames:        (u32 crc32 of the rest of the frame | u32 length | u64 tso | payload)*
 *
 * Every byte is covered by the header's or a frame's crc32. The metadata record of
 * a committed fragment also holds the object's length and its header crc, and a
 * reader checks all of it before it returns any entry: a fragment that was cut
 * short, altered or swapped for another is refused, never half-read.
 */
import { crc32 } from 'node:zlib';
import { DecodeError } from '../../../messages/errors.js';
import type { WalEntry, WalRecord } from '../../ports/walBackend.js';

const MAGIC = 0x4e485746; // 'NHWF'
const VERSION = 1;
export const FRAGMENT_HEADER_BYTES = 32;
export const FRAME_OVERHEAD = 16;

/** What the header of a fragment says. */
export interface FragmentHeader { term: number; first: number; count: number }

/** Bytes a fragment of these entries takes. */
export function fragmentSize(entries: readonly WalEntry[]): number {
  let n = FRAGMENT_HEADER_BYTES;
  for (const e of entries) n += FRAME_OVERHEAD + e.payload.length;
  return n;
}

/** Encodes a fragment holding `entries` at positions first, first+1, ... */
export function encodeFragment(h: FragmentHeader, entries: readonly WalEntry[]): Uint8Array {
  const out = new Uint8Array(fragmentSize(entries));
  const v = new DataView(out.buffer);
  v.setUint32(0, MAGIC, true);
  v.setUint8(4, VERSION);
  v.setBigUint64(8, BigInt(h.term), true);
  v.setBigUint64(16, BigInt(h.first), true);
  v.setUint32(24, h.count, true);
  v.setUint32(28, crc32(out.subarray(0, 28)), true);
  let at = FRAGMENT_HEADER_BYTES;
  for (const e of entries) {
    v.setUint32(at + 4, e.payload.length, true);
    v.setBigUint64(at + 8, e.tso, true);
    out.set(e.payload, at + FRAME_OVERHEAD);
    const end = at + FRAME_OVERHEAD + e.payload.length;
    v.setUint32(at, crc32(out.subarray(at + 4, end)), true);
    at = end;
  }
  return out;
}

/** The header checksum of an encoded fragment (what its commit record names). */
export function fragmentHeaderCrc(data: Uint8Array): number {
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(28, true);
}

/** Reads and checks a fragment header. */
export function decodeFragmentHeader(data: Uint8Array): FragmentHeader {
  if (data.length < FRAGMENT_HEADER_BYTES) throw new DecodeError(`fragment of ${data.length} bytes is shorter than its header`);
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (v.getUint32(0, true) !== MAGIC) throw new DecodeError('fragment has a bad magic number');
  if (v.getUint8(4) !== VERSION) throw new DecodeError(`fragment version ${v.getUint8(4)} is unknown`);
  if (v.getUint32(28, true) !== crc32(data.subarray(0, 28))) throw new DecodeError('fragment header checksum mismatch');
  return { term: Number(v.getBigUint64(8, true)), first: Number(v.getBigUint64(16, true)), count: v.getUint32(24, true) };
}

/** Decodes every entry of a fragment as records; any damage is a DecodeError. */
export function decodeFragment(data: Uint8Array): WalRecord[] {
  const h = decodeFragmentHeader(data);
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: WalRecord[] = [];
  let at = FRAGMENT_HEADER_BYTES;
  for (let i = 0; i < h.count; i++) {
    if (at + FRAME_OVERHEAD > data.length) throw new DecodeError(`fragment ends inside frame ${i} of ${h.count}`);
    const len = v.getUint32(at + 4, true);
    const end = at + FRAME_OVERHEAD + len;
    if (end > data.length) throw new DecodeError(`frame ${i} overruns its fragment`);
    if (v.getUint32(at, true) !== crc32(data.subarray(at + 4, end))) throw new DecodeError(`frame ${i} checksum mismatch`);
    out.push({ position: h.first + i, tso: v.getBigUint64(at + 8, true), payload: data.subarray(at + FRAME_OVERHEAD, end) });
    at = end;
  }
  if (at !== data.length) throw new DecodeError(`fragment has ${data.length - at} trailing bytes`);
  return out;
}
