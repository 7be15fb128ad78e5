/**
 * The receiving side of fencing tokens (messages/fence.ts): a server checks a
 * request's token against its own meta store, where the lead holder bumped it,
 * and keeps per fence key the highest revision it has read there
 * (messages/fenceMarks.ts). Where in a request's life each check runs is the
 * server's business: the coordinator at the head of its per-key queue of
 * fenced requests (actors/coordinator/shell/fencedSteps.ts), a streaming node
 * on arrival and again, against the mark, in the pchannel's serial append step
 * (actors/streaming-node/shell/pchannelWal.ts).
 */
import { staleFence, type Fence } from '../../messages/fence.js';
import { FenceMarks } from '../../messages/fenceMarks.js';
import type { MetaStore } from '../ports/metaStore.js';

export class FenceGate {
  readonly marks = new FenceMarks();

  constructor(private readonly meta: Pick<MetaStore, 'get'>) {}

  /** Throws StaleFence, with no read, when the token is below its key's mark. */
  refuseBelow(f: Fence): void {
    const e = this.marks.refusal(f);
    if (e) throw e;
  }

  /**
   * The fast path, then a linearizable read of the key (etcd), whose revision
   * raises the mark: throws StaleFence unless the key still has the token's
   * revision, i.e. unless no newer lead had begun when the read was served.
   */
  async verify(f: Fence): Promise<void> {
    this.refuseBelow(f);
    const now = (await this.meta.get(f.key))?.modRevision;
    if (now !== undefined) this.marks.raise(f.key, now);
    if (now !== f.revision) throw staleFence(f, now);
  }
}
