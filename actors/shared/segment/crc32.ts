/**
 * CRC-32 (IEEE 802.3, the zlib/PNG polynomial) in pure TypeScript so that pure
 * cores can checksum without Node's zlib. Slicing-by-8: eight tables let each
 * loop step consume eight bytes, several times faster than the byte-wise loop
 * on the tens of megabytes of a sealed segment.
 */
const TABLES: Int32Array[] = (() => {
  const t: Int32Array[] = Array.from({ length: 8 }, () => new Int32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[0]![n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let s = 1; s < 8; s++) t[s]![n] = (t[s - 1]![n]! >>> 8) ^ t[0]![t[s - 1]![n]! & 0xff]!;
  }
  return t;
})();

/** The CRC-32 of bytes, continuing from `previous` (0 to start), as an unsigned 32-bit number. */
export function crc32(bytes: Uint8Array, previous = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];
  let c = ~previous;
  let i = 0;
  const n = bytes.length;
  const end8 = n - (n & 7);
  for (; i < end8; i += 8) {
    const a = c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    c = t7[a & 0xff]! ^ t6[(a >>> 8) & 0xff]! ^ t5[(a >>> 16) & 0xff]! ^ t4[a >>> 24]!
      ^ t3[bytes[i + 4]!]! ^ t2[bytes[i + 5]!]! ^ t1[bytes[i + 6]!]! ^ t0[bytes[i + 7]!]!;
  }
  for (; i < n; i++) c = t0[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
