/**
 * Fencing tokens on a pchannel's appends (messages/fence.ts). A fenced append
 * is checked twice: on arrival, against the meta store (runtime/rpc/fence.ts:
 * FenceGate.verify, which raises the node's high-water mark of the key to what
 * it read), and again in the pchannel's serial append step, right before the
 * message is stamped, against that mark (no read: the step must not wait).
 *
 * Why this is linearizable. A new leader bumps the term key before it writes;
 * its first append through this node is verified on arrival, which raises the
 * mark, before it is queued. A stale append queued earlier is stamped either
 * before that (entirely before the new leader's first write here, in WAL
 * order: as if the old leader had made it before losing the lead; the new
 * leader, replaying from its checkpoint with the same append ids, finds it
 * done) or after, and then the mark refuses it with nothing written. A
 * transaction checks each of its Begin, body and Commit, so it commits before
 * the new leader's first write or is rolled back. A stale append that arrives
 * after the bump is refused on arrival (below the mark, or by the read).
 */
import type { Fence } from '../../../messages/fence.js';
import type { FenceMarks } from '../../../messages/fenceMarks.js';
import type { NuthatchError } from '../../../messages/errors.js';

/** The append step's check: throws StaleFence when the token is below its key's mark. */
export function refuseStale(marks: FenceMarks | undefined, fence: Fence | undefined): void {
  const e = fence && marks?.refusal(fence);
  if (e) throw e;
}

/**
 * Runs an append whose append id an older lead may have in flight: the append
 * dedup shares that attempt's outcome, and when the older token was refused
 * the refusal is not ours, so it runs again (then as its own attempt).
 */
export async function notOthersRefusal<T>(fence: Fence | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    const refused = (e as NuthatchError).code === 'StaleFence' ? (e as NuthatchError).info : undefined;
    if (fence && refused?.key === fence.key && typeof refused.revision === 'number' && refused.revision < fence.revision) return run();
    throw e;
  }
}
