import { hnswIndexFactory } from './hnswIndex.js';
import { ivfFlatFactory, ivfRabitqFactory, ivfSq8Factory } from './ivf/ivfFactory.js';
import type { VectorIndexFactories } from './vectorIndex.js';

/** Every ANN index nuthatch builds, by index type: what index and query nodes are given. */
export const vectorIndexes: VectorIndexFactories = {
  HNSW: hnswIndexFactory,
  IVF_FLAT: ivfFlatFactory,
  IVF_SQ8: ivfSq8Factory,
  IVF_RABITQ: ivfRabitqFactory,
  // Over a binary field's bits widened to 0 and 1: k-means lists, HAMMING or JACCARD within them (ivf/ivfIndex.ts).
  BIN_IVF_FLAT: ivfFlatFactory,
};
