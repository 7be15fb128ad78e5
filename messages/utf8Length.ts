/**
 * VarChar's max_length counts bytes of the UTF-8 encoding, as Milvus counts
 * them (é is 2, 中 is 3, an emoji of a surrogate pair is 4), not JavaScript's
 * UTF-16 units. Counted here from the char codes, with no Buffer or
 * TextEncoder per value: rows are checked value by value on every write.
 */

/**
 * The bytes of a string's UTF-8 encoding: 1 for U+0000..U+007F, 2 up to
 * U+07FF, 4 for a surrogate pair, 3 for the rest. A lone surrogate counts 3,
 * the U+FFFD that TextEncoder and Buffer write for it.
 */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 2; i++; }
    else n += 2;
  }
  return n;
}

/**
 * Whether a string's UTF-8 encoding is longer than `max` bytes. A UTF-16
 * unit is 1 to 3 bytes (a pair of them 4), so a string of n units is n..3n
 * bytes: only a string between max/3 and max units is counted.
 */
export function utf8Exceeds(s: string, max: number): boolean {
  if (s.length * 3 <= max) return false;
  if (s.length > max) return true;
  return utf8Length(s) > max;
}

/** The error text of a VarChar value over its max_length, in Milvus's words; null when it fits. */
export function varCharLengthProblem(what: string, s: string, max: number): string | null {
  return utf8Exceeds(s, max) ? `the length (${utf8Length(s)} UTF-8 bytes) of ${what} exceeds max length (${max})` : null;
}
