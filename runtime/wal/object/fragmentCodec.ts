/**
 * The bytes of one fragment object of the object WAL (pure, no I/O).
 *
 * Version 2 (written):
 *
 *   header (36 B): u32 magic 'NHWF' | u8 version | 3 B zero | u64 term |
 *                  u64 first position | u32 entry count | u32 crc32 of the frames |
 *                  u32 crc32 of the header's first 32 B
 *   frames:        (u32 length | u64 tso | payload)*
 *
 * One checksum covers all frames, not one per frame as in a local log file: a
 * fragment is one object, put whole and checked whole before any entry is
 * returned, so per-frame checksums would find nothing more, and the writer would
 * pay a checksum call per entry (a thousand per fragment of 1 KB entries). The
 * header checksum covers the frames' checksum, and the commit record of a fragment
 * holds the object's length and the header checksum: a fragment cut short,
 * altered or swapped for another is refused whole, never half-read.
 *
 * Version 1 (still read): a 32 B header without the frames' checksum (its own
 * crc32 at offset 28), and frames of (u32 crc32 of the rest of the frame | u32
 * length | u64 tso | payload).
 */
import { DecodeError } from '../../../messages/errors.js';
import type { WalEntry, WalRecord } from '../../ports/walBackend.js';
import { crc32Range } from '../crc32.js';

const MAGIC = 0x4e485746; // 'NHWF'
const VERSION = 2;
/** Header bytes of the version written. */
export const FRAGMENT_HEADER_BYTES = 36;
/** Bytes a frame takes beyond its payload (version written). */
export const FRAME_OVERHEAD = 12;

const V1_HEADER = 32;
const V1_FRAME = 16;

const view = (data: Uint8Array): DataView => new DataView(data.buffer, data.byteOffset, data.byteLength);

/** What the header of a fragment says. */
export interface FragmentHeader { version: number; term: number; first: number; count: number }

/**
 * Encodes a fragment entry by entry, as appends arrive, into one buffer that
 * grows by doubling: no entry objects kept, no per-entry checksum. `finish` writes
 * the header and the one checksum of the frames.
 */
export class FragmentBuilder {
  private buf: Uint8Array;
  private v: DataView;
  private end = FRAGMENT_HEADER_BYTES;
  /** Entries added so far. */
  count = 0;

  /**
   * @param room a buffer to encode into (what it holds is overwritten), or how
   * many bytes to reserve; either way the buffer grows as needed
   */
  constructor(room: Uint8Array | number) {
    this.buf = typeof room !== 'number' && room.length >= FRAGMENT_HEADER_BYTES ? room : Buffer.allocUnsafe(Math.max(FRAGMENT_HEADER_BYTES, typeof room === 'number' ? room : 0));
    this.v = view(this.buf);
  }

  /** Bytes of the fragment so far, header included. */
  get bytes(): number { return this.end; }

  /** The whole buffer encoded into, for another builder once the fragment's bytes are no longer needed. */
  get buffer(): Uint8Array { return this.buf; }

  /** Adds a batch whole, or nothing if an entry cannot be encoded (the error is thrown). */
  addAll(entries: readonly WalEntry[]): void {
    const end = this.end;
    const count = this.count;
    try {
      for (const e of entries) this.add(e.tso, e.payload);
    } catch (err) {
      this.end = end;
      this.count = count;
      throw err;
    }
  }

  add(tso: bigint, payload: Uint8Array): void {
    const end = this.end + FRAME_OVERHEAD + payload.length;
    if (end > this.buf.length) this.grow(end);
    this.v.setUint32(this.end, payload.length, true);
    this.v.setBigUint64(this.end + 4, tso, true);
    this.buf.set(payload, this.end + FRAME_OVERHEAD);
    this.end = end;
    this.count++;
  }

  /** The encoded fragment (a view of the builder's buffer: add nothing after this). */
  finish(term: number, first: number): Uint8Array {
    const v = this.v;
    v.setUint32(0, MAGIC, true);
    v.setUint32(4, VERSION, true); // version byte, then the three zero bytes
    v.setBigUint64(8, BigInt(term), true);
    v.setBigUint64(16, BigInt(first), true);
    v.setUint32(24, this.count, true);
    v.setUint32(28, crc32Range(this.buf, FRAGMENT_HEADER_BYTES, this.end), true);
    v.setUint32(32, crc32Range(this.buf, 0, 32), true);
    return this.buf.subarray(0, this.end);
  }

  private grow(need: number): void {
    const next = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.end));
    this.buf = next;
    this.v = view(next);
  }
}

/** Encodes a fragment holding `entries` at positions first, first+1, ... */
export function encodeFragment(h: { term: number; first: number }, entries: readonly WalEntry[]): Uint8Array {
  let n = FRAGMENT_HEADER_BYTES;
  for (const e of entries) n += FRAME_OVERHEAD + e.payload.length;
  const b = new FragmentBuilder(n);
  b.addAll(entries);
  return b.finish(h.term, h.first);
}

/** The header checksum of an encoded fragment (what its commit record names), or undefined if it has no whole header. */
export function fragmentHeaderCrc(data: Uint8Array): number | undefined {
  if (data.length < V1_HEADER) return undefined;
  const v = view(data);
  if (v.getUint8(4) === 1) return v.getUint32(28, true);
  return data.length < FRAGMENT_HEADER_BYTES ? undefined : v.getUint32(32, true);
}

/** Reads and checks a fragment header (either version). */
export function decodeFragmentHeader(data: Uint8Array): FragmentHeader {
  if (data.length < V1_HEADER) throw new DecodeError(`fragment of ${data.length} bytes is shorter than its header`);
  const v = view(data);
  if (v.getUint32(0, true) !== MAGIC) throw new DecodeError('fragment has a bad magic number');
  const version = v.getUint8(4);
  if (version !== 1 && version !== VERSION) throw new DecodeError(`fragment version ${version} is unknown`);
  const crcAt = version === 1 ? 28 : 32;
  if (data.length < crcAt + 4) throw new DecodeError(`fragment of ${data.length} bytes is shorter than its header`);
  if (v.getUint32(crcAt, true) !== crc32Range(data, 0, crcAt)) throw new DecodeError('fragment header checksum mismatch');
  return { version, term: Number(v.getBigUint64(8, true)), first: Number(v.getBigUint64(16, true)), count: v.getUint32(24, true) };
}

/** Decodes every entry of a fragment as records; any damage is a DecodeError. */
export function decodeFragment(data: Uint8Array): WalRecord[] {
  const h = decodeFragmentHeader(data);
  const v = view(data);
  const v1 = h.version === 1;
  if (!v1 && v.getUint32(28, true) !== crc32Range(data, FRAGMENT_HEADER_BYTES, data.length)) throw new DecodeError('fragment frames checksum mismatch');
  const overhead = v1 ? V1_FRAME : FRAME_OVERHEAD;
  const lenAt = v1 ? 4 : 0;
  const out: WalRecord[] = [];
  let at = v1 ? V1_HEADER : FRAGMENT_HEADER_BYTES;
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
