import { crc32 } from '../segment/crc32.js';
import { murmur3Int64 } from './murmur3.js';

/**
 * The hash of a partition key value, Milvus's own (pkg/util/typeutil/hash.go),
 * so a row lands in the partition index Milvus would give it:
 * - Int64: murmur3_32 (seed 0) of the value's 8 little-endian bytes, top bit cleared (Hash32Int64);
 * - VarChar: CRC-32 (IEEE) of the first 100 bytes of its UTF-8 (HashString2Uint32).
 */
export function hashPartitionKey(value: number | string): number {
  return typeof value === 'number' ? murmur3Int64(value) & 0x7fffffff : crc32(utf8Prefix(value));
}

/** The index, in 0..partitions-1, of the partition a key value belongs to: hash modulo count, as Milvus routes. */
export function keyPartitionIndex(value: number | string, partitions: number): number {
  return hashPartitionKey(value) % partitions;
}

/** Milvus hashes at most this many bytes of a string key (substringLengthForCRC). */
const HASHED_BYTES = 100;
const encoder = new TextEncoder();
// A UTF-16 code unit takes at most 3 UTF-8 bytes: 100 units always fill 100 bytes.
const scratch = new Uint8Array(HASHED_BYTES * 3);

/** The first 100 bytes of a string's UTF-8, cut mid-character if need be (Go slices bytes, `v[:100]`). */
function utf8Prefix(s: string): Uint8Array {
  const { written } = encoder.encodeInto(s.length > HASHED_BYTES ? s.slice(0, HASHED_BYTES) : s, scratch);
  return scratch.subarray(0, Math.min(written, HASHED_BYTES));
}
