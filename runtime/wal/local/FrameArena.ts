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
  private chunk: Buffer = Buffer.alloc(0);
  private used = 0;

  /** Payloads up to `smallBytes` are copied; chunks are `chunkBytes` long. */
  constructor(readonly smallBytes = 16 * 1024, private readonly chunkBytes = 1 << 20) {}

  /** Frames `entry`, pushes its iovecs onto `out`, returns the frame's size on disk. */
  frame(entry: WalEntry, flags: number, out: Uint8Array[]): number {
    const len = entry.payload.length;
    const copy = len <= this.smallBytes;
    const need = copy ? FRAME_HEADER + len : FRAME_HEADER;
    if (this.used + need > this.chunk.length) {
      this.chunk = Buffer.allocUnsafeSlow(Math.max(this.chunkBytes, need));
      this.used = 0;
    }
    const at = this.used;
    writeFrame(this.chunk, at, entry, flags, copy);
    this.used += need;
    out.push(this.chunk.subarray(at, at + need));
    if (!copy) out.push(entry.payload);
    return FRAME_HEADER + len;
  }
}

/** Joins iovecs that are adjacent in memory, in order, so the kernel gets fewer, longer ones. */
export function coalesce(iov: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let run: Uint8Array | undefined;
  let runEnd = 0;
  for (const v of iov) {
    if (run && v.buffer === run.buffer && v.byteOffset === runEnd) {
      runEnd += v.byteLength;
      continue;
    }
    if (run) out.push(new Uint8Array(run.buffer, run.byteOffset, runEnd - run.byteOffset));
    run = v;
    runEnd = v.byteOffset + v.byteLength;
  }
  if (run) out.push(new Uint8Array(run.buffer, run.byteOffset, runEnd - run.byteOffset));
  return out;
}
