import { crc32 } from '../../shared/segment/crc32.js';

/**
 * The file the tiered storage disk tier keeps for one object (pure): the
 * object's key and bytes under a CRC-32 of both, so a read back from disk
 * serves the bytes only when they are whole and are the object's (a truncated
 * file, a flipped bit or a file of another key is refused, and refetched).
 *
 * Layout: `NDC1`, key length (u32 LE), key (UTF-8), body length (f64 LE:
 * exact to 2^53), CRC-32 of key and body (u32 LE), body.
 */
const MAGIC = [0x4e, 0x44, 0x43, 0x31];
const enc = new TextEncoder();
const dec = new TextDecoder();

/** The disk file of object `key` holding `body`. */
export function encodeDiskCacheFile(key: string, body: Uint8Array): Uint8Array {
  const k = enc.encode(key);
  const head = 4 + 4 + k.length + 8 + 4;
  const out = new Uint8Array(head + body.length);
  const v = new DataView(out.buffer);
  out.set(MAGIC, 0);
  v.setUint32(4, k.length, true);
  out.set(k, 8);
  v.setFloat64(8 + k.length, body.length, true);
  v.setUint32(16 + k.length, crc32(body, crc32(k)), true);
  out.set(body, head);
  return out;
}

/** The body of a disk file when it is whole and holds object `key`; else why not. */
export function decodeDiskCacheFile(file: Uint8Array, key: string): { body: Uint8Array } | { problem: string } {
  if (file.length < 20 || MAGIC.some((b, i) => file[i] !== b)) return { problem: 'not a disk cache file' };
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const kl = v.getUint32(4, true);
  if (8 + kl + 12 > file.length) return { problem: 'truncated header' };
  const k = file.subarray(8, 8 + kl);
  if (dec.decode(k) !== key) return { problem: `holds ${dec.decode(k)}, not ${key}` };
  const bodyLength = v.getFloat64(8 + kl, true);
  const head = 8 + kl + 12;
  if (file.length - head !== bodyLength) return { problem: `holds ${file.length - head} of ${bodyLength} bytes` };
  const body = file.subarray(head);
  if (crc32(body, crc32(k)) !== v.getUint32(16 + kl, true)) return { problem: 'checksum mismatch' };
  // A copy on its own buffer: decoders view it as typed arrays, which need their alignment.
  return { body: new Uint8Array(body) };
}
