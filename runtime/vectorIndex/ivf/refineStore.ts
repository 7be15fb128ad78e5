import type { RefineType } from '../../../messages/rabitqParams.js';
import { fromBFloat16Bits, fromFloat16Bits, toBFloat16Bits, toFloat16Bits } from '../../../messages/halfFloat.js';
import { decode8, encode8, trainScalarQuantizer8, type ScalarQuantizer8 } from './scalarQuantizer8.js';

/**
 * IVF_RABITQ's refine data (Milvus's `refine` and `refine_type`): a second,
 * finer copy of each position's vector, read only for the candidates the
 * 1-bit estimates rank best (k x refine_k of them), whose distances it
 * computes again. FP32 is exact; FP16 and BF16 keep half the bytes; SQ8 and
 * SQ6 scalar-quantize each dimension over its range (8 bits, or 6 bits
 * packed four to three bytes).
 */
export { REFINE_TYPES, checkRefineType, type RefineType } from '../../../messages/rabitqParams.js';

export type RefineStore =
  | { type: 'FP32'; vectors: Float32Array }
  | { type: 'FP16' | 'BF16'; bits: Uint16Array }
  | { type: 'SQ8' | 'SQ6'; quantizer: ScalarQuantizer8; codes: Uint8Array };

/** Bytes the SQ6 codes of one vector take. */
export const sq6Bytes = (dim: number): number => Math.ceil((dim * 6) / 8);

/** The refine copy of `count` vectors of `dim` floats, in position order. */
export function buildRefine(type: RefineType, vectors: Float32Array, dim: number, count: number): RefineStore {
  switch (type) {
    case 'FP32': return { type, vectors: vectors.slice(0, count * dim) };
    case 'FP16': case 'BF16': {
      const to = type === 'FP16' ? toFloat16Bits : toBFloat16Bits, bits = new Uint16Array(count * dim);
      for (let i = 0; i < bits.length; i++) bits[i] = to(vectors[i]!);
      return { type, bits };
    }
    case 'SQ8': {
      const quantizer = trainScalarQuantizer8(vectors, dim, count), codes = new Uint8Array(count * dim);
      for (let p = 0; p < count; p++) encode8(quantizer, vectors, p * dim, codes, p * dim);
      return { type, quantizer, codes };
    }
    case 'SQ6': {
      const quantizer = trainScalarQuantizer8(vectors, dim, count), width = sq6Bytes(dim), codes = new Uint8Array(count * width);
      for (let p = 0; p < count; p++) {
        for (let j = 0; j < dim; j++) {
          const range = quantizer.vdiff[j]!, x = range > 0 ? (vectors[p * dim + j]! - quantizer.vmin[j]!) / range : 0;
          putSix(codes, p * width, j, x <= 0 ? 0 : x >= 1 ? 63 : Math.floor(64 * x));
        }
      }
      return { type, quantizer, codes };
    }
  }
}

/** Position p's vector as the refine copy holds it, into `out` (dim floats). */
export function refinedVector(s: RefineStore, p: number, dim: number, out: Float32Array): Float32Array {
  switch (s.type) {
    case 'FP32': out.set(s.vectors.subarray(p * dim, (p + 1) * dim)); break;
    case 'FP16': for (let j = 0; j < dim; j++) out[j] = fromFloat16Bits(s.bits[p * dim + j]!); break;
    case 'BF16': for (let j = 0; j < dim; j++) out[j] = fromBFloat16Bits(s.bits[p * dim + j]!); break;
    case 'SQ8': for (let j = 0; j < dim; j++) out[j] = decode8(s.quantizer, j, s.codes[p * dim + j]!); break;
    case 'SQ6': {
      const width = sq6Bytes(dim);
      for (let j = 0; j < dim; j++) out[j] = s.quantizer.vmin[j]! + ((getSix(s.codes, p * width, j) + 0.5) / 64) * s.quantizer.vdiff[j]!;
      break;
    }
  }
  return out;
}

/** The refine copy's sections as the index file stores them. */
export function refineSections(s: RefineStore): ArrayBufferView[] {
  switch (s.type) {
    case 'FP32': return [s.vectors];
    case 'FP16': case 'BF16': return [s.bits];
    case 'SQ8': case 'SQ6': return [s.quantizer.vmin, s.quantizer.vdiff, s.codes];
  }
}

/** Bytes refineSections takes for `count` vectors. */
export function refineBytes(type: RefineType, dim: number, count: number): number {
  switch (type) {
    case 'FP32': return 4 * count * dim;
    case 'FP16': case 'BF16': return 2 * count * dim;
    case 'SQ8': return 8 * dim + count * dim;
    case 'SQ6': return 8 * dim + count * sq6Bytes(dim);
  }
}

/** Six bits at index j of the codes of one vector starting at byte `at` (bit offset 6j, little-endian within bytes). */
function putSix(codes: Uint8Array, at: number, j: number, v: number): void {
  const bit = 6 * j, byte = at + (bit >> 3), shift = bit & 7;
  codes[byte]! |= (v << shift) & 0xff;
  if (shift > 2) codes[byte + 1]! |= v >> (8 - shift);
}

function getSix(codes: Uint8Array, at: number, j: number): number {
  const bit = 6 * j, byte = at + (bit >> 3), shift = bit & 7;
  const lo = codes[byte]! >> shift;
  return (shift > 2 ? lo | (codes[byte + 1]! << (8 - shift)) : lo) & 63;
}
