import { ValidationError } from '../errors.js';

/**
 * MINHASH_LSH's build params, as Milvus takes them (numbers and booleans, or
 * their text), normalised to what the index node reads:
 *   mh_element_bit_width  8, 16, 32 or 64 (default 32); the field's dim must
 *                         be a whole number of such values
 *   mh_lsh_band           bands, dividing the signature's values (default 1)
 *   with_raw_data         keep the signatures for exact re-scoring (default true)
 *   mh_lsh_code_in_mem    true or false (default true); accepted, no effect:
 *                         buckets are always in memory here
 *   mh_lsh_bloom_false_positive_prob  0.001..0.1 (default 0.01); accepted, no
 *                         effect: buckets are found by binary search over the
 *                         sorted keys, which answers membership exactly
 * A MINHASH function's output is 32-bit values: its index must say 32.
 */
export interface MinhashLshParams {
  mh_element_bit_width: number; mh_lsh_band: number; with_raw_data: 'true' | 'false'; mh_lsh_code_in_mem: 'true' | 'false'; mh_lsh_bloom_false_positive_prob: number;
}

const bad = (key: string, what: string, v: unknown) => new ValidationError(`index param ${key} of MINHASH_LSH must be ${what}, got ${JSON.stringify(v)}`, { field: key });

function flag(params: Record<string, unknown>, key: string, def: boolean): 'true' | 'false' {
  const v = params[key];
  if (v === undefined) return def ? 'true' : 'false';
  if (v === true || (typeof v === 'string' && /^true$/i.test(v))) return 'true';
  if (v === false || (typeof v === 'string' && /^false$/i.test(v))) return 'false';
  throw bad(key, 'true or false', v);
}

function num(params: Record<string, unknown>, key: string, def: number): number {
  const v = params[key];
  if (v === undefined) return def;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw bad(key, 'a number', v);
  return n;
}

/** Checked params of a MINHASH_LSH index of a BinaryVector field of `dim` bits (`minhashOutput`: a MINHASH function fills it). */
export function minhashLshParams(params: Record<string, unknown>, dim: number, minhashOutput: boolean): MinhashLshParams {
  const bits = num(params, 'mh_element_bit_width', 32);
  if (![8, 16, 32, 64].includes(bits)) throw bad('mh_element_bit_width', '8, 16, 32 or 64', params.mh_element_bit_width);
  if (minhashOutput && bits !== 32) throw new ValidationError(`a MINHASH function's output holds 32-bit values: its MINHASH_LSH index takes mh_element_bit_width 32, got ${bits}`, { field: 'mh_element_bit_width' });
  if (dim % bits !== 0) throw new ValidationError(`a ${dim}-bit field is not a whole number of ${bits}-bit MinHash values (mh_element_bit_width)`, { field: 'mh_element_bit_width' });
  const elements = dim / bits;
  const band = num(params, 'mh_lsh_band', 1);
  if (!Number.isInteger(band) || band < 1 || band > elements || elements % band !== 0) throw new ValidationError(`index param mh_lsh_band of MINHASH_LSH must be an integer in 1..${elements} that divides the ${elements} values of a signature, got ${JSON.stringify(params.mh_lsh_band ?? band)}`, { field: 'mh_lsh_band' });
  const fpp = num(params, 'mh_lsh_bloom_false_positive_prob', 0.01);
  if (!(fpp >= 0.001 && fpp <= 0.1)) throw bad('mh_lsh_bloom_false_positive_prob', 'in 0.001..0.1', params.mh_lsh_bloom_false_positive_prob);
  return {
    mh_element_bit_width: bits, mh_lsh_band: band, with_raw_data: flag(params, 'with_raw_data', true),
    mh_lsh_code_in_mem: flag(params, 'mh_lsh_code_in_mem', true), mh_lsh_bloom_false_positive_prob: fpp,
  };
}
