/**
 * crc32 (the zlib polynomial) of bytes, continuing from `value`.
 *
 * A thin guard over node:zlib's crc32: on Node 20.20 an empty Uint8Array whose
 * ArrayBuffer has been touched (`new DataView(a.buffer)`, for example) makes
 * zlib.crc32 return 0 instead of `value`, which would corrupt the checksum of
 * every zero-length WAL entry. An empty input leaves a crc unchanged, so say so.
 */
import { crc32 as zlibCrc32 } from 'node:zlib';

export function crc32(data: Uint8Array, value = 0): number {
  return data.length === 0 ? value : zlibCrc32(data, value);
}
