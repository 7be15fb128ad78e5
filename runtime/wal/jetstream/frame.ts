/**
 * The frames of a jetstream WAL stream (pure, no I/O).
 *
 * Every stream message carries its frame in the NATS header `Nuthatch-Frame`, as
 * decimal fields `kind last chunk term position count [tso]`, and a chunk of its
 * group's body as its data:
 *
 * - kind 1 (data) or 2 (fence); last = 1 on a group's last chunk; chunk = index;
 * - a *group* is one or more entries appended together (a group commit, or an
 *   atomic `appendBatch`); `position` is its first entry's position, `count` its size;
 * - a group's body is, for one entry, the entry's payload itself, its tso being the
 *   header's seventh field — so an entry is published as the caller handed it,
 *   never copied (what makes large entries as cheap as plain publishes); for
 *   several entries, `(u64 tso, u32 length, payload)*` little-endian;
 * - the body is cut into chunks that fit the server's max payload; each chunk is one
 *   stream message, so a group becomes durable only when its last chunk is;
 * - a fence carries the next position to be written and no data.
 *
 * JetStream checksums stored messages itself, so frames add none.
 */
import { DecodeError } from '../../../messages/errors.js';
import type { WalEntry } from '../../ports/walBackend.js';

export const FrameKind = { Data: 1, Fence: 2 } as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** The NATS header that holds a message's frame. */
export const FRAME_HEADER = 'Nuthatch-Frame';
/** Per-entry overhead inside the body of a group of several entries. */
export const ENTRY_OVERHEAD = 12;

/** The decoded frame of one stream message plus its chunk of the body. */
export interface Frame {
  kind: FrameKind;
  last: boolean;
  chunk: number;
  term: number;
  /** Data: the group's first position. Fence: the next position to be written. */
  position: number;
  count: number;
  /** The tso of a one-entry group's entry (its body is the bare payload). */
  tso?: bigint;
  body: Uint8Array;
}

/** One stream message to publish: its `Nuthatch-Frame` header value and its data. */
export interface FrameMessage { frame: string; data: Uint8Array }

/** The `Nuthatch-Frame` header value of a frame. */
export function encodeFrameHeader(f: Omit<Frame, 'body'>): string {
  const base = `${f.kind} ${f.last ? 1 : 0} ${f.chunk} ${f.term} ${f.position} ${f.count}`;
  return f.tso === undefined ? base : `${base} ${f.tso}`;
}

const FIELD = /^\d{1,16}$/;

/** Decodes one stream message from its frame header and data; a message that is not ours is a DecodeError. */
export function decodeFrame(header: string | undefined, data: Uint8Array): Frame {
  const fields = (header ?? '').split(' ');
  if ((fields.length !== 6 && fields.length !== 7) || !fields.slice(0, 6).every((x) => FIELD.test(x))) {
    throw new DecodeError(`jetstream WAL message has no valid ${FRAME_HEADER} header: '${header ?? ''}'`);
  }
  const [kind, last, chunk, term, position, count] = fields.slice(0, 6).map(Number) as [number, number, number, number, number, number];
  if (kind !== FrameKind.Data && kind !== FrameKind.Fence) throw new DecodeError(`unknown jetstream WAL frame kind ${kind}`);
  if (last > 1 || chunk > 0xffff) throw new DecodeError(`jetstream WAL frame header '${header}' is out of range`);
  const f: Frame = { kind, last: last === 1, chunk, term, position, count, body: data };
  if (fields.length === 7) {
    if (!/^\d{1,20}$/.test(fields[6]!) || count !== 1) throw new DecodeError(`jetstream WAL frame header '${header}' has a bad tso`);
    f.tso = BigInt(fields[6]!);
  } else if (kind === FrameKind.Data && count === 1) {
    throw new DecodeError(`jetstream WAL frame header '${header}' of a one-entry group lacks its tso`);
  }
  return f;
}

/** Size of a group body holding these entries. */
export function groupBodySize(entries: readonly WalEntry[]): number {
  if (entries.length === 1) return entries[0]!.payload.length;
  let n = 0;
  for (const e of entries) n += ENTRY_OVERHEAD + e.payload.length;
  return n;
}

/**
 * Encodes a group as the stream messages that carry it, each with at most
 * `maxDataBytes` of data. Chunk indexes are u16, so a group may span 65,535 messages.
 * A one-entry group's chunks are views of the entry's payload (no copy).
 */
export function encodeGroup(term: number, position: number, entries: readonly WalEntry[], maxDataBytes: number): FrameMessage[] {
  const body = entries.length === 1 ? entries[0]!.payload : encodeBody(entries);
  const tso = entries.length === 1 ? entries[0]!.tso : undefined;
  const chunks = Math.max(1, Math.ceil(body.length / maxDataBytes));
  if (chunks > 0xffff) throw new RangeError(`a group of ${body.length} bytes needs ${chunks} chunks`);
  const out: FrameMessage[] = [];
  for (let c = 0; c < chunks; c++) {
    const frame = encodeFrameHeader({ kind: FrameKind.Data, last: c === chunks - 1, chunk: c, term, position, count: entries.length, tso });
    out.push({ frame, data: chunks === 1 ? body : body.subarray(c * maxDataBytes, Math.min(body.length, (c + 1) * maxDataBytes)) });
  }
  return out;
}

function encodeBody(entries: readonly WalEntry[]): Uint8Array {
  // Not zero-filled: every byte is written below, and zeroing cost as much as a third of the copy.
  const out: Uint8Array = Buffer.allocUnsafe(groupBodySize(entries));
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let at = 0;
  for (const e of entries) {
    v.setBigUint64(at, e.tso, true);
    v.setUint32(at + 8, e.payload.length, true);
    out.set(e.payload, at + ENTRY_OVERHEAD);
    at += ENTRY_OVERHEAD + e.payload.length;
  }
  return out;
}

/** Decodes a whole group body (of the group `head` begins) back into entries; a count or length mismatch is a DecodeError. */
export function decodeGroupBody(head: Frame, body: Uint8Array): WalEntry[] {
  if (head.count === 1 && head.tso !== undefined) return [{ tso: head.tso, payload: body }];
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const out: WalEntry[] = [];
  let at = 0;
  for (let i = 0; i < head.count; i++) {
    if (at + ENTRY_OVERHEAD > body.length) throw new DecodeError(`jetstream WAL group truncated at entry ${i} of ${head.count}`);
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
export function encodeFence(term: number, nextPosition: number): FrameMessage {
  return { frame: encodeFrameHeader({ kind: FrameKind.Fence, last: true, chunk: 0, term, position: nextPosition, count: 0 }), data: new Uint8Array(0) };
}
