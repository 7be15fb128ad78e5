import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';
import { queryNodeSubject, type QueryNodeProtocol } from '../../messages/rpc/workers.js';
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

/** Whether the query node holds every index file the collection's segment records name (a reload follows each build). */
export async function indexFilesServed(s: Standalone, collection: string): Promise<boolean> {
  const id = (await s.client.describeCollection(collection)).collectionId;
  const segs = await client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT)('segments', { collectionId: id });
  const held = new Set((await client<QueryNodeProtocol>(s.bus, queryNodeSubject('qn-1'))('status', {})).files.flatMap((f) => f.indexKeys));
  return segs.length > 0 && segs.every((seg) => Object.keys(seg.indexKeys).length > 1 && Object.values(seg.indexKeys).every((k) => held.has(k)));
}
