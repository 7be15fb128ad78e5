import { ValidationError } from './errors.js';

/**
 * IVF_RABITQ's build params beside nlist, as Milvus takes them: `refine`
 * (true or false, default false) keeps a finer copy of each vector to
 * re-score the best candidates, of `refine_type` (SQ6, SQ8, FP16, BF16 or
 * FP32; default SQ8 when refine is on).
 */
export const REFINE_TYPES = ['SQ6', 'SQ8', 'FP16', 'BF16', 'FP32'] as const;
export type RefineType = (typeof REFINE_TYPES)[number];

export function checkRefineType(v: unknown): RefineType {
  const t = String(v).toUpperCase();
  if (!(REFINE_TYPES as readonly string[]).includes(t)) throw new ValidationError(`refine_type must be one of ${REFINE_TYPES.join(', ')}, got ${JSON.stringify(v)}`, { field: 'refine_type' });
  return t as RefineType;
}

/** `refine` and `refine_type` normalised: refine 'true' or 'false', refine_type present only with refine. */
export function rabitqRefineParams(params: Record<string, unknown>): { refine: 'true' | 'false'; refine_type?: RefineType } {
  const raw = params.refine;
  const on = raw === undefined ? false : raw === true || (typeof raw === 'string' && /^true$/i.test(raw)) ? true
    : raw === false || (typeof raw === 'string' && /^false$/i.test(raw)) ? false : undefined;
  if (on === undefined) throw new ValidationError(`index param refine of IVF_RABITQ must be true or false, got ${JSON.stringify(raw)}`, { field: 'refine' });
  if (!on) {
    if (params.refine_type !== undefined) checkRefineType(params.refine_type);
    return { refine: 'false' };
  }
  return { refine: 'true', refine_type: params.refine_type === undefined ? 'SQ8' : checkRefineType(params.refine_type) };
}
