/**
 * The bytes of one JetStream message of a jetstream WAL (pure, no I/O).
 *
 * Every stream message starts with a 24-byte prefix:
 *
 *   u8 kind (1 data, 2 fence) | u8 flags (bit 0: last chunk) | u16 chunk index |
 *   u64 term | u64 position | u32 entry count
 *
 * A *group* is one or more entries appended together (a group commit, or an atomic
 * `appendBatch`); `position` is the position of its first entry and `count` its size.
 * The group's body, `(u64 tso, u32 length, payload)*`, is cut into chunks that fit the
 * server's max payload; each chunk is one stream message, so a group becomes durable
 * only when its last chunk is. A fence carries the next position to be written and
 * no entries. JetStream checksums stored messages itself, so frames add none.
 */
import { DecodeError } from '../../../messages/errors.js';
import type { WalEntry } from '../../ports/walBackend.js';

export const FrameKind = { Data: 1, Fence: 2 } as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

export const PREFIX_BYTES = 24;
/** Per-entry overhead inside a group body. */
export const ENTRY_OVERHEAD = 12;

/** The decoded prefix of one stream message plus its chunk body. */
export interface Frame {
  kind: FrameKind;
  last: boolean;
  chunk: number;
  term: number;
  /** Data: the group's first position. Fence: the next position to be written. */
  position: number;
  count: number;
  body: Uint8Array;
}

/** Encodes one message: the prefix and a chunk of a group body. */
export function encodeFrame(f: Omit<Frame, 'body'>, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(PREFIX_BYTES + body.length);
  writePrefix(out, f);
  out.set(body, PREFIX_BYTES);
  return out;
}

function writePrefix(out: Uint8Array, f: Omit<Frame, 'body'>): void {
  const v = new DataView(out.buffer, out.byteOffset, PREFIX_BYTES);
  v.setUint8(0, f.kind);
  v.setUint8(1, f.last ? 1 : 0);
  v.setUint16(2, f.chunk, true);
  v.setBigUint64(4, BigInt(f.term), true);
  v.setBigUint64(12, BigInt(f.position), true);
  v.setUint32(20, f.count, true);
}

/** Decodes one stream message; a message that is not ours is a DecodeError. */
export function decodeFrame(data: Uint8Array): Frame {
  if (data.length < PREFIX_BYTES) throw new DecodeError(`jetstream WAL frame of ${data.length} bytes is shorter than its prefix`);
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const kind = v.getUint8(0);
  if (kind !== FrameKind.Data && kind !== FrameKind.Fence) throw new DecodeError(`unknown jetstream WAL frame kind ${kind}`);
  return {
    kind,
    last: (v.getUint8(1) & 1) === 1,
    chunk: v.getUint16(2, true),
    term: Number(v.getBigUint64(4, true)),
    position: Number(v.getBigUint64(12, true)),
    count: v.getUint32(20, true),
    body: data.subarray(PREFIX_BYTES),
  };
}

/** Size of a group body holding these entries. */
export function groupBodySize(entries: readonly WalEntry[]): number {
  let n = 0;
  for (const e of entries) n += ENTRY_OVERHEAD + e.payload.length;
  return n;
}

/**
 * Encodes a group as the stream messages that carry it, each at most
 * `maxMessageBytes` long. Chunk indexes are u16, so a group may span 65,535 messages.
 */
export function encodeGroup(term: number, position: number, entries: readonly WalEntry[], maxMessageBytes: number): Uint8Array[] {
  const size = groupBodySize(entries);
  // The common case, one message: write the entries straight after the prefix (one copy).
  if (PREFIX_BYTES + size <= maxMessageBytes) {
    const out = new Uint8Array(PREFIX_BYTES + size);
    writePrefix(out, { kind: FrameKind.Data, last: true, chunk: 0, term, position, count: entries.length });
    writeEntries(out, PREFIX_BYTES, entries);
    return [out];
  }
  const body = new Uint8Array(size);
  writeEntries(body, 0, entries);
  const room = maxMessageBytes - PREFIX_BYTES;
  const chunks = Math.ceil(body.length / room);
  if (chunks > 0xffff) throw new RangeError(`a group of ${body.length} bytes needs ${chunks} chunks`);
  const out: Uint8Array[] = [];
  for (let c = 0; c < chunks; c++) {
    const part = body.subarray(c * room, Math.min(body.length, (c + 1) * room));
    out.push(encodeFrame({ kind: FrameKind.Data, last: c === chunks - 1, chunk: c, term, position, count: entries.length }, part));
  }
  return out;
}

function writeEntries(out: Uint8Array, at: number, entries: readonly WalEntry[]): void {
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (const e of entries) {
    v.setBigUint64(at, e.tso, true);
    v.setUint32(at + 8, e.payload.length, true);
    out.set(e.payload, at + ENTRY_OVERHEAD);
    at += ENTRY_OVERHEAD + e.payload.length;
  }
}

/** Decodes a whole group body back into entries; a count or length mismatch is a DecodeError. */
export function decodeGroupBody(body: Uint8Array, count: number): WalEntry[] {
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const out: WalEntry[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + ENTRY_OVERHEAD > body.length) throw new DecodeError(`jetstream WAL group truncated at entry ${i} of ${count}`);
    const tso = v.getBigUint64(at, true);
    const len = v.getUint32(at + 8, true);
    at += ENTRY_OVERHEAD;
    if (at + len > body.length) throw new DecodeError(`jetstream WAL entry ${i} overruns its group`);
    out.push({ tso, payload: body.subarray(at, at + len) });
    at += len;
  }
  if (at !== body.length) throw new DecodeError(`jetstream WAL group has ${body.length - at} trailing bytes`);
  return out;
}

/** Encodes a fence: `term` now owns the stream; the next entry gets `nextPosition`. */
export function encodeFence(term: number, nextPosition: number): Uint8Array {
  return encodeFrame({ kind: FrameKind.Fence, last: true, chunk: 0, term, position: nextPosition, count: 0 }, new Uint8Array(0));
}
