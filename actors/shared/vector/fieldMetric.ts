import type { CollectionRecord } from '../../../messages/rpc/records.js';
import type { MetricType } from '../../../messages/schema.js';

/**
 * The metric a vector field is searched with (pure): its index's, when it has
 * one, else the collection's. The first vector field's index always agrees
 * with the collection (normaliseIndex); another field's index may choose its
 * own, as every index does in Milvus.
 */
export function metricOfField(rec: Pick<CollectionRecord, 'metricType' | 'indexes'>, fieldName: string): MetricType {
  return rec.indexes.find((i) => i.fieldName === fieldName)?.metricType ?? rec.metricType;
}
