/**
 * What the embedded metadata log stores. One frame holds the records of one
 * operation (a put, a compare-and-swap, a lease revoke deleting many keys), so a
 * torn frame drops a whole operation and never half of one.
 */
import { BinaryReader, BinaryWriter } from '../../messages/binary.js';
import { DecodeError } from '../../messages/errors.js';

export type MetaRecord =
  | { kind: 'put'; revision: number; createRevision: number; key: string; value: Uint8Array; lease: string }
  | { kind: 'delete'; revision: number; key: string }
  /** Written first by a compaction: the revision counter, which deletes may have advanced past every live key. */
  | { kind: 'revision'; revision: number };

const KIND = { put: 1, delete: 2, revision: 3 } as const;

/** Encodes the records of one operation as one frame payload. */
export function encodeRecords(records: readonly MetaRecord[]): Uint8Array {
  const w = new BinaryWriter(64);
  for (const r of records) {
    w.u8(KIND[r.kind]);
    w.f64(r.revision);
    if (r.kind === 'revision') continue;
    w.string(r.key);
    if (r.kind === 'delete') continue;
    w.f64(r.createRevision);
    w.string(r.lease);
    w.u32(r.value.length);
    w.bytes(r.value);
  }
  return w.finish().slice();
}

/** Decodes one frame payload; a DecodeError means the frame is damaged. */
export function decodeRecords(payload: Uint8Array): MetaRecord[] {
  const r = new BinaryReader(payload);
  const out: MetaRecord[] = [];
  while (r.remaining > 0) {
    const kind = r.u8();
    const revision = r.f64();
    if (kind === KIND.revision) { out.push({ kind: 'revision', revision }); continue; }
    const key = r.string();
    if (kind === KIND.delete) { out.push({ kind: 'delete', revision, key }); continue; }
    if (kind !== KIND.put) throw new DecodeError(`unknown meta record kind ${kind}`);
    const createRevision = r.f64();
    const lease = r.string();
    const value = r.bytes(r.u32()).slice();
    out.push({ kind: 'put', revision, createRevision, key, value, lease });
  }
  return out;
}
