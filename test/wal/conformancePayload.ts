/**
 * Payloads for the WAL conformance suite. Crash tests need entries that check
 * themselves: a reader must be able to tell a torn or corrupted entry from a good
 * one without knowing what was written, so each payload carries who wrote it and
 * the crc32 of its body. A seeded PRNG keeps every run reproducible.
 */
import { crc32 } from '../../runtime/crc32.js';

import { mulberry32 as prng } from '../../bench/support/dataset.js';
/** The one seeded PRNG of tests and benchmarks (mulberry32). */
export { prng };

/** `len` deterministic bytes for a seed. */
export function randomBytes(seed: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  const dv = new DataView(out.buffer);
  let a = (seed * 2654435761) >>> 0;
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    a ^= a << 13; a ^= a >>> 17; a ^= a << 5; a >>>= 0;
    dv.setUint32(i, a, true);
  }
  for (; i < len; i++) out[i] = (a = (a * 1103515245 + 12345) >>> 0) >>> 24;
  return out;
}

const MAGIC = 0x4e555448; // 'NUTH'
/** Bytes of the self-check header at the front of every checked payload. */
export const CHECKED_HEADER = 24;

/** Who wrote a checked payload: the crash round, the writer's sequence number, and its place in an atomic batch. */
export interface PayloadId { round: number; seq: number; batchLen: number; batchIdx: number }

/** A payload whose header names its writer and holds the crc32 of its body. */
export function checkedPayload(id: PayloadId, bodyLen: number): Uint8Array {
  const out = new Uint8Array(CHECKED_HEADER + bodyLen);
  out.set(randomBytes(id.round * 1_000_003 + id.seq, bodyLen), CHECKED_HEADER);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC);
  dv.setUint32(4, id.round);
  dv.setUint32(8, id.seq);
  dv.setUint16(12, id.batchLen);
  dv.setUint16(14, id.batchIdx);
  dv.setUint32(16, bodyLen);
  dv.setUint32(20, crc32(out.subarray(CHECKED_HEADER)));
  return out;
}

/** The id of a checked payload, or a string saying why it is not intact. */
export function checkPayload(p: Uint8Array): PayloadId | string {
  if (p.length < CHECKED_HEADER) return `payload of ${p.length} bytes is shorter than its header`;
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  if (dv.getUint32(0) !== MAGIC) return 'bad magic';
  const bodyLen = dv.getUint32(16);
  if (bodyLen !== p.length - CHECKED_HEADER) return `body length ${bodyLen} != ${p.length - CHECKED_HEADER}`;
  if (dv.getUint32(20) !== crc32(p.subarray(CHECKED_HEADER))) return 'body crc mismatch';
  return { round: dv.getUint32(4), seq: dv.getUint32(8), batchLen: dv.getUint16(12), batchIdx: dv.getUint16(14) };
}

/** True when two byte arrays hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
