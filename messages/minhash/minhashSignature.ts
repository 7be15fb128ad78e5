import type { Analyzer } from '../analyzer.js';
import type { MinhashParams } from './minhashParams.js';
import { fmix32, xxh32 } from './xxhash32.js';

/**
 * The MinHash function (pure): text -> shingles -> a signature of
 * `numHashes` 32-bit values -> the bytes of a BinaryVector of dim
 * 32 * numHashes (value i at bytes 4i..4i+3, little-endian).
 *
 * The hash family, fixed by `seed` so every process computes the same
 * signature (it is part of the stored format):
 *   h1 = xxh32(shingle's UTF-8 bytes, seed), h2 = xxh32(bytes, seed ^ 0x5bd1e995) | 1
 *   a_i = the i-th output of a mulberry32 generator seeded with `seed`
 *   H_i(shingle) = fmix32(h1 + i * h2 + a_i)   (mod 2^32)
 * and value i of the signature is the least H_i over the shingles. Two
 * shingles agree on every H_i only when both their 32-bit hashes agree, so
 * the family behaves as n independent hashes for sets far below 2^32.
 *
 * Shingles: word level, runs of `shingleSize` consecutive analyzer terms
 * joined by one space; char level, runs of `shingleSize` code points of the
 * raw text. A text shorter than one shingle is one shingle of all of it; a
 * text with no terms has no shingles and its signature is all 0xffffffff
 * (every empty text matches every other).
 */
export function shinglesOf(text: string, p: Pick<MinhashParams, 'shingleSize' | 'tokenLevel'>, analyzer: Analyzer): string[] {
  const units = p.tokenLevel === 'word' ? analyzer.tokens(text) : Array.from(text);
  if (units.length === 0) return [];
  const sep = p.tokenLevel === 'word' ? ' ' : '';
  if (units.length <= p.shingleSize) return [units.join(sep)];
  const out: string[] = [];
  for (let i = 0; i + p.shingleSize <= units.length; i++) out.push(units.slice(i, i + p.shingleSize).join(sep));
  return out;
}

const utf8 = new TextEncoder();

/** The per-function offsets a_i of a seed (mulberry32): computed once per seed and count. */
const offsetsBySeed = new Map<string, Uint32Array>();
export function familyOffsets(seed: number, n: number): Uint32Array {
  const key = `${seed}:${n}`;
  let a = offsetsBySeed.get(key);
  if (a) return a;
  a = new Uint32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    a[i] = (t ^ (t >>> 14)) >>> 0;
  }
  if (offsetsBySeed.size > 64) offsetsBySeed.clear();
  offsetsBySeed.set(key, a);
  return a;
}

/** The signature of a set of shingles, as its n 32-bit values. */
export function signatureOfShingles(shingles: Iterable<string>, numHashes: number, seed: number): Uint32Array {
  const sig = new Uint32Array(numHashes).fill(0xffffffff), a = familyOffsets(seed, numHashes);
  const seen = new Set<string>();
  for (const s of shingles) {
    if (seen.has(s)) continue;
    seen.add(s);
    const bytes = utf8.encode(s);
    const h1 = xxh32(bytes, seed), h2 = xxh32(bytes, (seed ^ 0x5bd1e995) >>> 0) | 1;
    for (let i = 0; i < numHashes; i++) {
      const v = fmix32((h1 + Math.imul(i, h2) + a[i]!) | 0);
      if (v < sig[i]!) sig[i] = v;
    }
  }
  return sig;
}

/** The BinaryVector bytes of a text's signature (little-endian 32-bit values). */
export function minhashBytes(text: string, p: MinhashParams, analyzer: Analyzer): Uint8Array {
  const sig = signatureOfShingles(shinglesOf(text, p, analyzer), p.numHashes, p.seed);
  const out = new Uint8Array(sig.length * 4), v = new DataView(out.buffer);
  for (let i = 0; i < sig.length; i++) v.setUint32(i * 4, sig[i]!, true);
  return out;
}
