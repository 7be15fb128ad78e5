import { ValidationError } from './errors.js';

/**
 * The build params of IVF_PQ and SCANN beside nlist, as Milvus takes them
 * (numbers and booleans, or their text), normalised to what the index node
 * reads:
 *   IVF_PQ  m      sub-quantizers, required, dividing the field's dim
 *           nbits  bits of each sub-quantizer's code: Milvus takes 1..64
 *                  (default 8); nuthatch builds 1..16 (codebooks of at
 *                  most 65536 centroids) and refuses wider ones
 *   SCANN   with_raw_data  keep the vectors to re-rank (default true); the
 *                  field's dim must be even (sub-spaces of 2 dimensions)
 */
export const PQ_NBITS_DEFAULT = 8;
export const PQ_NBITS_MAX = 16;
/** Milvus's range of nbits; the part above PQ_NBITS_MAX is refused as unsupported rather than as out of range. */
const MILVUS_NBITS_MAX = 64;

function integer(params: Record<string, unknown>, key: string): number | undefined {
  const v = params[key];
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new ValidationError(`index param ${key} of IVF_PQ must be an integer, got ${JSON.stringify(v)}`, { field: key });
  return n;
}

/** IVF_PQ's m and nbits for a field of `dim` floats. */
export function ivfPqParams(params: Record<string, unknown>, dim: number): { m: number; nbits: number } {
  const m = integer(params, 'm');
  if (m === undefined) throw new ValidationError(`index param m of IVF_PQ is required: the sub-quantizers, a divisor of the field's dim ${dim}`, { field: 'm' });
  if (m < 1 || m > dim || dim % m !== 0) throw new ValidationError(`index param m of IVF_PQ must divide the field's dim ${dim}, got ${m}`, { field: 'm' });
  const nbits = integer(params, 'nbits') ?? PQ_NBITS_DEFAULT;
  if (nbits < 1 || nbits > MILVUS_NBITS_MAX) throw new ValidationError(`index param nbits of IVF_PQ must be an integer in 1..${MILVUS_NBITS_MAX}, got ${nbits}`, { field: 'nbits' });
  if (nbits > PQ_NBITS_MAX) throw new ValidationError(`index param nbits ${nbits} of IVF_PQ is not supported: nuthatch builds codes of 1..${PQ_NBITS_MAX} bits (codebooks of at most ${2 ** PQ_NBITS_MAX} centroids)`, { field: 'nbits' });
  return { m, nbits };
}

/** SCANN's with_raw_data for a field of `dim` floats. */
export function scannParams(params: Record<string, unknown>, dim: number): { with_raw_data: 'true' | 'false' } {
  if (dim % 2 !== 0) throw new ValidationError(`SCANN needs a field dim divisible by 2 (sub-spaces of 2 dimensions), got ${dim}`, { field: 'dim' });
  const v = params.with_raw_data;
  if (v === undefined || v === true || (typeof v === 'string' && /^true$/i.test(v))) return { with_raw_data: 'true' };
  if (v === false || (typeof v === 'string' && /^false$/i.test(v))) return { with_raw_data: 'false' };
  throw new ValidationError(`index param with_raw_data of SCANN must be true or false, got ${JSON.stringify(v)}`, { field: 'with_raw_data' });
}
