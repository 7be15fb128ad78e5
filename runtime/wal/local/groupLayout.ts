/**
 * The iovecs of one group of framed appends, adjacent frames joined, so
 * thousands of 1 KB appends framed into a few chunks (FrameArena) reach the
 * kernel as a handful of iovecs. Runs of small appends are joined by chunk
 * identity and offset, without making a view per frame (1 KB appends are
 * CPU-bound). Pure memory.
 */
import type { Pending } from './GroupCommit.js';

export function layoutGroup(group: readonly Pending[]): Uint8Array[] {
  const iov: Uint8Array[] = [];
  // The open run of small appends in one chunk.
  let chunk: Uint8Array | undefined;
  let start = 0;
  let end = 0;
  for (const p of group) {
    if (p.chunk) {
      if (p.chunk === chunk && p.at === end) { end += p.bytes; continue; }
      if (chunk) iov.push(chunk.subarray(start, end));
      chunk = p.chunk;
      start = p.at;
      end = p.at + p.bytes;
      continue;
    }
    if (chunk) iov.push(chunk.subarray(start, end));
    chunk = undefined;
    for (const v of p.iov!) joinOrPush(iov, v);
  }
  if (chunk) iov.push(chunk.subarray(start, end));
  return iov;
}

/** Pushes `v`, or extends the last iovec when `v` continues it in memory (the frames of a batch do). */
function joinOrPush(iov: Uint8Array[], v: Uint8Array): void {
  const last = iov[iov.length - 1];
  if (last && last.buffer === v.buffer && last.byteOffset + last.byteLength === v.byteOffset) {
    iov[iov.length - 1] = new Uint8Array(last.buffer, last.byteOffset, last.byteLength + v.byteLength);
  } else iov.push(v);
}
