/**
 * The receiving side of fencing tokens (messages/fence.ts): a server checks a
 * request's token against its own meta store, where the lead holder bumped it.
 * The read is linearizable (etcd), so a token found current was current when
 * the request arrived; the new leader bumps the key before it writes anything.
 */
import { staleFence, type Fence } from '../../messages/fence.js';
import type { MetaStore } from '../ports/metaStore.js';
import type { FenceCheck } from './typedBus.js';

export function metaFences(meta: Pick<MetaStore, 'get'>): FenceCheck {
  return async (f: Fence) => {
    const now = (await meta.get(f.key))?.modRevision;
    if (now !== f.revision) throw staleFence(f, now);
  };
}
