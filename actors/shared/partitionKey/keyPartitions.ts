import { DEFAULT_KEY_PARTITIONS, LIMITS, type CollectionSchema, partitionKeyField } from '../../../messages/schema.js';
import { ValidationError } from '../../../messages/errors.js';
import { keyPartitionIndex } from './keyHash.js';

/**
 * The partitions of a partition-key collection: `_default_0 .. _default_{n-1}`
 * (Milvus's names), created with the collection and never created or dropped
 * by hand. A row belongs to `_default_<hash(key) % n>`.
 */
export const keyPartitionName = (index: number): string => `_default_${index}`;

/**
 * The partition names a new collection starts with: `_default`, or with a
 * partition key `numPartitions` (default 16, at most 1024) key partitions.
 * A number of partitions without a partition key is refused, as Milvus does.
 */
export function initialPartitionNames(schema: CollectionSchema, numPartitions: number | undefined): string[] {
  if (!partitionKeyField(schema)) {
    if (numPartitions !== undefined) throw new ValidationError('numPartitions is only for a collection with a partition key field', { field: 'numPartitions' });
    return ['_default'];
  }
  const n = numPartitions ?? DEFAULT_KEY_PARTITIONS;
  if (!Number.isInteger(n) || n < 1 || n > LIMITS.maxPartitions) throw new ValidationError(`numPartitions must be an integer in 1..${LIMITS.maxPartitions}, got ${JSON.stringify(numPartitions)}`, { field: 'numPartitions' });
  return Array.from({ length: n }, (_, i) => keyPartitionName(i));
}

/**
 * The ids of the key partitions by index (`ids[i]` is `_default_<i>`), out of
 * a collection's partitions; null when they are not exactly `_default_0..n-1`.
 */
export function keyPartitionIds(partitions: ReadonlyArray<{ id: number; name: string }>): number[] | null {
  const ids = new Array<number>(partitions.length);
  for (const p of partitions) {
    const m = /^_default_(0|[1-9][0-9]*)$/.exec(p.name);
    const i = m ? Number(m[1]) : -1;
    if (i < 0 || i >= ids.length || ids[i] !== undefined) return null;
    ids[i] = p.id;
  }
  return ids.length > 0 ? ids : null;
}

/** The partition id a key value routes to. */
export function routeKey(value: number | string, ids: readonly number[]): number {
  return ids[keyPartitionIndex(value, ids.length)]!;
}

/** Row indexes grouped by the partition their key routes to, in first-seen order. */
export function routeRows(keys: ReadonlyArray<unknown>, ids: readonly number[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  keys.forEach((k, row) => {
    const id = routeKey(k as number | string, ids);
    const list = out.get(id);
    if (list) list.push(row); else out.set(id, [row]);
  });
  return out;
}
