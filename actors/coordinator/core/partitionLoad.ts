import type { CollectionRecord } from '../../../messages/rpc/records.js';

/**
 * Which partitions of a collection are loaded (pure): all of them once the
 * collection is loaded (a partition created later too), or the ones
 * load_partitions named. Releasing the last loaded partition releases the
 * collection, as Milvus does.
 */
type LoadState = Pick<CollectionRecord, 'loaded' | 'loadedPartitions' | 'partitions'>;

/** Whether a partition's segments are served and its rows read. */
export function partitionLoaded(rec: LoadState, partitionId: number): boolean {
  return rec.loaded && (rec.loadedPartitions === undefined || rec.loadedPartitions.includes(partitionId));
}

/** The load state after loading these partitions (every partition stays loaded if it was). */
export function afterLoadPartitions(rec: LoadState, ids: readonly number[]): Pick<CollectionRecord, 'loaded' | 'loadedPartitions'> {
  if (rec.loaded && rec.loadedPartitions === undefined) return { loaded: true };
  const had = rec.loaded ? rec.loadedPartitions ?? [] : [];
  return { loaded: true, loadedPartitions: [...new Set([...had, ...ids])].sort((a, b) => a - b) };
}

/** The load state after releasing these partitions: the rest stay loaded; none left, the collection is released. */
export function afterReleasePartitions(rec: LoadState, ids: readonly number[]): Pick<CollectionRecord, 'loaded' | 'loadedPartitions'> {
  if (!rec.loaded) return { loaded: false };
  const gone = new Set(ids);
  const left = (rec.loadedPartitions ?? rec.partitions.map((p) => p.id)).filter((id) => !gone.has(id));
  return left.length === 0 ? { loaded: false } : { loaded: true, loadedPartitions: left };
}
