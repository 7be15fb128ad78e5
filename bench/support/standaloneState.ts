import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import { client } from '../../runtime/rpc/typedBus.js';
import type { Standalone } from '../../runtime/standalone/standalone.js';

/** Whether every index of the collection covers its `n` rows and the collection is fully loaded. */
export async function indexesReady(s: Standalone, collection: string, n: number): Promise<boolean> {
  const idx = await s.client.describeIndex(collection);
  return idx.every((i) => i.indexedRows === n) && (await s.client.getLoadState(collection)).loadProgress === 100;
}

/** How many sealed segments the coordinator records for the collection. */
export async function sealedSegments(s: Standalone, collection: string): Promise<number> {
  const id = (await s.client.describeCollection(collection)).collectionId;
  return (await client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT)('segments', { collectionId: id })).length;
}
