/**
 * Half-precision floats as 16-bit patterns (pure): IEEE binary16 (Milvus's
 * Float16Vector) and bfloat16 (BFloat16Vector, the top half of a float32).
 * A number is first made a float32, as Milvus reads vectors as float32
 * before it converts them, then rounded to nearest, ties to even.
 */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The largest finite float16 (a larger value rounds to infinity). */
export const FLOAT16_MAX = 65504;
/** The largest finite bfloat16. */
export const BFLOAT16_MAX = 3.3895313892515355e38;

/** The float16 bits of x, rounded to nearest even; out of range gives ±Infinity's bits, NaN a NaN. */
export function toFloat16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // A float16 subnormal (or zero): m * 2^-24, from the 24-bit significand.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1), mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa steps the exponent, up to infinity's bits: still the right answer.
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

/** The value of float16 bits. */
export function fromFloat16Bits(h: number): number {
  const e = (h >>> 10) & 0x1f, m = h & 0x3ff, s = h & 0x8000 ? -1 : 1;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** The bfloat16 bits of x, rounded to nearest even; out of range gives ±Infinity's bits, NaN a NaN. */
export function toBFloat16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) return ((b >>> 16) | 0x40) & 0xffff;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

/** The value of bfloat16 bits. */
export function fromBFloat16Bits(h: number): number {
  u32[0] = (h & 0xffff) << 16;
  return f32[0]!;
}

/** Whether 16 bits of either format are finite (not ±Infinity nor NaN). */
export function isFiniteHalf(bits: number, bfloat: boolean): boolean {
  return bfloat ? (bits & 0x7f80) !== 0x7f80 : (bits & 0x7c00) !== 0x7c00;
}
