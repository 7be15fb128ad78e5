import { ValidationError } from '../errors.js';

/**
 * The MinHash function's params (Milvus 3.0's FunctionType.MINHASH), names
 * case-insensitive, values as numbers or as the strings Milvus's SDKs send:
 *   num_hashes    hash functions, one 32-bit value each; default dim / 32,
 *                 and dim must equal 32 * num_hashes
 *   shingle_size  n-gram size of the shingles, default 3 (1..64)
 *   token_level   "word" (default: the input field's analyzer's terms) or
 *                 "char" / "character" (code points of the raw text)
 *   hash_function "xxhash" (default); "sha1" is Milvus's other choice and is
 *                 refused here
 *   seed          the hash family's seed, default 1234 (0..2^32-1)
 */
export interface MinhashParams { numHashes: number; shingleSize: number; tokenLevel: 'word' | 'char'; seed: number }

export const MINHASH_DEFAULTS = { shingleSize: 3, seed: 1234 } as const;
const KNOWN = ['num_hashes', 'shingle_size', 'token_level', 'hash_function', 'seed'];
const MAX_SHINGLE = 64;

/** Checked params of a MinHash function whose output field has `dim` bits. */
export function minhashParamsOf(raw: Record<string, unknown> | undefined, dim: number, fnName: string): MinhashParams {
  const at = { field: `functions.${fnName}.params` };
  const p = new Map<string, unknown>();
  for (const [k, v] of Object.entries(raw ?? {})) {
    const key = k.toLowerCase();
    if (!KNOWN.includes(key)) throw new ValidationError(`MinHash function '${fnName}' has no param '${k}' (${KNOWN.join(', ')})`, at);
    p.set(key, v);
  }
  const int = (key: string, def: number, lo: number, hi: number): number => {
    const v = p.get(key);
    const n = v === undefined ? def : typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < lo || n > hi) throw new ValidationError(`MinHash function '${fnName}': ${key} must be an integer in ${lo}..${hi}, got ${String(v)}`, at);
    return n;
  };
  if (!(dim > 0) || dim % 32 !== 0) throw new ValidationError(`the output of MinHash function '${fnName}' must be a BinaryVector whose dim is a multiple of 32 (one 32-bit value per hash), got ${dim}`, at);
  const numHashes = int('num_hashes', dim / 32, 1, 65536);
  if (numHashes * 32 !== dim) throw new ValidationError(`MinHash function '${fnName}': the output's dim ${dim} must equal 32 * num_hashes (${numHashes * 32})`, at);
  const level = String(p.get('token_level') ?? 'word').toLowerCase();
  if (level !== 'word' && level !== 'char' && level !== 'character') throw new ValidationError(`MinHash function '${fnName}': token_level must be "word" or "char", got ${String(p.get('token_level'))}`, at);
  const hash = String(p.get('hash_function') ?? 'xxhash').toLowerCase();
  if (hash !== 'xxhash') throw new ValidationError(`MinHash function '${fnName}': hash_function ${hash} is not supported (xxhash)`, at);
  return { numHashes, shingleSize: int('shingle_size', MINHASH_DEFAULTS.shingleSize, 1, MAX_SHINGLE), tokenLevel: level === 'word' ? 'word' : 'char', seed: int('seed', MINHASH_DEFAULTS.seed, 0, 0xffffffff) };
}
