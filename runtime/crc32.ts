/**
 * crc32 (the zlib polynomial, as node:zlib computes it) of bytes, continuing from
 * `value`.
 *
 * Long ranges go to @node-rs/crc32 (SIMD: 10 GB/s here against node:zlib's 3,
 * and half the cost per call at 1 KB, where WAL appends are CPU-bound), or to
 * node:zlib where that binding cannot load; both give the same values. Short
 * ranges take the table loop below, for two reasons:
 * - on Node 20.20 an empty Uint8Array whose ArrayBuffer has been touched
 *   (`new DataView(a.buffer)`, for example) makes zlib.crc32 return 0 instead of
 *   `value`, which would corrupt the checksum of every zero-length WAL entry;
 * - a call into native code costs more than the table loop for the short
 *   frames the WAL is full of (a 32-byte entry is a 45-byte crc), and the range
 *   form checks a frame in place without creating a view of it.
 */
import { createRequire } from 'node:module';
import { crc32 as zlibCrc32 } from 'node:zlib';

/** crc32 of a whole array (at least NATIVE_FROM bytes), continuing from `value`, in native code. */
export const nativeCrc32: (data: Uint8Array, value: number) => number = (() => {
  try {
    const rs = createRequire(import.meta.url)('@node-rs/crc32') as { crc32(data: Uint8Array, value?: number): number };
    // The binding must agree with zlib before it is trusted.
    const probe = new Uint8Array(300).map((_, i) => i * 7);
    if (rs.crc32(probe, 12345) === zlibCrc32(probe, 12345)) return (data, value) => rs.crc32(data, value);
  } catch { /* no binding for this platform: zlib below */ }
  return (data, value) => zlibCrc32(data, value);
})();

const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** Below this many bytes the JS loop beats the native call. */
export const NATIVE_FROM = 256;

/** crc32 of `buf[start..end)`, continuing from `value`. */
export function crc32Range(buf: Uint8Array, start: number, end: number, value = 0): number {
  if (end - start >= NATIVE_FROM) return nativeCrc32(buf.subarray(start, end), value);
  let c = ~value;
  for (let i = start; i < end; i++) c = TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** crc32 of `data`, continuing from `value`. */
export function crc32(data: Uint8Array, value = 0): number {
  return crc32Range(data, 0, data.length, value);
}
