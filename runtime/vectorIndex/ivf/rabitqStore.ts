import type { BuildPacer } from '../buildPacer.js';
import type { InvertedLists } from './invertedLists.js';
import { encodeRow, rotate, rotation, type Rotation } from './rabitq.js';
import { buildRefine, type RefineStore, type RefineType } from './refineStore.js';

/**
 * What IVF_RABITQ keeps per position (rabitq.ts): a code of D/8 bytes, three
 * floats of terms (scale, |r|^2, <x, Pc>), and optionally a refine copy
 * (refineStore.ts). The rotation is rebuilt from its seed.
 */
export interface RabitqStore {
  kind: 'IVF_RABITQ';
  seed: number;
  rotation: Rotation;
  /** count x D/8 bytes, position p at [p * D/8, (p + 1) * D/8). */
  codes: Uint8Array;
  /** count x 3 floats: scale, r2, xc. */
  terms: Float32Array;
  refine?: RefineStore;
}

/** Encodes `count` vectors in position order against their lists' centroids. */
export async function buildRabitqStore(byPosition: Float32Array, dim: number, count: number, lists: InvertedLists, seed: number, refineType: RefineType | undefined, pacer?: BuildPacer): Promise<RabitqStore> {
  const P = rotation(dim, seed), D = P.D, bytes = D >> 3;
  const codes = new Uint8Array(count * bytes), terms = new Float32Array(count * 3);
  const residual = new Float32Array(dim), pr = new Float32Array(D), pc = new Float32Array(D);
  for (let l = 0; l < lists.nlist; l++) {
    const from = lists.offsets[l]!, end = lists.offsets[l + 1]!;
    if (from === end) continue;
    rotate(P, lists.centroids, l * dim, dim, pc);
    for (let p = from; p < end; p++) {
      for (let j = 0; j < dim; j++) residual[j] = byPosition[p * dim + j]! - lists.centroids[l * dim + j]!;
      const t = encodeRow(rotate(P, residual, 0, dim, pr), pc, codes, p * bytes);
      terms[3 * p] = t.scale; terms[3 * p + 1] = t.r2; terms[3 * p + 2] = t.xc;
      if ((p & 255) === 255 && pacer?.due) await pacer.pause();
    }
  }
  return { kind: 'IVF_RABITQ', seed, rotation: P, codes, terms, ...(refineType ? { refine: buildRefine(refineType, byPosition, dim, count) } : {}) };
}
