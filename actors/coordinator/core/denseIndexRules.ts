import { BINARY_METRICS, FLOAT_METRICS, type DataType, type MetricType } from '../../../messages/schema.js';

/**
 * Which index types and metrics a dense vector field takes, by its type, as
 * Milvus allows them (pure): float fields (FloatVector and the halves) take
 * the float indexes, DISKANN among them (the halves widened to float32 for
 * its graph, codes and file); Int8Vector HNSW alone (Milvus 2.6); BinaryVector the
 * BIN_ indexes with HAMMING or JACCARD, and MHJACCARD with BIN_FLAT or
 * MINHASH_LSH (indexTypesOfMetric). `auto` is what AUTOINDEX becomes.
 */
export interface DenseIndexRules { types: readonly string[]; metrics: readonly MetricType[]; auto: string }

const FLOAT: DenseIndexRules = { types: ['HNSW', 'IVF_FLAT', 'IVF_SQ8', 'IVF_PQ', 'SCANN', 'IVF_RABITQ', 'FLAT', 'DISKANN'], metrics: FLOAT_METRICS, auto: 'HNSW' };
const INT8: DenseIndexRules = { types: ['HNSW'], metrics: FLOAT_METRICS, auto: 'HNSW' };
const BINARY: DenseIndexRules = { types: ['BIN_FLAT', 'BIN_IVF_FLAT', 'MINHASH_LSH'], metrics: BINARY_METRICS, auto: 'BIN_IVF_FLAT' };

/**
 * The binary index types a metric goes with, as Milvus pairs them: MHJACCARD
 * compares MinHash signatures (BIN_FLAT or MINHASH_LSH, AUTOINDEX being
 * MINHASH_LSH); HAMMING and JACCARD compare bits (BIN_FLAT, BIN_IVF_FLAT).
 */
export function binaryRulesOf(metric: MetricType): DenseIndexRules {
  return metric === 'MHJACCARD' ? { types: ['BIN_FLAT', 'MINHASH_LSH'], metrics: BINARY_METRICS, auto: 'MINHASH_LSH' } : { types: ['BIN_FLAT', 'BIN_IVF_FLAT'], metrics: BINARY_METRICS, auto: 'BIN_IVF_FLAT' };
}

/** The rules of a dense vector type; undefined for any other type. */
export function denseIndexRules(type: DataType): DenseIndexRules | undefined {
  switch (type) {
    case 'FloatVector': case 'Float16Vector': case 'BFloat16Vector': return FLOAT;
    case 'Int8Vector': return INT8;
    case 'BinaryVector': return BINARY;
    default: return undefined;
  }
}
