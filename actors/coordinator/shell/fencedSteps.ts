/**
 * Fenced requests at the coordinator (messages/fence.ts: a replicator's DDL
 * and reads, carrying its lead's token). They run one at a time per fence key,
 * in arrival order, and the token is checked at the head of that queue
 * (runtime/rpc/fence.ts: below the key's high-water mark refused at once, else
 * an etcd read) and again right before the request's FIRST durable effect:
 * its catalogue record save carries the token (one etcd transaction, so a term
 * bumped between the check and the save refuses the save, and nothing was
 * done), or the broadcast of its DDL to the shards is preceded by one more read.
 *
 * Once that first effect happened the DDL is committed and the rest of it
 * (the record saved after a broadcast, a create or drop finished) runs
 * unfenced, as a coordinator resuming it after a crash would. Refusing the
 * save after the shards took the DDL would leave them and the catalogue
 * disagreeing (a crash between the two leaves that too, and a CreatePartition
 * or CreateIndex retried then meets PartitionExists/IndexExists on the shard).
 *
 * Why this is linearizable. A new leader bumps the term key before it reads or
 * writes anything; its requests carry the new revision and queue behind the
 * old leader's at this coordinator. A stale request either passed its check
 * before the bump (every read and write it makes then completes before the new
 * leader's first request here even starts: it is as if the old leader had made
 * it before losing the lead, and the new leader, replaying from its
 * checkpoint, finds it done: its DDL are "if absent") or it is refused, having
 * written nothing. The window between the last check and the first effect
 * (no await between them for a save; one etcd read then the first append for a
 * broadcast) is the only place a bump may slip in, and it is covered by the
 * same argument: the request is still ahead of every request of the new lead.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Fence } from '../../../messages/fence.js';
import type { FenceGate } from '../../../runtime/rpc/fence.js';
import { makeLock } from './context.js';

/** The fenced request running now (in this async context): its token, until its first durable effect. */
interface Step { fence: Fence; gate: FenceGate; open: boolean; committed: boolean }
const running = new AsyncLocalStorage<Step>();

export class FencedSteps {
  private readonly queues = new Map<string, ReturnType<typeof makeLock>>();

  constructor(private readonly gate: FenceGate) {}

  /** Serves one fenced request (typedBus FenceServe): queued behind the key's others, checked at the head. */
  readonly serve = <T>(fence: Fence, handle: () => Promise<T>): Promise<T> => {
    // A token below the mark is refused on arrival: it could only be refused later.
    this.gate.refuseBelow(fence);
    let queue = this.queues.get(fence.key);
    if (!queue) { queue = makeLock(); this.queues.set(fence.key, queue); }
    return queue(async () => {
      await this.gate.verify(fence);
      const step: Step = { fence, gate: this.gate, open: true, committed: false };
      // `open` ends with the request: work it left running in the background is not fenced.
      try { return await running.run(step, handle); } finally { step.open = false; }
    });
  };
}

/** The token the running request's first durable write must carry, or undefined (not fenced, or committed already). */
export function firstWriteFence(): Fence | undefined {
  const s = running.getStore();
  return s && s.open && !s.committed ? s.fence : undefined;
}

/** The running request's first durable write is made: what follows completes it, unfenced. */
export function firstWriteMade(): void {
  const s = running.getStore();
  if (s && s.open) s.committed = true;
}

/** Before a DDL's broadcast, its first durable effect: the token is read once more (StaleFence if it passed). */
export async function checkBeforeFirstWrite(): Promise<void> {
  const s = running.getStore();
  if (!s || !s.open || s.committed) return;
  await s.gate.verify(s.fence);
  s.committed = true;
}

/** Runs `fn` outside the running fenced request: system work it happens to trigger (a DDL left pending by a crash) does not spend its token. */
export function unfenced<T>(fn: () => Promise<T>): Promise<T> {
  return running.exit(fn);
}
