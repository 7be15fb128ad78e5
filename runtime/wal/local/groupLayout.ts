/**
 * The iovecs of one group of framed appends. Small single appends (framed into
 * a few chunks by FrameArena, as Covered frames) are joined by chunk identity
 * and offset into runs, without making a view per frame (1 KB appends are
 * CPU-bound), and each run goes out behind its block header (frame.ts), whose
 * one crc covers the run. Batches and large appends carry their own crcs and
 * go as they are. Pure memory.
 */
import { FRAME_HEADER, blockHeader } from './frame.js';
import type { Pending } from './GroupCommit.js';

/** What a group becomes on disk. */
export interface GroupLayout {
  iov: Uint8Array[];
  /** Bytes of the group's frames plus its block headers. */
  bytes: number;
  /** Its blocks' [start, end) offsets from the group's start, flattened, in order. */
  blocks: number[];
}

/** Whether `p` starts a new run after `prev` in a group: it then costs a block header. */
function startsRun(prev: Pending | undefined, p: Pending): boolean {
  return p.chunk !== undefined && !(prev !== undefined && prev.chunk === p.chunk && prev.at + prev.bytes === p.at);
}

/** The bytes `p` adds on disk after `prev` in a group: its frames, and a block header when it starts a run. */
export function diskBytes(prev: Pending | undefined, p: Pending): number {
  return startsRun(prev, p) ? p.bytes + FRAME_HEADER : p.bytes;
}

export function layoutGroup(group: readonly Pending[]): GroupLayout {
  const iov: Uint8Array[] = [];
  const blocks: number[] = [];
  let bytes = 0;
  // The open run of small appends in one chunk.
  let chunk: Uint8Array | undefined;
  let start = 0;
  let end = 0;
  let count = 0;
  const closeRun = (): void => {
    const run = chunk!.subarray(start, end);
    iov.push(blockHeader([run], run.length, count), run);
    blocks.push(bytes, bytes + FRAME_HEADER + run.length);
    bytes += FRAME_HEADER + run.length;
    chunk = undefined;
  };
  let prev: Pending | undefined;
  for (const p of group) {
    const after = prev;
    prev = p;
    if (p.chunk) {
      if (!startsRun(after, p)) { end += p.bytes; count++; continue; }
      if (chunk) closeRun();
      chunk = p.chunk;
      start = p.at;
      end = p.at + p.bytes;
      count = 1;
      continue;
    }
    if (chunk) closeRun();
    for (const v of p.iov!) joinOrPush(iov, v);
    bytes += p.bytes;
  }
  if (chunk) closeRun();
  return { iov, bytes, blocks };
}

/** Pushes `v`, or extends the last iovec when `v` continues it in memory (the frames of a batch do). */
function joinOrPush(iov: Uint8Array[], v: Uint8Array): void {
  const last = iov[iov.length - 1];
  if (last && last.buffer === v.buffer && last.byteOffset + last.byteLength === v.byteOffset) {
    iov[iov.length - 1] = new Uint8Array(last.buffer, last.byteOffset, last.byteLength + v.byteLength);
  } else iov.push(v);
}
