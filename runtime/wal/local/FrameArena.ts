/**
 * Where append() frames entries before the group commit writes them. Small
 * entries are copied, header and payload together, into large shared chunks, so
 * a group of thousands of 1 KB appends becomes a handful of contiguous iovecs and
 * one crc pass per frame; large payloads are not copied: only their header goes
 * into the chunk and the payload is written from where it lies. Pure memory.
 */
import type { WalEntry } from '../../ports/walBackend.js';
import { FRAME_HEADER, writeFrame } from './frame.js';

export class FrameArena {
  /** The chunk frames are being copied into. */
  chunk: Uint8Array = new Uint8Array(0);
  private dv = new DataView(this.chunk.buffer);
  private used = 0;

  /** Payloads up to `smallBytes` are copied; chunks are `chunkBytes` long. */
  constructor(readonly smallBytes = 16 * 1024, private readonly chunkBytes = 1 << 20) {}

  /**
   * Frames a small entry whole into `this.chunk` (which it may first replace)
   * and returns the frame's offset there; the frame is FRAME_HEADER + payload long.
   */
  frameSmall(entry: WalEntry, flags: number): number {
    const need = FRAME_HEADER + entry.payload.length;
    const at = this.reserve(need);
    writeFrame(this.chunk, this.dv, at, entry, flags, true);
    return at;
  }

  /** Frames `entry` (copied if small), pushes its iovecs onto `out`, returns the frame's size on disk. */
  frame(entry: WalEntry, flags: number, out: Uint8Array[]): number {
    const len = entry.payload.length;
    const copy = len <= this.smallBytes;
    const need = copy ? FRAME_HEADER + len : FRAME_HEADER;
    const at = this.reserve(need);
    writeFrame(this.chunk, this.dv, at, entry, flags, copy);
    out.push(this.chunk.subarray(at, at + need));
    if (!copy) out.push(entry.payload);
    return FRAME_HEADER + len;
  }

  private reserve(need: number): number {
    if (this.used + need > this.chunk.length) {
      // Not zeroed: every byte handed out is written by writeFrame first.
      this.chunk = new Uint8Array(Buffer.allocUnsafeSlow(Math.max(this.chunkBytes, need)).buffer);
      this.dv = new DataView(this.chunk.buffer);
      this.used = 0;
    }
    const at = this.used;
    this.used += need;
    return at;
  }
}
