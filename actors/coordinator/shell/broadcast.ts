import { encodeMessage } from '../../../messages/codec.js';
import { InvariantError, type InvariantName } from '../../../messages/errors.js';
import { newMessage, type Bodies, type MessageType } from '../../../messages/types.js';
import { withRetry } from '../../../runtime/rpc/typedBus.js';
import { pchannelOf } from '../core/catalog.js';
import type { CoordinatorContext } from './context.js';
import { checkBeforeFirstWrite } from './fencedSteps.js';

/**
 * Appends one DDL message to every vchannel of a collection. It waits for each
 * pchannel's owner to be ready (retrying on retryable errors), so a DDL survives a
 * WAL moving between nodes. `alreadyDone` names the invariant that means a retry
 * after a crash finds the message already applied (e.g. CollectionAlreadyExists).
 * `broadcastId`: the id a journaled DDL took before (core/journaledDdl.ts), so
 * its sending again after a crash is the same append on each shard.
 */
export async function broadcast<T extends MessageType>(ctx: CoordinatorContext, type: T, vchannels: string[], body: (vchannel: string, i: number) => Bodies[T], alreadyDone?: InvariantName, broadcastId?: number): Promise<bigint[]> {
  const id = broadcastId ?? await ctx.allocIds(1);
  // A fenced DDL's first durable effect: its token is read again right before (fencedSteps.ts).
  await checkBeforeFirstWrite();
  return Promise.all(vchannels.map(async (vchannel, i) => {
    const m = newMessage(type, vchannel, body(vchannel, i));
    m.header.broadcast = { id, vchannels };
    // A retry after a timeout or a WAL move must not append the DDL twice.
    m.header.appendId = `broadcast-${id}`;
    const bytes = encodeMessage(m);
    try {
      const r = await withRetry(() => ctx.streaming(pchannelOf(vchannel))('append', { message: bytes }), { deadlineMs: 120_000 });
      return r.tso;
    } catch (e) {
      if (alreadyDone && e instanceof InvariantError && e.invariant === alreadyDone) return 0n;
      throw e;
    }
  }));
}
