import type { CollectionRecord } from '../../../messages/rpc/records.js';
import { BINARY_METRICS, type CollectionSchema, type MetricType } from '../../../messages/schema.js';
import { bm25FunctionOf, minhashFunctionOf } from '../../../messages/schemaFunctions.js';

/**
 * The metric a vector field is searched with (pure): its index's, when it has
 * one, else the collection's. The first vector field's index always agrees
 * with the collection (normaliseIndex); another field's index may choose its
 * own, as every index does in Milvus. Without an index, a sparse field has
 * its own default, and so does a binary one.
 */
export function metricOfField(rec: Pick<CollectionRecord, 'metricType' | 'indexes'> & { schema?: CollectionSchema }, fieldName: string): MetricType {
  const own = rec.indexes.find((i) => i.fieldName === fieldName)?.metricType;
  if (own) return own;
  // A sparse field without an index: BM25 for a BM25 function's output, else IP (its only metrics).
  const type = rec.schema?.fields.find((f) => f.name === fieldName)?.dataType;
  if (type === 'SparseFloatVector') return bm25FunctionOf(rec.schema!, fieldName) ? 'BM25' : 'IP';
  // A MINHASH function's output holds signatures: MHJACCARD is the only metric that reads them.
  if (type === 'BinaryVector' && minhashFunctionOf(rec.schema!, fieldName)) return 'MHJACCARD';
  return defaultMetric(rec.metricType, type === 'BinaryVector');
}

/**
 * A dense field's metric when nothing names one: the collection's, when it
 * is of the field's kind; else HAMMING for a binary field (Milvus's default)
 * and L2 for a float one. A collection's metric is a float one, but binary
 * when it has no FloatVector and was created with a binary metric.
 */
export function defaultMetric(collectionMetric: MetricType, binary: boolean): MetricType {
  if (BINARY_METRICS.includes(collectionMetric) === binary) return collectionMetric;
  return binary ? 'HAMMING' : 'L2';
}
