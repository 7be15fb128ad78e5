/**
 * The frame of one WAL entry on disk, in the hypercore manner (STYLE.md 9):
 *
 *   crc32 u32 | length u32 | flags u8 | tso u64 | payload (length bytes)
 *
 * big-endian; the crc covers everything after itself. Flags mark atomic batches:
 * the first frame of a batch carries BatchBegin, the last BatchEnd, a single
 * append both. A scan accepts only whole batches, so a batch cut by a crash
 * disappears as a unit.
 *
 * Blocks (as Kafka's record batches and Woodpecker's blocks): a run of small
 * single appends written together is preceded by a block header, a frame with
 * the Block flag whose length is the run's bytes, whose tso field counts its
 * frames, and whose crc covers its own header and the whole run. The frames
 * inside carry Covered and no crc of their own (0): at 1 KB entries a crc call
 * per frame was the largest cost of an append (measured: the block's one call
 * made 1 KB appends 1.4x faster on tmpfs). Batches and large entries keep a crc
 * each and are never inside a block. A block is accepted whole or not at all,
 * like a batch.
 *
 * A frame with flag bits this version does not know, whose crc over itself is
 * good, was written by a newer format: scans stop there as 'newer', and the log
 * is refused rather than cut (a frame kind added later must carry such a crc).
 * Pure: no I/O here.
 */
import { NATIVE_FROM, crc32, crc32Range, nativeCrc32 } from '../../crc32.js';
import type { WalEntry, WalRecord } from '../../ports/walBackend.js';

/** Bytes before the payload. */
export const FRAME_HEADER = 17;

/** Flag bits of a frame. */
export const FrameFlag = { BatchBegin: 1, BatchEnd: 2, Block: 4, Covered: 8 } as const;

const KNOWN_FLAGS = FrameFlag.BatchBegin | FrameFlag.BatchEnd | FrameFlag.Covered;
const ALL_KNOWN = KNOWN_FLAGS | FrameFlag.Block;
const SINGLE = FrameFlag.BatchBegin | FrameFlag.BatchEnd;

/**
 * Writes the frame of `entry` at `buf[at..]` (`dv` views the same bytes): the
 * whole frame (payload copied, one crc pass over contiguous bytes) when
 * `copyPayload`, else only the header, with the crc chained over the payload
 * where it lies. Returns the bytes written. The caller checks the tso range
 * (TSO_MAX); DataView stores wrap instead of throwing.
 */
export function writeFrame(buf: Uint8Array, dv: DataView, at: number, entry: WalEntry, flags: number, copyPayload: boolean): number {
  const len = entry.payload.length;
  dv.setUint32(at + 4, len);
  buf[at + 8] = flags;
  dv.setBigUint64(at + 9, entry.tso);
  if ((flags & FrameFlag.Covered) !== 0) {
    // Its block's crc covers it (blockHeader()).
    dv.setUint32(at, 0);
    buf.set(entry.payload, at + FRAME_HEADER);
    return FRAME_HEADER + len;
  }
  // The payload's crc is taken from the caller's array either way: the same
  // bytes as the copy, and no view of the copy to make.
  dv.setUint32(at, payloadCrc(entry.payload, crc32Range(buf, at + 4, at + FRAME_HEADER)));
  if (!copyPayload) return FRAME_HEADER;
  buf.set(entry.payload, at + FRAME_HEADER);
  return FRAME_HEADER + len;
}

/**
 * crc32 of a whole payload, continuing from `value`: native code straight on the
 * array from NATIVE_FROM bytes on (crc32() would make a view of it first), the
 * table loop below that (see ../crc32.ts for why).
 */
function payloadCrc(p: Uint8Array, value: number): number {
  return p.length >= NATIVE_FROM ? nativeCrc32(p, value) : crc32(p, value);
}

/**
 * The header of a block over `frames` (the run's bytes, in order, `bytes` long,
 * `count` frames): its crc covers the header after the crc field, then the run.
 */
export function blockHeader(frames: readonly Uint8Array[], bytes: number, count: number): Uint8Array {
  const h = new Uint8Array(FRAME_HEADER);
  const dv = new DataView(h.buffer);
  dv.setUint32(4, bytes);
  h[8] = FrameFlag.Block;
  dv.setBigUint64(9, BigInt(count));
  let crc = crc32Range(h, 4, FRAME_HEADER);
  for (const f of frames) crc = payloadCrc(f, crc);
  dv.setUint32(0, crc);
  return h;
}

/** The largest tso a frame holds (u64). */
export const TSO_MAX = (1n << 64n) - 1n;

/** Why a scan stopped: a record limit, the end of the bytes, a bad frame, or a frame of a newer format. */
export type ScanStop = 'limit' | 'more' | 'bad' | 'newer';

/** What a scan of a byte range found. */
export interface ScanResult {
  records: WalRecord[];
  /** Offset (within the scanned bytes) of each record's frame. */
  offsets: number[];
  /** [start, end) offsets (within the scanned bytes) of each whole block taken, flattened. */
  blocks: number[];
  /** Offset just after the last whole batch and block (strict) or frame or block (trusted). */
  end: number;
  stop: ScanStop;
  /** When stop is 'more': bytes, counted from `end`, that would complete the next frame or block. */
  need: number;
}

/**
 * Parses frames from `buf[start..]`, numbering records from `firstPosition`.
 * Strict mode (used on bytes not yet known good: recovery, another process's
 * appends) keeps only whole batches and stops at the first frame whose crc or
 * flags are wrong. Trusted mode (bytes already indexed) checks each crc but not
 * batch boundaries, so it can start inside a batch. Either way a block is
 * checked and taken whole, so a scan must start at a frame outside blocks or
 * at a block header (SegmentFile aligns its reads so), and a covered frame
 * outside a block is bad. Stops between batches and blocks once `maxRecords`
 * are taken. Payloads are views into `buf`, not copies.
 */
export function scanFrames(bytes: Uint8Array, start: number, firstPosition: number, maxRecords: number, strict: boolean): ScanResult {
  // Plain Uint8Array views are cheaper to make than Buffer ones, one per payload.
  const buf = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const records: WalRecord[] = [];
  const offsets: number[] = [];
  const blocks: number[] = [];
  let at = start;
  let end = start;
  let batchStart = -1; // records index where the open batch began, -1 when none is open
  let blockEnd = -1; // end of the block being read, -1 outside blocks
  let blockFirst = 0; // records index of the block's first frame
  let blockCount = 0; // frames its header counts
  let stop: ScanStop = 'more';
  let need = 0;
  for (;;) {
    if (blockEnd >= 0 && at === blockEnd) {
      // The block's frames tiled it exactly; as many as its header counts.
      if (records.length - blockFirst !== blockCount) { stop = 'bad'; break; }
      blocks.push(blocks.pop()!, blockEnd);
      blockEnd = -1;
      end = at;
    }
    const open = batchStart >= 0 || blockEnd >= 0;
    if (!open && records.length >= maxRecords) { stop = 'limit'; break; }
    if (at + FRAME_HEADER > buf.length) { need = at + FRAME_HEADER - end; break; }
    const len = dv.getUint32(at + 4);
    const flags = buf[at + 8]!;
    if ((flags & ~ALL_KNOWN) !== 0 && at + FRAME_HEADER + len <= buf.length && dv.getUint32(at) === crc32Range(buf, at + 4, at + FRAME_HEADER + len)) {
      stop = 'newer';
      break;
    }
    if (flags === FrameFlag.Block) {
      if (open) { stop = 'bad'; break; }
      if (at + FRAME_HEADER + len > buf.length) { need = at + FRAME_HEADER + len - end; break; }
      if (dv.getUint32(at) !== crc32Range(buf, at + 4, at + FRAME_HEADER + len)) { stop = 'bad'; break; }
      blocks.push(at);
      blockEnd = at + FRAME_HEADER + len;
      blockFirst = records.length;
      blockCount = Number(dv.getBigUint64(at + 9));
      at += FRAME_HEADER;
      continue;
    }
    if (at + FRAME_HEADER + len > buf.length) { need = at + FRAME_HEADER + len - end; break; }
    const begin = (flags & FrameFlag.BatchBegin) !== 0;
    const covered = (flags & FrameFlag.Covered) !== 0;
    const badFlags = (flags & ~KNOWN_FLAGS) !== 0 || (strict && begin !== (batchStart < 0))
      // Covered frames are single appends, exactly within their block.
      || covered !== (blockEnd >= 0) || (covered && ((flags & SINGLE) !== SINGLE || at + FRAME_HEADER + len > blockEnd));
    if (badFlags || (!covered && dv.getUint32(at) !== crc32Range(buf, at + 4, at + FRAME_HEADER + len))) { stop = 'bad'; break; }
    if (batchStart < 0) batchStart = records.length;
    offsets.push(at);
    records.push({ position: firstPosition + records.length, tso: dv.getBigUint64(at + 9), payload: buf.subarray(at + FRAME_HEADER, at + FRAME_HEADER + len) });
    at += FRAME_HEADER + len;
    if (!strict || (flags & FrameFlag.BatchEnd) !== 0) {
      batchStart = -1;
      if (blockEnd < 0) end = at;
    }
  }
  if (blockEnd >= 0) {
    // A block is taken whole or not at all.
    blocks.pop();
    while (offsets.length > 0 && offsets[offsets.length - 1]! >= end) { offsets.pop(); records.pop(); }
  } else if (batchStart >= 0) { records.length = batchStart; offsets.length = batchStart; }
  return { records, offsets, blocks, end, stop, need };
}
