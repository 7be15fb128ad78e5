import { randomUUID } from 'node:crypto';
import { encodeSession } from '../../messages/nodeSession.js';
import type { MetaStore } from '../ports/metaStore.js';
import { withRetry } from './typedBus.js';

/**
 * A data node's or index node's session: the leased key
 * `sessions/<role>/<nodeId>` (messages/nodeSession.ts), as streaming and query
 * nodes hold, so the coordinator sees the node die within a lease's TTL and
 * sends the tasks it held to another node (runtime/rpc/workerPool.ts).
 * Registered again if the lease is lost while the node runs (it was frozen past
 * its TTL): the coordinator has given up its tasks by then, and their rerun
 * elsewhere writes the same keys. `end()` revokes it: a node stopped cleanly
 * leaves at once.
 */
export async function holdWorkerSession(meta: MetaStore, role: 'data-node' | 'index-node', nodeId: string, ttlMs: number, log?: (...a: unknown[]) => void): Promise<{ end(): Promise<void> }> {
  const incarnation = randomUUID();
  let ended = false;
  let current: { revoke(): Promise<void> } | undefined;
  const register = async (): Promise<void> => {
    const lease = await meta.grantLease(ttlMs);
    current = lease;
    await meta.put(`sessions/${role}/${nodeId}`, encodeSession({ nodeId, incarnation }), { lease });
    void lease.lost.then(() => {
      if (ended) return;
      log?.(`session lease of ${nodeId} lost; registering again`);
      void withRetry(register, { deadlineMs: 24 * 3600_000, maxMs: 5000 }).catch((e) => log?.('re-register failed:', (e as Error).message));
    });
  };
  await register();
  return { async end() { ended = true; await current?.revoke().catch(() => {}); } };
}
