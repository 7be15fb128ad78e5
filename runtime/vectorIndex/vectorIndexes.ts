import { diskannFactory } from './diskann/diskannFactory.js';
import { defaultDiskannDir } from './diskann/nodeStore.js';
import { hnswIndexFactory } from './hnswIndex.js';
import { binIvfFlatFactory, ivfFlatFactory, ivfPqFactory, ivfRabitqFactory, ivfSq8Factory, scannFactory } from './ivf/ivfFactory.js';
import { minhashLshFactory } from './minhashLsh/minhashLshFactory.js';
import { rowMapped } from './rowMappedIndex.js';
import { keyed } from './keyedIndex.js';
import type { VectorIndexFactories } from './vectorIndex.js';

/**
 * Every ANN index nuthatch builds, by index type: what index and query nodes
 * are given. Each may be built over some rows only (a nullable vector field's
 * non-null rows, rowMappedIndex.ts), and as one sub-index per partition key
 * value (partition key isolation, keyedIndex.ts). `diskDir` is the node-local directory
 * a query node keeps its loaded DISKANN indexes' files in.
 */
export function vectorIndexesAt(diskDir: string): VectorIndexFactories {
  return Object.fromEntries(Object.entries({
    HNSW: hnswIndexFactory,
    IVF_FLAT: ivfFlatFactory,
    IVF_SQ8: ivfSq8Factory,
    IVF_RABITQ: ivfRabitqFactory,
    // Product-quantization codes of residuals over the same lists; SCANN's are 4-bit over pairs of dimensions, re-ranked with the raw vectors (ivf/pqStore.ts).
    IVF_PQ: ivfPqFactory,
    SCANN: scannFactory,
    // k-means lists over a binary field's bits widened to 0 and 1; the bits kept packed, HAMMING or JACCARD by popcount (ivf/ivfIndex.ts).
    BIN_IVF_FLAT: binIvfFlatFactory,
    // MinHash signatures cut into bands, rows bucketed per band; MHJACCARD over the raw signatures on demand (minhashLsh/).
    MINHASH_LSH: minhashLshFactory,
    // A Vamana graph and PQ codes; loaded, its vectors and lists live in a file of diskDir, the codes in memory (diskann/).
    DISKANN: diskannFactory(diskDir),
  }).map(([type, factory]) => [type, keyed(rowMapped(factory))]));
}

/** The index types with DISKANN's files in the default directory (NUTHATCH_DISKANN_DIR, else the OS's temp dir). */
export const vectorIndexes: VectorIndexFactories = vectorIndexesAt(defaultDiskannDir());
