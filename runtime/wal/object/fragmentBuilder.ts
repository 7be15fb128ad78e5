/**
 * Encodes an object-WAL fragment (format: fragmentCodec.ts) entry by entry, as
 * appends arrive, into one buffer: no entry objects kept, no per-entry checksum,
 * and a buffer can be reused for the next fragment once its object is put.
 */
import type { WalEntry } from '../../ports/walBackend.js';
import { crc32Range } from '../../crc32.js';
import { FRAGMENT_HEADER_BYTES, FRAGMENT_MAGIC, FRAGMENT_VERSION, FRAME_OVERHEAD, view } from './fragmentCodec.js';

export class FragmentBuilder {
  private buf: Uint8Array;
  private v: DataView;
  private end = FRAGMENT_HEADER_BYTES;
  /** Entries added so far. */
  count = 0;

  /**
   * @param room a buffer to encode into (what it holds is overwritten), or how
   * many bytes to reserve; either way it grows (doubling) as needed
   */
  constructor(room: Uint8Array | number) {
    this.buf = typeof room !== 'number' && room.length >= FRAGMENT_HEADER_BYTES ? room : Buffer.allocUnsafe(Math.max(FRAGMENT_HEADER_BYTES, typeof room === 'number' ? room : 0));
    this.v = view(this.buf);
  }

  /** Bytes of the fragment so far, header included. */
  get bytes(): number { return this.end; }

  /** The whole buffer encoded into, for another builder once the fragment's bytes are no longer needed. */
  get buffer(): Uint8Array { return this.buf; }

  add(tso: bigint, payload: Uint8Array): void {
    const end = this.end + FRAME_OVERHEAD + payload.length;
    if (end > this.buf.length) this.grow(end);
    // tso first: a bad one throws before anything is counted.
    this.v.setBigUint64(this.end + 4, tso, true);
    this.v.setUint32(this.end, payload.length, true);
    this.buf.set(payload, this.end + FRAME_OVERHEAD);
    this.end = end;
    this.count++;
  }

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

  /** Writes the header; returns the fragment, a view of the builder's buffer (add nothing after this). */
  finish(term: number, first: number): Uint8Array {
    const v = this.v;
    v.setUint32(0, FRAGMENT_MAGIC, true);
    v.setUint32(4, FRAGMENT_VERSION, true); // the version byte, then three zero bytes
    v.setBigUint64(8, BigInt(term), true);
    v.setBigUint64(16, BigInt(first), true);
    v.setUint32(24, this.count, true);
    v.setUint32(28, crc32Range(this.buf, 0, 28), true);
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
