import { ValidationError } from '../../../messages/errors.js';
import { xxh32 } from '../../../messages/minhash/xxhash32.js';

/**
 * LSH banding of MinHash signatures (pure): a signature of n values is cut
 * into b bands of r = n / b consecutive values, and each band's bytes are
 * hashed to a 32-bit bucket key, xxh32 seeded with the band's number (so
 * equal bytes in two different bands fall in unrelated buckets). Two
 * signatures share a bucket in band j when their r values there are equal
 * (or, once in 2^32, when their keys collide). For sets of Jaccard
 * similarity s, each value agrees with probability s, so a band matches
 * with probability s^r and at least one band with 1 - (1 - s^r)^b.
 */
export interface BandShape { bands: number; elementBytes: number; rowBytes: number }

/** Checks that `bands` divides the values of a `rowBytes`-byte signature of `elementBytes`-byte values. */
export function bandShape(rowBytes: number, elementBytes: number, bands: number): BandShape {
  const elements = rowBytes / elementBytes;
  if (!Number.isInteger(elements) || elements < 1) throw new ValidationError(`a ${rowBytes * 8}-bit vector is not a whole number of ${elementBytes * 8}-bit MinHash values`, { field: 'mh_element_bit_width' });
  if (!Number.isInteger(bands) || bands < 1 || elements % bands !== 0) throw new ValidationError(`mh_lsh_band ${String(bands)} must divide the signature's ${elements} values`, { field: 'mh_lsh_band' });
  return { bands, elementBytes, rowBytes };
}

/** The bucket key of band `band` of the signature at byte `off` of `data`. */
export function bandKey(data: Uint8Array, off: number, shape: BandShape, band: number): number {
  const width = shape.rowBytes / shape.bands, at = off + band * width;
  return xxh32(data.subarray(at, at + width), band);
}

/** The b bucket keys of one signature. */
export function bandKeys(sig: Uint8Array, shape: BandShape): Uint32Array {
  const keys = new Uint32Array(shape.bands);
  for (let j = 0; j < shape.bands; j++) keys[j] = bandKey(sig, 0, shape, j);
  return keys;
}

/** The probability that signatures of sets with Jaccard similarity s share a bucket in at least one of b bands of r values. */
export function candidateProbability(s: number, r: number, b: number): number {
  return 1 - (1 - s ** r) ** b;
}
