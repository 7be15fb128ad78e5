import type { StreamingProtocol } from '../../../messages/rpc/streamingNode.js';
import type { Tso } from '../../../messages/types.js';
import { deletePage } from '../core/deletePages.js';
import type { ShardData } from '../core/shardData.js';

/** What answers a `deletes` request: the owner's WAL or a follower, each with its shards and serviceable TSO. */
export interface DeleteReplica { readonly shards: ReadonlyMap<string, ShardData>; readonly serviceable: Tso; sync(t: Tso): Promise<Tso> }

/** How long a replica tries to fold up to the asked TSO before it answers with what it has. */
const SYNC_WAIT_MS = 5_000;

/**
 * A page of a shard's delete log, saying how far it is complete (the replica's
 * serviceable TSO, read with the page). Asked for `syncTso`, the replica first
 * folds up to it, as a read at that TSO would; a follower that cannot (its
 * owner away, its tail behind) still answers after a while: the page then says
 * less, and a compaction claims no more than that (data-node/core/deleteLogRead.ts).
 */
export async function answerDeletes(r: DeleteReplica, req: StreamingProtocol['deletes']['req']): Promise<StreamingProtocol['deletes']['res']> {
  if (req.syncTso !== undefined && r.serviceable < req.syncTso) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([r.sync(req.syncTso).catch(() => {}), new Promise((resolve) => { timer = setTimeout(resolve, SYNC_WAIT_MS); })]);
    clearTimeout(timer);
  }
  return deletePage(r.shards.get(req.vchannel), req.fromSeq, r.serviceable);
}
