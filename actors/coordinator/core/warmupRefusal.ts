import { NuthatchError } from '../../../messages/errors.js';
import type { CollectionRecord } from '../../../messages/rpc/records.js';

/**
 * Milvus refuses changing warm-up (a collection's `warmup.*` properties, set or
 * dropped, and a field's `warmup`) while the collection is loaded, with
 * ErrCollectionLoaded: what its query nodes warmed at load would no longer be
 * what the record says. Release, change, load again. Pure: throws or returns.
 */
export function refuseWarmupWhileLoaded(rec: Pick<CollectionRecord, 'name' | 'loaded'>, what: string): void {
  if (rec.loaded) throw new NuthatchError('CollectionLoaded', `${what}: release collection '${rec.name}' first`, { collection: rec.name });
}
