import { fromBFloat16Bits, fromFloat16Bits } from '../../../messages/halfFloat.js';
import type { MetricType } from '../../../messages/schema.js';

/**
 * L2, IP and COSINE read straight from Int8Vector bytes and from
 * Float16Vector and BFloat16Vector halves (pure), against a float32 query:
 * no widened float32 copy of a column is kept. An int8 is read as is; a half
 * through a 65536-entry table of its float32 value. The loops are distance.ts's,
 * accumulator for accumulator, over the same values in the same order, so a
 * distance is the one the widened block gave to the last bit.
 */
export type Int8DistanceFn = (data: Int8Array, offset: number, query: Float32Array, dim: number) => number;
export type HalfDistanceFn = (table: Float32Array, data: Uint16Array, offset: number, query: Float32Array, dim: number) => number;

let f16: Float32Array | undefined, bf16: Float32Array | undefined;
/** The float32 value of every 16-bit pattern of a half type (made on first use: 256 KiB each). */
export function halfTable(bfloat: boolean): Float32Array {
  if (bfloat) return (bf16 ??= Float32Array.from({ length: 65536 }, (_, h) => fromBFloat16Bits(h)));
  return (f16 ??= Float32Array.from({ length: 65536 }, (_, h) => fromFloat16Bits(h)));
}

function int8L2(data: Int8Array, offset: number, query: Float32Array, dim: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  const end4 = dim - (dim & 3);
  for (; i < end4; i += 4) {
    const d0 = data[offset + i]! - query[i]!;
    const d1 = data[offset + i + 1]! - query[i + 1]!;
    const d2 = data[offset + i + 2]! - query[i + 2]!;
    const d3 = data[offset + i + 3]! - query[i + 3]!;
    s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
  }
  for (; i < dim; i++) { const d = data[offset + i]! - query[i]!; s0 += d * d; }
  return s0 + s1 + s2 + s3;
}

function int8Ip(data: Int8Array, offset: number, query: Float32Array, dim: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  const end4 = dim - (dim & 3);
  for (; i < end4; i += 4) {
    s0 += data[offset + i]! * query[i]!;
    s1 += data[offset + i + 1]! * query[i + 1]!;
    s2 += data[offset + i + 2]! * query[i + 2]!;
    s3 += data[offset + i + 3]! * query[i + 3]!;
  }
  for (; i < dim; i++) s0 += data[offset + i]! * query[i]!;
  return s0 + s1 + s2 + s3;
}

function int8Cosine(data: Int8Array, offset: number, query: Float32Array, dim: number): number {
  let dot0 = 0, dot1 = 0, a0 = 0, a1 = 0, b0 = 0, b1 = 0;
  let i = 0;
  const end2 = dim - (dim & 1);
  for (; i < end2; i += 2) {
    const x0 = data[offset + i]!, y0 = query[i]!;
    const x1 = data[offset + i + 1]!, y1 = query[i + 1]!;
    dot0 += x0 * y0; a0 += x0 * x0; b0 += y0 * y0;
    dot1 += x1 * y1; a1 += x1 * x1; b1 += y1 * y1;
  }
  if (i < dim) { const x = data[offset + i]!, y = query[i]!; dot0 += x * y; a0 += x * x; b0 += y * y; }
  const norms = Math.sqrt((a0 + a1) * (b0 + b1));
  return norms === 0 ? 0 : (dot0 + dot1) / norms;
}

function halfL2(t: Float32Array, data: Uint16Array, offset: number, query: Float32Array, dim: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  const end4 = dim - (dim & 3);
  for (; i < end4; i += 4) {
    const d0 = t[data[offset + i]!]! - query[i]!;
    const d1 = t[data[offset + i + 1]!]! - query[i + 1]!;
    const d2 = t[data[offset + i + 2]!]! - query[i + 2]!;
    const d3 = t[data[offset + i + 3]!]! - query[i + 3]!;
    s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
  }
  for (; i < dim; i++) { const d = t[data[offset + i]!]! - query[i]!; s0 += d * d; }
  return s0 + s1 + s2 + s3;
}

function halfIp(t: Float32Array, data: Uint16Array, offset: number, query: Float32Array, dim: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  const end4 = dim - (dim & 3);
  for (; i < end4; i += 4) {
    s0 += t[data[offset + i]!]! * query[i]!;
    s1 += t[data[offset + i + 1]!]! * query[i + 1]!;
    s2 += t[data[offset + i + 2]!]! * query[i + 2]!;
    s3 += t[data[offset + i + 3]!]! * query[i + 3]!;
  }
  for (; i < dim; i++) s0 += t[data[offset + i]!]! * query[i]!;
  return s0 + s1 + s2 + s3;
}

function halfCosine(t: Float32Array, data: Uint16Array, offset: number, query: Float32Array, dim: number): number {
  let dot0 = 0, dot1 = 0, a0 = 0, a1 = 0, b0 = 0, b1 = 0;
  let i = 0;
  const end2 = dim - (dim & 1);
  for (; i < end2; i += 2) {
    const x0 = t[data[offset + i]!]!, y0 = query[i]!;
    const x1 = t[data[offset + i + 1]!]!, y1 = query[i + 1]!;
    dot0 += x0 * y0; a0 += x0 * x0; b0 += y0 * y0;
    dot1 += x1 * y1; a1 += x1 * x1; b1 += y1 * y1;
  }
  if (i < dim) { const x = t[data[offset + i]!]!, y = query[i]!; dot0 += x * y; a0 += x * x; b0 += y * y; }
  const norms = Math.sqrt((a0 + a1) * (b0 + b1));
  return norms === 0 ? 0 : (dot0 + dot1) / norms;
}

/** The int8 kernel of a float metric (L2, IP, COSINE); undefined for any other. */
export function int8DistanceFn(metric: MetricType): Int8DistanceFn | undefined {
  return metric === 'L2' ? int8L2 : metric === 'IP' ? int8Ip : metric === 'COSINE' ? int8Cosine : undefined;
}

/** The half kernel of a float metric (L2, IP, COSINE); undefined for any other. */
export function halfDistanceFn(metric: MetricType): HalfDistanceFn | undefined {
  return metric === 'L2' ? halfL2 : metric === 'IP' ? halfIp : metric === 'COSINE' ? halfCosine : undefined;
}
