/**
 * Keys and records of the object WAL (pure): where a pchannel's term, fragment
 * index and fragment objects live, and how index records are encoded.
 *
 * Metadata store, under `<metaPrefix>/<pchannel>/`:
 * - `term`: the highest term that opened the pchannel (compare-and-swap).
 * - `slot/<12 digits>`: the index, one record per slot, each created once with a
 *   create-if-absent compare-and-swap, slots gap-free. A slot holds a committed
 *   fragment (term, positions, object key, length, crc32) or a fence (term, next
 *   position). Truncation deletes a prefix of slots, never the last one.
 *
 * Object store: `<objectPrefix>/<pchannel>/<first position, 20 digits>-<term>-<nonce>`,
 * so a listing sorts by position and two writers never share a key.
 */

/** A fragment the index commits: it is readable only once this record exists. */
export interface FragmentSlot { kind: 'fragment'; term: number; first: number; count: number; key: string; bytes: number; /** crc32 of the fragment object (of its header in version 1 fragments). */ crc: number }
/** A new owner's fence: no entries; the next entry gets position `next`. */
export interface FenceSlot { kind: 'fence'; term: number; next: number }
export type SlotRecord = FragmentSlot | FenceSlot;

/** A slot record with its number and the revision to compare against. */
export interface Slot { n: number; rec: SlotRecord }

/** The keys of one pchannel. */
export interface WalKeys {
  term: string;
  slotPrefix: string;
  slot(n: number): string;
  objectPrefix: string;
  objectKey(first: number, term: number, nonce: string): string;
}

/** `[A-Za-z0-9-]` stays, every other UTF-8 byte becomes `_` and two hex digits (injective). */
function token(pchannel: string): string {
  return [...new TextEncoder().encode(pchannel)]
    .map((b) => ((b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b === 45 ? String.fromCharCode(b) : `_${b.toString(16).padStart(2, '0')}`))
    .join('');
}

export function walKeys(metaPrefix: string, objectPrefix: string, pchannel: string): WalKeys {
  const m = `${metaPrefix}/${token(pchannel)}/`;
  const o = `${objectPrefix}/${token(pchannel)}/`;
  return {
    term: `${m}term`,
    slotPrefix: `${m}slot/`,
    slot: (n) => `${m}slot/${String(n).padStart(12, '0')}`,
    objectPrefix: o,
    objectKey: (first, term, nonce) => `${o}${String(first).padStart(20, '0')}-${term}-${nonce}`,
  };
}

/** The slot number at the end of a slot key. */
export function slotNumber(key: string): number {
  return Number.parseInt(key.slice(key.lastIndexOf('/') + 1), 10);
}

/** The term in an object key written by {@link WalKeys.objectKey}, or undefined. */
export function objectKeyTerm(key: string): number | undefined {
  const m = /\/\d{20}-(\d+)-[^/]+$/.exec(key);
  return m ? Number(m[1]) : undefined;
}

/** The position of the entry that follows a slot. */
export function nextAfter(rec: SlotRecord): number {
  return rec.kind === 'fragment' ? rec.first + rec.count : rec.next;
}

/** The first position a slot covers (a fence covers none: its next position). */
export function firstOf(rec: SlotRecord): number {
  return rec.kind === 'fragment' ? rec.first : rec.next;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
export const encodeJson = (v: unknown): Uint8Array => enc.encode(JSON.stringify(v));
export const decodeJson = <T>(b: Uint8Array): T => JSON.parse(dec.decode(b)) as T;
